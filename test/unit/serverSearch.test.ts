/**
 * Plus search wired end to end: real `lineagelens serve` processes on a real PostgreSQL 15 with the real
 * pgvector, records uploaded over HTTP, embeddings from a local OpenAI-compatible endpoint on 127.0.0.1
 * (searchHarness.ts: deterministic vectors), searched through GET /api/v1/search and the dashboard.
 *
 * What it proves: hybrid results are the fusion of both lists and say so; each mode reports what ran
 * and why not the other; no endpoint or no pgvector -> lexical only, with the reason; the endpoint down
 * -> ingest still completes (it never waits on embeddings) and search says embeddings are pending;
 * once the endpoint is back the embeddings catch up; a model change re-embeds every record.
 */
import * as assert from 'node:assert/strict';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { RRF_K } from '../../src/server/search/rrf';
import type { SearchReport } from '../../src/server/search/searchAnswer';
import type { SearchMode } from '../../src/server/search/searchService';
import { backendsUnderTest, createTestDatabase as createOwnerDatabase } from './serverBackends';
import { api, chainEntries, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';
import { createTestDatabase, FIXTURES, fixtureRecord, QUERIES, startEmbeddingServer, type EmbeddingServer, type TestDatabase } from './searchHarness';

interface Answer {
  status: number;
  records: ProvenanceRecord[];
  search: SearchReport;
  nextCursor: string | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

for (const _backend of backendsUnderTest().filter((b) => b.name === 'postgres'))
describe('Plus search through the server (real PostgreSQL 15 + pgvector, real endpoint, real processes)', function () {
  this.timeout(120_000);
  let ep: EmbeddingServer;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    ep = await startEmbeddingServer({ dims: 48 });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await ep?.close();
  });

  /** A server on `dbUrl` with the embeddings configured by environment (as an admin does), or none. */
  async function serve(dbUrl: string, embeddings: { url: string; model: string } | null): Promise<ServerProcess> {
    const data = tempDir('ll-server-search-');
    const saved = { url: process.env.LINEAGELENS_EMBEDDINGS_URL, model: process.env.LINEAGELENS_EMBEDDINGS_MODEL };
    if (embeddings) {
      process.env.LINEAGELENS_EMBEDDINGS_URL = embeddings.url;
      process.env.LINEAGELENS_EMBEDDINGS_MODEL = embeddings.model;
    } else {
      delete process.env.LINEAGELENS_EMBEDDINGS_URL;
      delete process.env.LINEAGELENS_EMBEDDINGS_MODEL;
    }
    const started = startServerProcess(data, ['--postgres', dbUrl, '--rate-limit', '100000']); // spawns now, with this environment
    for (const [k, v] of [['LINEAGELENS_EMBEDDINGS_URL', saved.url], ['LINEAGELENS_EMBEDDINGS_MODEL', saved.model]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const server = await started;
    cleanups.push(async () => {
      await server.stop();
      removeDir(data);
    });
    return server;
  }

  async function superDb(): Promise<TestDatabase> {
    const db = await createTestDatabase('ll_srv_search');
    cleanups.push(() => db.drop());
    return db;
  }

  async function upload(server: ServerProcess, records: ProvenanceRecord[], source = 'search') {
    const res = await api(server.url, server.token, '/api/v1/records', { body: { source, entries: chainEntries(records).entries } });
    assert.equal(res.status, 200, res.text);
    return res.json as { accepted: number; duplicate: number };
  }

  async function search(server: ServerProcess, q: string, mode?: SearchMode, extra = ''): Promise<Answer> {
    const res = await api(server.url, server.token, `/api/v1/search?q=${encodeURIComponent(q)}${mode ? `&mode=${mode}` : ''}${extra}`);
    assert.equal(res.status, 200, res.text);
    return { status: res.status, records: res.json.records as ProvenanceRecord[], search: res.json.search as SearchReport, nextCursor: res.json.nextCursor as string | null };
  }

  /** Polls until every stored record is embedded and hybrid search runs (the queue works in the background). */
  async function embeddingsCaughtUp(server: ServerProcess, model: string): Promise<Answer> {
    let last: Answer | null = null;
    for (let i = 0; i < 300; i++) {
      last = await search(server, 'login password');
      const semantic = last.search.methods.semantic;
      // Nothing queued and no backfill pass running (its note says "pending" while it works).
      if (last.search.mode === 'hybrid' && last.search.embeddingsPending === 0 && semantic.ran && semantic.what.includes(`model ${model}`) && !semantic.what.includes('pending')) return last;
      await sleep(200);
    }
    assert.fail(`embeddings did not catch up: ${JSON.stringify(last?.search.methods)}\n${server.output().slice(-2000)}`);
  }

  const fixtures = () => FIXTURES.map((f, i) => fixtureRecord(f, i)) as ProvenanceRecord[];

  it('fuses lexical and semantic results (RRF), reports the mode and the methods, and re-embeds on a model change', async () => {
    const db = await superDb();
    const server = await serve(db.url, { url: ep.url, model: 'stub-a' });
    assert.match(server.output(), /semantic search: model stub-a at http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(pgvector 0\.8/);
    assert.deepEqual(await upload(server, fixtures()), { accepted: FIXTURES.length, duplicate: 0, head: (await api(server.url, server.token, '/api/v1/uploads/head?source=search')).json });

    const hybrid = await embeddingsCaughtUp(server, 'stub-a');
    assert.equal(hybrid.search.requested, null, 'no mode asked for: hybrid is the default once semantic search is available');
    assert.deepEqual(hybrid.search.methods.lexical.ran, true);
    // Fused: each hit's score is the sum of 1 / (k + rank) over the lists that had it, in that order.
    const hits = hybrid.search.hits!;
    assert.ok(hits.some((h) => h.lexicalRank !== undefined && h.semanticRank !== undefined), 'some hit is in both lists');
    for (const h of hits) {
      const want = (h.lexicalRank ? 1 / (RRF_K + h.lexicalRank) : 0) + (h.semanticRank ? 1 / (RRF_K + h.semanticRank) : 0);
      assert.ok(Math.abs(h.score - want) < 1e-9, `RRF score of ${h.id}`);
      assert.equal(h.semanticRank === undefined, h.distance === undefined, 'a cosine distance exactly when the semantic list had the record');
    }
    assert.deepEqual(hybrid.records.map((r) => r.id), hits.map((h) => h.id), 'records in the fused order');
    assert.equal(hybrid.records[0]!.id, 's01');

    const lexical = await search(server, 'login password', 'lexical');
    assert.equal(lexical.search.mode, 'lexical');
    assert.deepEqual(lexical.search.methods.semantic, { ran: false, reason: 'not asked for (mode=lexical)' });
    assert.ok(lexical.search.hits!.every((h) => h.semanticRank === undefined && h.distance === undefined), 'no semantic score in a lexical answer');
    const semantic = await search(server, 'login password', 'semantic');
    assert.equal(semantic.search.mode, 'semantic');
    assert.deepEqual(semantic.search.methods.lexical, { ran: false, reason: 'not asked for (mode=semantic)' });
    assert.ok(semantic.search.hits!.every((h) => h.lexicalRank === undefined && typeof h.distance === 'number'));

    // Relevance through the API (recall@10): fusing keeps what the better list found.
    const recall: Record<string, number> = {};
    for (const mode of ['lexical', 'semantic', 'hybrid'] as SearchMode[]) {
      let sum = 0;
      for (const { q, relevant } of QUERIES) {
        const a = await search(server, q, mode, '&limit=10');
        assert.equal(a.search.mode, mode);
        sum += relevant.filter((id) => a.records.some((r) => r.id === id)).length / relevant.length;
      }
      recall[mode] = sum / QUERIES.length;
    }
    console.log(`      recall@10 through the API: ${JSON.stringify(recall)}`);
    assert.ok(recall.hybrid! >= Math.max(recall.lexical!, recall.semantic!) - 0.05, JSON.stringify(recall));

    // Paging a ranked list: an offset cursor, no repeats, and a cursor this server did not hand out is refused.
    const first = await search(server, 'login password', 'hybrid', '&limit=2');
    const second = await search(server, 'login password', 'hybrid', `&limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual([...first.records, ...second.records].map((r) => r.id), hybrid.records.slice(0, 4).map((r) => r.id));
    assert.equal((await api(server.url, server.token, `/api/v1/search?q=x&cursor=${Buffer.from('["o",-1]').toString('base64url')}`)).status, 400);

    // The dashboard says the same.
    const page = await fetch(`${server.url}/search?q=login%20password`, { headers: { cookie: `ll_session=${server.token}` } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /data-mode="hybrid">Search mode: hybrid: lexical and semantic results fused/);
    assert.ok(html.indexOf('s01') > 0);

    // The admin changes the model: a restart re-embeds every record with it; search uses only its vectors.
    await server.stop();
    const before = ep.requests;
    const again = { ...(await serve(db.url, { url: ep.url, model: 'stub-b' })), token: server.token }; // the admin's token from the first start
    await embeddingsCaughtUp(again, 'stub-b');
    assert.ok(ep.requests > before);
    const models = await db.pool.query<{ model: string; n: number }>('SELECT model, count(*)::int AS n FROM record_embeddings GROUP BY model');
    assert.deepEqual(models.rows, [{ model: 'stub-b', n: FIXTURES.length }]);
    assert.match(again.output(), /embedding model changed from stub-a \(48 dims\) to stub-b/);
  });

  it("ranks only records in the caller's scope: a developer's hybrid and semantic answers hold their own records, never another's", async () => {
    const db = await superDb();
    const server = await serve(db.url, { url: ep.url, model: 'stub-a' });
    await upload(server, fixtures()); // the admin's records
    assert.equal((await api(server.url, server.token, '/api/v1/users', { body: { name: 'dev', role: 'developer' } })).status, 201);
    const devToken = ((await api(server.url, server.token, '/api/v1/tokens', { body: { user: 'dev' } })).json as { token: string }).token;
    const mine = { ...fixtureRecord(FIXTURES[0]!, 0), id: 'dev-own-login' } as ProvenanceRecord;
    const own = await api(server.url, devToken, '/api/v1/records', { body: { source: 'dev', entries: chainEntries([mine]).entries } });
    assert.equal(own.status, 200, own.text);
    await embeddingsCaughtUp(server, 'stub-a');
    const admin = await search(server, 'login password', 'hybrid');
    assert.ok(admin.records.some((r) => r.id === 's01') && admin.records.some((r) => r.id === 'dev-own-login'), 'an admin reads everyone');
    for (const mode of ['hybrid', 'semantic', 'lexical'] as SearchMode[]) {
      // Every answer holds nothing of another user's; the developer's own record is there once its
      // vector is written (the queue embeds in the background), at most a few seconds later.
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length === 0; i++) {
        if (i > 0) await sleep(100);
        const res = await api(server.url, devToken, `/api/v1/search?q=${encodeURIComponent('login password')}&mode=${mode}`);
        assert.equal(res.status, 200, res.text);
        ids = (res.json.records as ProvenanceRecord[]).map((r) => r.id);
        const hitIds = ((res.json.search as SearchReport).hits ?? []).map((h) => h.id);
        assert.ok(ids.every((id) => id === 'dev-own-login'), `${mode}: only the developer's own record (got ${ids.join(', ')})`);
        assert.deepEqual(hitIds, ids, `${mode}: no rank or score of a record outside the scope`);
      }
      assert.deepEqual(ids, ['dev-own-login'], `${mode}: the developer finds their own record`);
    }
  });

  it('with the endpoint down, ingest completes at once and search says embeddings are pending; they catch up later', async () => {
    const db = await superDb();
    const down = await startEmbeddingServer({ dims: 48 });
    cleanups.push(() => down.close());
    down.failNext(1_000_000, 503);
    const server = await serve(db.url, { url: down.url, model: 'stub-a' });
    const generated = fixtures();
    // The upload answers while every embedding request fails: ingest never waits on embeddings.
    const res = await upload(server, generated);
    assert.equal(res.accepted, FIXTURES.length);
    assert.equal((await api(server.url, server.token, '/api/v1/stats')).json.records, FIXTURES.length, 'every record stored');
    const during = await search(server, 'login password');
    assert.equal(during.search.mode, 'lexical');
    assert.equal(during.records[0]!.id, 's01', 'found lexically meanwhile');
    assert.equal(during.search.methods.semantic.ran, false);
    assert.match((during.search.methods.semantic as { reason: string }).reason, new RegExp(`embeddings pending for ${FIXTURES.length} records`));
    assert.equal(during.search.embeddingsPending, FIXTURES.length);
    assert.ok(during.search.hits!.every((h) => h.semanticRank === undefined), 'never a made-up semantic score');

    down.failNext(0); // the endpoint is back
    const after = await embeddingsCaughtUp(server, 'stub-a');
    assert.equal(after.records[0]!.id, 's01');
    assert.match(server.output(), /embedding \d+ records failed, retrying in \d+ s: embeddings endpoint .* answered 503/);
    assert.ok(!server.output().includes('login'), 'no record text in the log');
  });

  it('without an endpoint, or where pgvector cannot be enabled, searches lexically and says why', async () => {
    const db = await superDb();
    const plain = await serve(db.url, null);
    assert.match(plain.output(), /semantic search is off: no embeddings endpoint configured/);
    await upload(plain, fixtures());
    const a = await search(plain, 'login password', 'hybrid');
    assert.equal(a.search.mode, 'lexical');
    assert.equal(a.search.requested, 'hybrid');
    assert.deepEqual(a.search.methods.semantic, { ran: false, reason: 'no embeddings endpoint is configured: lexical search only' });
    assert.equal(a.records[0]!.id, 's01');
    const page = await (await fetch(`${plain.url}/search?q=login`, { headers: { cookie: `ll_session=${plain.token}` } })).text();
    assert.match(page, /Search mode: lexical\. Semantic did not run: no embeddings endpoint is configured: lexical search only\./);

    // A database whose owner may not create the vector extension (pgvector needs a superuser once).
    const owned = await createOwnerDatabase();
    cleanups.push(() => owned.drop());
    const noVector = await serve(owned.url, { url: ep.url, model: 'stub-a' });
    assert.match(noVector.output(), /semantic search is off: pgvector is on the server but could not be enabled in this database: permission denied/);
    await upload(noVector, fixtures());
    const b = await search(noVector, 'login password');
    assert.equal(b.search.mode, 'lexical');
    assert.match((b.search.methods.semantic as { reason: string }).reason, /pgvector is on the server but could not be enabled .*: lexical search only/);
    assert.equal(b.records[0]!.id, 's01');
  });
});
