/**
 * Search on a real PostgreSQL 15 with the real pgvector (built by .ci/pgvector-install) and a real
 * local embeddings endpoint: the background queue, fallbacks, model changes, filtered vector queries,
 * and the relevance test set (recall@10 and MRR for lexical, semantic and hybrid search).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { PgRecordTextSource } from '../../src/server/pg/recordTextSource';
import { detectVector, ensureSearchSchema } from '../../src/server/pg/searchSchema';
import { SemanticIndex } from '../../src/server/pg/semanticIndex';
import { EmbeddingClient } from '../../src/server/search/embeddingClient';
import { EmbeddingQueue } from '../../src/server/search/embeddingQueue';
import { openPlusSearch } from '../../src/server/search/plusSearch';
import { SearchService } from '../../src/server/search/searchService';
import { createRecordsSchema, createTestDatabase, FIXTURES, QUERIES, relevance, type RelevanceFigures, fixtureRecord, insertRecords, startEmbeddingServer, type EmbeddingServer, type TestDatabase } from './searchHarness';


describe('search on PostgreSQL + pgvector (real database, real endpoint)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let ep: EmbeddingServer;
  let index: SemanticIndex;
  const log: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    await createRecordsSchema(db.pool);
    const support = await detectVector(db.pool);
    assert.ok(support.available, `pgvector must be available (run .ci/pgvector-install): ${support.available ? '' : support.reason}`);
    assert.ok(support.iterativeScan, `pgvector ${support.version} has no iterative scans (0.8 needed)`);
    index = new SemanticIndex(db.pool, support);
    ep = await startEmbeddingServer({ dims: 48, models: ['stub-a', 'stub-b', 'stub-wide'] });
  });
  after(async () => {
    await ep?.close();
    await db?.drop();
  });

  const newQueue = (model: string, extra: Partial<ConstructorParameters<typeof EmbeddingQueue>[0]> = {}) => {
    const client = new EmbeddingClient({ url: ep.url, model, batchSize: 16, backoffMs: 5, attempts: 2 });
    return { client, queue: new EmbeddingQueue({ client, index, source: new PgRecordTextSource(db.pool), batchSize: 16, retryPauseMs: 20, log: (m) => log.push(m), ...extra }) };
  };

  it('ingest hands records to the queue and returns; vectors appear afterwards, in batches', async () => {
    const { queue } = newQueue('stub-a');
    const stored = await insertRecords(db.pool, FIXTURES.map((f, i) => fixtureRecord(f, i)));
    ep.delayMs = 50;
    const requestsBefore = ep.requests;
    queue.enqueue(stored); // what the ingest path does after its transaction: synchronous, no I/O
    assert.equal(ep.requests, requestsBefore, 'enqueue made no request while the caller waited');
    assert.equal(queue.status().pending, FIXTURES.length);
    assert.equal(await index.count(1, 'stub-a'), 0, 'no vector exists when ingest returns');
    await queue.idle();
    ep.delayMs = 0;
    assert.equal(await index.count(1, 'stub-a'), FIXTURES.length);
    assert.deepEqual(ep.batches.slice(-3), [16, 16, 8]);
    assert.equal(queue.status().embedded, FIXTURES.length);
    // A resend of the same records costs no embedding call (same model, same text hash).
    const calls = ep.requests;
    queue.enqueue(stored);
    await queue.idle();
    assert.equal(ep.requests, calls);
    assert.equal(queue.status().skipped, FIXTURES.length);
    const row = (await db.pool.query(`SELECT model, dims, vector_dims(embedding) AS n FROM record_embeddings LIMIT 1`)).rows[0];
    assert.deepEqual(row, { model: 'stub-a', dims: 48, n: 48 });
    const idx = (await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'record_embeddings' AND indexname = 'record_embeddings_hnsw'`)).rows[0];
    assert.match(idx.indexdef, /USING hnsw \(embedding vector_cosine_ops\)/);
    await queue.close();
  });

  it('records enqueued while a batch is being embedded stay pending and are embedded next', async () => {
    const { queue } = newQueue('stub-a');
    const fresh = (prefix: string) => FIXTURES.slice(0, 5).map((f, i) => ({ ...fixtureRecord(f, i), id: `${prefix}-${i}` }) as ProvenanceRecord);
    const first = await insertRecords(db.pool, fresh('during-a'));
    const second = await insertRecords(db.pool, fresh('during-b'));
    ep.delayMs = 200;
    queue.enqueue(first); // a batch of 5 (< batchSize) starts at once and waits on the endpoint
    queue.enqueue(second); // arrives while that batch is in flight
    assert.equal(queue.status().pending, 10);
    await queue.idle();
    ep.delayMs = 0;
    const ids = (await db.pool.query<{ record_id: string }>(`SELECT record_id FROM record_embeddings WHERE record_id LIKE 'during-%' ORDER BY record_id`)).rows.map((r) => r.record_id);
    assert.deepEqual(ids, [...first, ...second].map((r) => r.id).sort(), 'every record of both uploads has its vector');
    assert.equal(queue.status().pending, 0);
    await queue.close();
    // The later tests count the fixture records: these ten go again.
    for (const table of ['record_embeddings', 'records', 'record_ids']) await db.pool.query(`DELETE FROM ${table} WHERE ${table === 'record_embeddings' ? 'record_id' : 'id'} LIKE 'during-%'`);
  });

  it('relevance on the test set: recall@10 and MRR for lexical, semantic and hybrid', async () => {
    const { client } = newQueue('stub-a');
    const service = new SearchService(db.pool, { semantic: { client, index } });
    const lexical = await relevance(service, 'lexical');
    const semantic = await relevance(service, 'semantic');
    const hybrid = await relevance(service, 'hybrid');
    const fmt = (n: string, f: RelevanceFigures) => `${n}: recall@10 ${f.recallAt10.toFixed(3)}, MRR ${f.mrr.toFixed(3)}`;
    console.log(`      ${QUERIES.length} queries over ${FIXTURES.length} records — ${fmt('lexical', lexical)}; ${fmt('semantic', semantic)}; ${fmt('hybrid', hybrid)}`);
    assert.deepEqual([...lexical.ran], ['lexical']);
    assert.deepEqual([...semantic.ran], ['semantic']);
    assert.deepEqual([...hybrid.ran], ['hybrid']);
    // Each method finds most relevant records, and fusing does not lose what the better list found.
    assert.ok(lexical.recallAt10 >= 0.6, fmt('lexical', lexical));
    assert.ok(semantic.recallAt10 >= 0.6, fmt('semantic', semantic));
    assert.ok(hybrid.recallAt10 >= Math.max(lexical.recallAt10, semantic.recallAt10) - 0.05, fmt('hybrid', hybrid));
    assert.ok(hybrid.mrr >= 0.6, fmt('hybrid', hybrid));
  });

  it('lexical search finds identifiers by part and through typos, and scores every hit by rank', async () => {
    const service = new SearchService(db.pool, { semantic: null });
    const top = async (q: string) => (await service.search({ orgId: 1, text: q, mode: 'lexical', limit: 5 })).hits.map((h) => h.id);
    assert.equal((await top('parseUserToken'))[0], 's02');
    assert.equal((await top('user token'))[0], 's02');
    assert.equal((await top('debounse'))[0], 's25', 'a typo finds the identifier through trigrams');
    assert.ok((await top('parseUsrTokn')).includes('s02'));
    // Hostile text is only words: "drop", "table", "records" are searched for like any others.
    assert.equal((await top(`'; DROP TABLE records; -- :* & | !(`))[0], 's20');
    assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM records')).rows[0].n, FIXTURES.length);
    assert.deepEqual(await top('+++'), []);
    assert.deepEqual((await service.search({ orgId: 2, text: 'login', limit: 5 })).hits, [], 'another organisation sees nothing');
  });

  it('with no endpoint configured, or the endpoint down, answers lexically and says why', async () => {
    const none = new SearchService(db.pool, { semantic: null });
    const r1 = await none.search({ orgId: 1, text: 'login password', limit: 5 });
    assert.equal(r1.mode, 'lexical');
    assert.deepEqual(r1.semantic, { available: false, reason: 'no embeddings endpoint is configured: lexical search only' });
    assert.equal(r1.hits[0]!.id, 's01');
    assert.ok(r1.hits.every((h) => h.semanticRank === undefined && h.distance === undefined), 'no semantic score is made up');

    const down = new EmbeddingClient({ url: 'http://127.0.0.1:9/v1/embeddings', model: 'stub-a', attempts: 1 });
    const r2 = await new SearchService(db.pool, { semantic: { client: down, index } }).search({ orgId: 1, text: 'login password', limit: 5 });
    assert.equal(r2.mode, 'lexical');
    assert.equal(r2.semantic.available, false);
    assert.match((r2.semantic as { reason: string }).reason, /query could not be embedded .*unreachable/);
    assert.equal(r2.hits[0]!.id, 's01');
  });

  it('feature-detects pgvector: a database where it cannot be enabled gets a reason, not an error', async () => {
    const role = `ll_nosuper_${randomBytes(4).toString('hex')}`;
    const name = `ll_search_nv_${randomBytes(4).toString('hex')}`;
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
    await db.pool.query(`CREATE DATABASE ${name} OWNER ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = role;
    url.pathname = `/${name}`;
    const pool = new Pool({ connectionString: url.toString(), max: 1 });
    pool.on('error', () => undefined);
    try {
      const support = await detectVector(pool);
      assert.equal(support.available, false);
      assert.match((support as { reason: string }).reason, /could not be enabled in this database: permission denied/);
    } finally {
      await pool.end();
      await db.pool.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await db.pool.query(`DROP ROLE ${role}`);
    }
  });

  it('keeps retrying while the endpoint fails, and embeds once it is back', async () => {
    const { queue } = newQueue('stub-a');
    const extra = await insertRecords(db.pool, [fixtureRecord({ id: 'late-1', path: 'src/late.ts', prompt: 'a record embedded after an outage', code: 'const late = 1;' }, 100)]);
    ep.failNext(3, 503); // the client tries twice per round: the queue pauses and tries again
    queue.enqueue(extra);
    await queue.idle();
    assert.equal(await index.count(1, 'stub-a'), FIXTURES.length + 1);
    assert.match(queue.status().lastError ?? '', /failed, retrying in .*answered 503/);
    await queue.close();
  });

  it('a restart backfills records that were stored while no queue ran', async () => {
    await insertRecords(db.pool, [fixtureRecord({ id: 'late-2', path: 'src/offline.ts', prompt: 'stored while the server was down', code: 'let offline = true;' }, 101)]);
    assert.equal(await index.count(1, 'stub-a'), FIXTURES.length + 1);
    const { queue } = newQueue('stub-a');
    queue.start();
    await queue.idle();
    assert.equal(await index.count(1, 'stub-a'), FIXTURES.length + 2);
    assert.equal(queue.status().embedded, 1, 'only the missing record was embedded');
    await queue.close();
  });

  it('a model change re-embeds every record; another dimension recreates the table', async () => {
    const total = FIXTURES.length + 2;
    const { queue, client } = newQueue('stub-b');
    const service = new SearchService(db.pool, { semantic: { client, index } });
    queue.start();
    await queue.idle();
    assert.equal(await index.count(1, 'stub-b'), total);
    assert.equal(await index.count(1, 'stub-a'), 0);
    assert.ok(log.some((m) => /model changed from stub-a \(48 dims\) to stub-b \(48 dims\)/.test(m)));
    assert.deepEqual((await service.search({ orgId: 1, text: 'sign in', limit: 3 })).semantic, { available: true, model: 'stub-b' });
    await queue.close();

    ep.dims = 64;
    const wide = newQueue('stub-wide');
    // Before the new model has vectors, its searches say so and stay lexical.
    const wideService = new SearchService(db.pool, { semantic: { client: wide.client, index } });
    const before = await wideService.search({ orgId: 1, text: 'sign in', limit: 3 });
    assert.equal(before.mode, 'lexical');
    assert.match((before.semantic as { reason: string }).reason, /stored vectors are of model stub-b; records are being re-embedded with stub-wide/);
    wide.queue.start();
    await wide.queue.idle();
    const row = (await db.pool.query(`SELECT count(*)::int AS n, min(dims) AS d, min(vector_dims(embedding)) AS vd FROM record_embeddings`)).rows[0];
    assert.deepEqual(row, { n: total, d: 64, vd: 64 });
    assert.equal((await wideService.search({ orgId: 1, text: 'sign in', limit: 3 })).mode, 'hybrid');
    await wide.queue.close();
    ep.dims = 48;
  });

  it('filtered vector queries still return enough rows (HNSW iterative scan)', async () => {
    // 600 records of another repository around the fixtures: with ef_search 40 a plain HNSW scan would
    // see mostly those and return few of the filtered repository's rows.
    const others = Array.from({ length: 600 }, (_, i) =>
      fixtureRecord({ id: `other-${i}`, path: `src/other/mod${i}.ts`, prompt: `sign in flow variant ${i} with login and password`, code: `export const loginVariant${i} = ${i};` }, 200 + i, 'repo-other'),
    );
    const stored = await insertRecords(db.pool, others);
    const { queue, client } = newQueue('stub-wide', { batchSize: 64 });
    ep.dims = 64;
    queue.enqueue(stored);
    await queue.idle();
    const service = new SearchService(db.pool, { semantic: { client, index } });
    const r = await service.search({ orgId: 1, text: 'sign in with login and password', mode: 'semantic', limit: 30, repo: 'repo-fixture' });
    assert.equal(r.mode, 'semantic');
    assert.equal(r.hits.length, 30, 'the filter left 30 of 42 fixture rows to find among 642 vectors');
    const ids = new Set(FIXTURES.map((f) => f.id).concat(['late-1', 'late-2']));
    assert.ok(r.hits.every((h) => ids.has(h.id)));
    const distances = r.hits.map((h) => h.distance!);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
    await queue.close();
    ep.dims = 48;
  });

  it('openPlusSearch: lexical without a configured endpoint; with one, its queue backfills every record', async () => {
    const off = await openPlusSearch(db.pool, null, () => undefined);
    assert.equal(off.queue, null);
    assert.equal((await off.service.search({ orgId: 1, text: 'login', limit: 3 })).mode, 'lexical');
    ep.dims = 48;
    const messages: string[] = [];
    const on = await openPlusSearch(db.pool, { url: ep.url, model: 'stub-a', batchSize: 64 }, (m) => messages.push(m));
    await on.queue!.idle();
    const total = (await db.pool.query('SELECT count(*)::int AS n FROM records')).rows[0].n;
    assert.equal(await index.count(1, 'stub-a'), total);
    const r = await on.service.search({ orgId: 1, text: 'sign in', limit: 3 });
    assert.equal(r.mode, 'hybrid');
    assert.match(messages.join('\n'), /semantic search: model stub-a at http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(pgvector 0\.8/);
    await on.close();
  });

  it('the search schema is idempotent', async () => {
    await ensureSearchSchema(db.pool);
    await ensureSearchSchema(db.pool);
  });
});
