/**
 * Search on PostgreSQL + pgvector (needs a local PostgreSQL 15 with pgvector: .ci/pgvector-install):
 * - search.recall_at_10.{lexical,semantic,hybrid} and search.mrr.{...}: the relevance test set
 *   (test/fixtures/search: 40 records, 17 queries with known relevant records), embeddings from the
 *   local deterministic endpoint (a stand-in model, so these figures rate the pipeline, not a model);
 * - search.hybrid_p95_ms: hybrid searches through the wired server (GET /api/v1/search over HTTP: query
 *   embedding over HTTP + FTS/trigram + HNSW + fusion + reading the records) over generated records
 *   uploaded through POST /api/v1/records and embedded by the server's own queue; baseline: lexical-only p95.
 *   Goal at 1,000,000 records; this bench fills 100,000 by default (LINEAGELENS_BENCH_SEARCH_RECORDS to
 *   change), --quick 2,000. From BULK_FILL records on, the HNSW index is dropped while filling and built
 *   once after (as an operator bulk-loads a history): a million inserts into the graph one by one take
 *   hours on this 2-core machine, one build ~20 minutes. Queries then run on the same kind of index.
 */
import { EventGenerator } from './helpers/eventGenerator';
import type { ProvenanceRecord } from '../src/core/model/schema';
import { GENESIS_HASH } from '../src/core/sync/uploadChain';
import { startServer } from '../src/server/app';
import { toRow } from '../src/server/db/recordRow';
import { openPgBackend } from '../src/server/postgres/pgBackend';
import { chainEntries } from '../test/unit/serverHarness';
import type { BenchResult, Benchmark } from './types';
import { PgRecordTextSource } from '../src/server/pg/recordTextSource';
import { detectVector } from '../src/server/pg/searchSchema';
import { SemanticIndex, VECTOR_INDEX_SQL } from '../src/server/pg/semanticIndex';
import { EmbeddingClient } from '../src/server/search/embeddingClient';
import { EmbeddingQueue } from '../src/server/search/embeddingQueue';
import { embeddingText } from '../src/server/search/searchDocument';
import { SearchService, type SearchMode } from '../src/server/search/searchService';
import { createRecordsSchema, createTestDatabase, FIXTURES, fixtureRecord, insertRecords, QUERIES, relevance, startEmbeddingServer } from '../test/unit/searchHarness';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const DIMS = 384; // the size of small real embedding models (e.g. MiniLM, bge-small)
const BULK_FILL = 200_000;

const searchBench: Benchmark = async (ctx) => {
  const results: BenchResult[] = [];
  const ep = await startEmbeddingServer({ dims: DIMS });
  const db = await createTestDatabase('ll_bench_search');
  // A 1,000,000-record fill takes ~55 minutes here: LINEAGELENS_BENCH_SEARCH_KEEP=1 keeps the filled
  // database (its URL is printed), LINEAGELENS_BENCH_SEARCH_DB=<url> measures on such a database again.
  const reuse = process.env.LINEAGELENS_BENCH_SEARCH_DB?.trim() || null;
  const keep = process.env.LINEAGELENS_BENCH_SEARCH_KEEP === '1';
  const wired = reuse ? { url: reuse, drop: async () => undefined } : await createTestDatabase('ll_bench_search_srv');
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

    await queue.close();

    // Latency at scale, through the wired server: records uploaded over HTTP in batches of 500 (the
    // PostgreSQL ingest fills the search columns and hands each batch to the embedding queue), every
    // record embedded by the server's own queue, then GET /api/v1/search over HTTP.
    let total = ctx.quick ? 2_000 : Number(process.env.LINEAGELENS_BENCH_SEARCH_RECORDS ?? 100_000);
    const { backend } = await openPgBackend(wired.url, { search: true, env: { LINEAGELENS_EMBEDDINGS_URL: ep.url, LINEAGELENS_EMBEDDINGS_MODEL: 'stub-384' }, log: ctx.log });
    const token = (await backend.accounts.bootstrapAdmin())?.token ?? (await backend.accounts.createToken('admin', 'bench-again')).token;
    const server = await startServer({ host: '127.0.0.1', port: 0, version: 'bench', backend, rateLimit: { perSecond: 1e6, burst: 1e6 } });
    try {
      const post = async (source: string, records: ProvenanceRecord[], from: { seq: number; hash: string }) => {
        const chained = chainEntries(records, from);
        const res = await fetch(`${server.url}/api/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ source, entries: chained.entries }) });
        if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
        return chained.head;
      };
      const t0 = performance.now();
      if (reuse) total = Number((await backend.pool.query<{ n: string }>('SELECT count(*) AS n FROM records')).rows[0]!.n) - FIXTURES.length;
      const bulk = total >= BULK_FILL;
      if (reuse) ctx.log(`measuring on the filled database ${new URL(reuse).pathname.slice(1)}: ${total} records (+${FIXTURES.length} fixtures)`);
      else await fill();
      async function fill() {
        await post('fixtures', FIXTURES.map((f, i) => fixtureRecord(f, i)), { seq: 0, hash: GENESIS_HASH });
        if (bulk) {
          await backend.search!.queue!.idle(); // the fixtures' vectors made the table (and its index)
          await backend.pool.query('DROP INDEX record_embeddings_hnsw');
        }
        const gen = new EventGenerator(7);
        let head = { seq: 0, hash: GENESIS_HASH };
        let embeddable = FIXTURES.length;
        for (let done = 0; done < total; done += 500) {
          const batch = gen.batch(Math.min(500, total - done));
          embeddable += batch.filter((r) => embeddingText(toRow(r)).length > 0).length; // e.g. a session without prompts has no text
          head = await post('bench', batch, head);
          if (backend.search!.queue!.status().pending > 20_000) await backend.search!.queue!.idle(); // keep memory bounded while filling
          if (done % 20_000 === 0 && done > 0) ctx.log(`uploaded ${done} records, ${backend.search!.queue!.status().embedded} embedded`);
        }
        const uploaded = performance.now() - t0;
        await backend.search!.queue!.idle();
        let built = '';
        if (bulk) {
          const b0 = performance.now();
          const c = await backend.pool.connect();
          try {
            await c.query(`SET maintenance_work_mem = '4GB'`); // the graph of 1M 384-dim vectors is ~2 GB
            await c.query('SET max_parallel_maintenance_workers = 1');
            await c.query(VECTOR_INDEX_SQL);
          } finally {
            c.release();
          }
          built = `; HNSW index built after the fill in ${((performance.now() - b0) / 1000).toFixed(0)} s`;
          ctx.log(`built the HNSW index${built.slice(built.indexOf(' in '))}`);
        }
        await backend.pool.query('VACUUM ANALYZE');
        const vectors = Number((await backend.pool.query<{ n: string }>('SELECT count(*) AS n FROM record_embeddings')).rows[0]!.n);
        const size = (await backend.pool.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0]!.s;
        ctx.log(`uploaded ${total} records (+${FIXTURES.length} fixtures) in ${(uploaded / 1000).toFixed(0)} s, all ${vectors} embedded${built} after ${((performance.now() - t0) / 1000).toFixed(0)} s; database ${size}`);
        if (vectors !== embeddable) throw new Error(`${vectors} of ${embeddable} records with text were embedded: ${backend.search!.queue!.status().lastError}`);
      }

      const texts = [...QUERIES.map((q) => q.q), 'await result', 'user error handling', 'filter items by value', 'throw new error when the request fails', 'async config options', 'zebracorn', 'reduce count map', 'catch error and retry'];
      const ask = async (mode: SearchMode, q: string) => {
        const res = await fetch(`${server.url}/api/v1/search?q=${encodeURIComponent(q)}&mode=${mode}&limit=20`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { search: { mode: SearchMode; methods: unknown } };
        if (res.status !== 200 || body.search.mode !== mode) throw new Error(`asked for ${mode}, got ${res.status} ${JSON.stringify(body.search ?? body)}`);
      };
      for (const q of texts) await ask('hybrid', q); // warm caches
      const time = async (mode: SearchMode, n: number) => {
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          await ask(mode, texts[i % texts.length]!);
          times.push(performance.now() - t);
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
        note: `GET /api/v1/search over HTTP, ${total + FIXTURES.length} records uploaded through the server, ${DIMS}-dim vectors from its queue${bulk ? ' (HNSW index built after the fill)' : ''}${total >= 1_000_000 ? '' : ` (${ctx.quick ? 'quick: ' : ''}not the goal's 1,000,000)`}; 20 hits; query embedded over HTTP by the local endpoint; median ${percentile(hybrid, 0.5).toFixed(1)} ms`,
      });
    } finally {
      await server.close();
    }
  } finally {
    await ep.close();
    await db.drop();
    if (keep && !reuse) ctx.log(`kept the filled database: LINEAGELENS_BENCH_SEARCH_DB=${wired.url}`);
    else await wired.drop();
  }
  return results;
};

export default searchBench;
