/**
 * Search on PostgreSQL + pgvector (needs a local PostgreSQL 15 with pgvector: .ci/pgvector-install):
 * - search.recall_at_10.{lexical,semantic,hybrid} and search.mrr.{...}: the relevance test set
 *   (test/fixtures/search: 40 records, 17 queries with known relevant records), embeddings from the
 *   local deterministic endpoint (a stand-in model, so these figures rate the pipeline, not a model);
 * - search.hybrid_p95_ms: hybrid searches (query embedding over HTTP + FTS/trigram + HNSW + fusion) over
 *   a table of generated records, all embedded through the real queue; baseline: lexical-only p95.
 *   Goal at 1,000,000 records; this bench fills 100,000 by default (LINEAGELENS_BENCH_SEARCH_RECORDS to
 *   change; a million records with their HNSW index take hours on this 2-core machine), --quick 5,000.
 */
import { EventGenerator } from './helpers/eventGenerator';
import type { BenchResult, Benchmark } from './types';
import { PgRecordTextSource } from '../src/server/pg/recordTextSource';
import { detectVector } from '../src/server/pg/searchSchema';
import { SemanticIndex } from '../src/server/pg/semanticIndex';
import { EmbeddingClient } from '../src/server/search/embeddingClient';
import { EmbeddingQueue } from '../src/server/search/embeddingQueue';
import { embeddingText } from '../src/server/search/searchDocument';
import { SearchService, type SearchMode } from '../src/server/search/searchService';
import { createRecordsSchema, createTestDatabase, FIXTURES, fixtureRecord, insertRecords, QUERIES, relevance, startEmbeddingServer } from '../test/unit/searchHarness';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const DIMS = 384; // the size of small real embedding models (e.g. MiniLM, bge-small)

const searchBench: Benchmark = async (ctx) => {
  const results: BenchResult[] = [];
  const ep = await startEmbeddingServer({ dims: DIMS });
  const db = await createTestDatabase('ll_bench_search');
  try {
    await createRecordsSchema(db.pool);
    const support = await detectVector(db.pool);
    if (!support.available) throw new Error(`pgvector is needed for this bench: ${support.reason}`);
    const index = new SemanticIndex(db.pool, support);
    const client = new EmbeddingClient({ url: ep.url, model: 'stub-384', batchSize: 128 });
    const queue = new EmbeddingQueue({ client, index, source: new PgRecordTextSource(db.pool), batchSize: 128, log: ctx.log });
    const service = new SearchService(db.pool, { semantic: { client, index } });

    // Relevance on the test set alone (no filler records, which would only add unlabelled candidates).
    queue.enqueue(await insertRecords(db.pool, FIXTURES.map((f, i) => fixtureRecord(f, i))));
    await queue.idle();
    for (const mode of ['lexical', 'semantic', 'hybrid'] as SearchMode[]) {
      const f = await relevance(service, mode);
      if (!f.ran.has(mode) || f.ran.size !== 1) throw new Error(`asked for ${mode}, ran ${[...f.ran].join(', ')}`);
      const note = `${QUERIES.length} queries, ${FIXTURES.length} records (test/fixtures/search); local deterministic stand-in embedding model`;
      results.push({ name: `search.recall_at_10.${mode}`, value: Number(f.recallAt10.toFixed(3)), unit: 'recall', goal: null, better: 'higher', note });
      results.push({ name: `search.mrr.${mode}`, value: Number(f.mrr.toFixed(3)), unit: 'MRR', goal: null, better: 'higher', note });
    }

    // Latency at scale.
    const total = ctx.quick ? 5_000 : Number(process.env.LINEAGELENS_BENCH_SEARCH_RECORDS ?? 100_000);
    const gen = new EventGenerator(7);
    const t0 = performance.now();
    let embeddable = FIXTURES.length;
    for (let done = 0; done < total; done += 2_000) {
      const stored = await insertRecords(db.pool, gen.batch(Math.min(2_000, total - done)));
      embeddable += stored.filter((r) => embeddingText(r.source).length > 0).length; // e.g. a session without prompts has no text
      queue.enqueue(stored);
      if (queue.status().pending > 20_000) await queue.idle(); // keep memory bounded while filling
      if (done % 20_000 === 0 && done > 0) ctx.log(`stored ${done} records, ${queue.status().embedded} embedded`);
    }
    await queue.idle();
    await db.pool.query('VACUUM ANALYZE');
    const vectors = await index.count(1, client.model);
    const size = (await db.pool.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0]!.s;
    ctx.log(`filled and embedded ${total} records (+${FIXTURES.length} fixtures, ${vectors} vectors) in ${((performance.now() - t0) / 1000).toFixed(0)} s; database ${size}`);
    if (vectors !== embeddable) throw new Error(`${vectors} of ${embeddable} records with text were embedded: ${queue.status().lastError}`);

    const texts = [...QUERIES.map((q) => q.q), 'await result', 'user error handling', 'filter items by value', 'throw new error when the request fails', 'async config options', 'zebracorn', 'reduce count map', 'catch error and retry'];
    for (const q of texts) await service.search({ orgId: 1, text: q, limit: 20 }); // warm caches
    const time = async (mode: SearchMode, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await service.search({ orgId: 1, text: texts[i % texts.length]!, mode, limit: 20 });
        times.push(performance.now() - t);
        if (r.mode !== mode) throw new Error(`asked for ${mode}, ran ${r.mode}: ${JSON.stringify(r.semantic)}`);
      }
      return times;
    };
    const hybrid = await time('hybrid', ctx.quick ? 60 : 200);
    const lexical = await time('lexical', ctx.quick ? 60 : 200);
    results.push({
      name: 'search.hybrid_p95_ms',
      value: Number(percentile(hybrid, 0.95).toFixed(1)),
      unit: 'ms',
      goal: 150,
      better: 'lower',
      baseline: { label: 'lexical only p95', value: Number(percentile(lexical, 0.95).toFixed(1)) },
      note: `${total + FIXTURES.length} records with ${DIMS}-dim vectors (${ctx.quick ? 'quick: ' : ''}not the goal's 1,000,000); 20 hits; query embedded over HTTP by the local endpoint; median ${percentile(hybrid, 0.5).toFixed(1)} ms`,
    });
    await queue.close();
  } finally {
    await ep.close();
    await db.drop();
  }
  return results;
};

export default searchBench;
