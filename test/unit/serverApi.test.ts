/**
 * The team server's API against a real `lineagelens serve` process on a random loopback port, once per
 * storage backend — a real SQLite database in a temp dir, and a real PostgreSQL 15 database made for the
 * run (serverBackends.ts): auth, validation, idempotent and chain-verified ingest, paging, every query,
 * search, stats, size cap, rate limit, and the OpenAPI document.
 */
import type { SearchReport } from '../../src/server/search/searchAnswer';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import type { EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { modelName } from '../../src/server/db/recordRow';
import { ROUTES } from '../../src/server/routes';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const tokenIn = (out: string) => /(llt_\S+)/.exec(out)![1]!;

/** Records as the server should hold them: by id, the last one sent wins. */
function latestById(records: ProvenanceRecord[]): Map<string, ProvenanceRecord> {
  const m = new Map<string, ProvenanceRecord>();
  for (const r of records) m.set(r.id, r);
  return m;
}

const timeOf = (r: ProvenanceRecord) => (r.kind === 'edit' ? r.time : r.startedAt);
const newestFirst = (a: ProvenanceRecord, b: ProvenanceRecord) => (timeOf(a) < timeOf(b) ? 1 : timeOf(a) > timeOf(b) ? -1 : 0);

for (const backend of backendsUnderTest())
describe(`team server API on ${backend.name} (real server process, real ${backend.name === 'sqlite' ? 'SQLite' : 'PostgreSQL 15'})`, function () {
  this.timeout(60_000);
  let storage: TestStorage;
  let data: string;
  let server: ServerProcess;
  let token: string;
  const records: ProvenanceRecord[] = [];

  async function getAll(query: string): Promise<ProvenanceRecord[]> {
    const out: ProvenanceRecord[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(server.url, token, `/api/v1/records?${query}&limit=37${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, res.text);
      out.push(...(res.json.records as ProvenanceRecord[]));
      cursor = res.json.nextCursor as string | null;
    } while (cursor);
    return out;
  }

  before(async () => {
    storage = await backend.create('ll-server-api-');
    data = storage.data;
    server = await startServerProcess(data, storage.args);
    assert.ok(server.token, 'first start prints an admin token');
    token = server.token!;
    const gen = new EventGenerator(7);
    records.push(...gen.batch(400));
    // Variety for the author filter and for search.
    records.forEach((r, i) => {
      if (r.kind === 'edit' && i % 5 === 0) r.acceptor = { gitName: 'Lee', gitEmail: 'lee@example.com', osUser: 'lee' };
      if (r.kind === 'edit' && i % 50 === 3 && r.prompt) r.prompt.content = { form: 'text', text: 'please add a zebracorn validator', sha256: 'a'.repeat(64) };
    });
  });
  after(async () => {
    await server?.stop();
    await storage?.drop();
  });

  describe('authentication', () => {
    it('refuses a missing, malformed or invalid token with 401 and a JSON message', async () => {
      const missing = await api(server.url, null, '/api/v1/records');
      assert.equal(missing.status, 401);
      assert.match(missing.json.error!, /authentication required/);
      const malformed = await fetch(`${server.url}/api/v1/records`, { headers: { authorization: 'Basic abc' } });
      assert.equal(malformed.status, 401);
      assert.match(((await malformed.json()) as { error: string }).error, /malformed Authorization/);
      const invalid = await api(server.url, 'llt_notarealtoken', '/api/v1/records');
      assert.equal(invalid.status, 401);
      assert.equal(invalid.json.error, 'invalid token');
      assert.equal((await api(server.url, null, '/metrics')).status, 401);
    });

    it('accepts a token created with the CLI while the server runs, and refuses it once revoked', async () => {
      const out = cli('server', 'user', 'add', 'sam', '--data', data, ...storage.args);
      const samToken = tokenIn(out);
      assert.equal((await api(server.url, samToken, '/api/v1/stats')).status, 200);
      const id = /\(id (\d+)\)/.exec(out)![1]!;
      assert.match(cli('server', 'token', 'revoke', id, '--data', data, ...storage.args), /revoked/);
      const after = await api(server.url, samToken, '/api/v1/stats');
      assert.equal(after.status, 401);
      assert.match(after.json.error!, /revoked/);
    });

    it('lets an admin manage users and tokens through the API, and nobody else', async () => {
      const user = await api(server.url, token, '/api/v1/users', { body: { name: 'kim' } });
      assert.equal(user.status, 201, user.text);
      assert.equal((await api(server.url, token, '/api/v1/users', { body: { name: 'kim' } })).status, 409);
      const issued = await api(server.url, token, '/api/v1/tokens', { body: { user: 'kim', label: 'laptop' } });
      assert.equal(issued.status, 201);
      const kimToken = issued.json.token as string;
      assert.equal((await api(server.url, kimToken, '/api/v1/users', { body: { name: 'eve' } })).status, 403);
      assert.equal((await api(server.url, token, `/api/v1/tokens/${issued.json.id}`, { method: 'DELETE' })).status, 200);
      assert.equal((await api(server.url, kimToken, '/api/v1/stats')).status, 401);
    });
  });

  describe('ingest', () => {
    it('stores a batch and counts a resend as duplicates, changing nothing', async () => {
      const { entries } = chainEntries(records.slice(0, 300));
      const first = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries } });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.accepted, 300);
      assert.equal(first.json.duplicate, 0);
      const stats1 = (await api(server.url, token, '/api/v1/stats')).json;
      const again = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries } });
      assert.deepEqual([again.status, again.json.accepted, again.json.duplicate], [200, 0, 300]);
      assert.deepEqual((await api(server.url, token, '/api/v1/stats')).json, stats1);
      // The rest continues the chain.
      const rest = chainEntries(records.slice(300), first.json.head as { seq: number; hash: string });
      const more = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries: rest.entries } });
      assert.equal(more.json.accepted, 100);
      assert.equal((await api(server.url, token, '/api/v1/stats')).json.records, latestById(records).size);
      const head = await api(server.url, token, '/api/v1/uploads/head?source=laptop-1');
      assert.deepEqual(head.json, rest.head);
    });

    it('rejects a batch that breaks its chain, with the reason, and stores nothing of it', async () => {
      const before = (await api(server.url, token, '/api/v1/stats')).json.records;
      const head = (await api(server.url, token, '/api/v1/uploads/head?source=laptop-1')).json as { seq: number; hash: string };
      const fresh = new EventGenerator(99).batch(3);
      // A gap: entries after head + 1.
      const gap = chainEntries(fresh, { seq: head.seq + 1, hash: head.hash });
      const r1 = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries: gap.entries } });
      assert.equal(r1.status, 409);
      assert.match(r1.json.error!, /missing/);
      assert.deepEqual(r1.json.head, head);
      // Altered in transit: content no longer matches the hash.
      const ok = chainEntries(fresh, head);
      const altered = structuredClone(ok.entries);
      (altered[1]!.record as EditEvent).id = 'ed_tampered';
      const r2 = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries: altered } });
      assert.equal(r2.status, 409);
      assert.match(r2.json.error!, /hash does not match/);
      // A fork: a different entry at a position the server already holds.
      const fork = chainEntries(fresh);
      const r3 = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries: fork.entries } });
      assert.equal(r3.status, 409);
      assert.match(r3.json.error!, /forked/);
      // Not linked to the head.
      const unlinked = chainEntries(fresh, { seq: head.seq, hash: 'f'.repeat(64) });
      const r4 = await api(server.url, token, '/api/v1/records', { body: { source: 'laptop-1', entries: unlinked.entries } });
      assert.equal(r4.status, 409);
      assert.match(r4.json.error!, /prev does not link/);
      assert.equal((await api(server.url, token, '/api/v1/stats')).json.records, before);
      assert.match((await api(server.url, token, '/metrics')).text, /lineagelens_ingest_batches_rejected_total 4/);
    });

    it('takes only sessions on /api/v1/sessions', async () => {
      const session = records.find((r) => r.kind === 'session')!;
      const edit = records.find((r) => r.kind === 'edit')!;
      const bad = await api(server.url, token, '/api/v1/sessions', { body: { source: 'sessions-only', entries: chainEntries([edit]).entries } });
      assert.equal(bad.status, 400);
      const good = await api(server.url, token, '/api/v1/sessions', { body: { source: 'sessions-only', entries: chainEntries([session]).entries } });
      assert.deepEqual([good.status, good.json.accepted, good.json.duplicate], [200, 0, 1]); // same content as already stored
    });
  });

  describe('validation', () => {
    it('answers bad bodies and parameters with 4xx and a message that says what is wrong', async () => {
      const notJson = await api(server.url, token, '/api/v1/records', { raw: '{"source": "x", ' });
      assert.equal(notJson.status, 400);
      assert.match(notJson.json.error!, /not valid JSON/);
      const wrongType = await api(server.url, token, '/api/v1/records', { raw: 'source=x', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(wrongType.status, 415);
      const entry = chainEntries([records[0]!]).entries[0]!;
      const noTool = structuredClone(entry) as unknown as { record: Record<string, unknown> };
      delete noTool.record.tool;
      const missing = await api(server.url, token, '/api/v1/records', { body: { source: 'v', entries: [noTool] } });
      assert.equal(missing.status, 400);
      assert.ok((missing.json.issues as { path: string }[]).some((i) => i.path === 'entries.0.record.tool'), missing.text);
      const future = structuredClone(entry) as unknown as { record: Record<string, unknown> };
      future.record.schema = 'lineagelens.provenance/2';
      assert.equal((await api(server.url, token, '/api/v1/records', { body: { source: 'v', entries: [future] } })).status, 400);
      const unknownParam = await api(server.url, token, '/api/v1/records?colour=red');
      assert.equal(unknownParam.status, 400);
      assert.match(unknownParam.json.error!, /colour/);
      assert.equal((await api(server.url, token, '/api/v1/records?line=3')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/records?limit=0')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/records?since=yesterday')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/records?cursor=bogus')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/records?tool=a&tool=b')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/records/nope')).status, 404);
      assert.equal((await api(server.url, token, '/api/v1/nothing')).status, 404);
      assert.equal((await api(server.url, token, '/api/v1/stats', { method: 'DELETE' })).status, 405);
      const noFormat = await api(server.url, token, '/api/v1/export');
      assert.equal(noFormat.status, 400);
      assert.match(noFormat.json.error!, /format/);
      assert.equal((await api(server.url, token, '/api/v1/export?format=xml')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/blame?repo=r&path=a.ts')).status, 400);
      assert.equal((await api(server.url, token, '/api/v1/blame?repo=r&path=a.ts&commit=zzzzzzz')).status, 400);
    });
  });

  describe('queries', () => {
    const expected = (pred: (r: ProvenanceRecord) => boolean) => [...latestById(records).values()].filter(pred).sort(newestFirst).map((r) => r.id);
    const edits = () => records.filter((r): r is EditEvent => r.kind === 'edit');

    it('pages through everything newest first without losing or repeating a record', async () => {
      const all = await getAll('');
      assert.equal(all.length, latestById(records).size);
      assert.equal(new Set(all.map((r) => r.id)).size, all.length);
      for (let i = 1; i < all.length; i++) assert.ok(timeOf(all[i - 1]!) >= timeOf(all[i]!));
      const first = await api(server.url, token, '/api/v1/records?limit=10');
      assert.equal((first.json.records as unknown[]).length, 10);
      assert.ok(first.json.nextCursor);
    });

    it('filters by repo, file, line, session, time, tool, model, author and kind', async () => {
      const e = edits()[42]!;
      const repo = e.file.repo!.id;
      const cases: [string, (r: ProvenanceRecord) => boolean][] = [
        [`repo=${repo}`, (r) => (r.kind === 'edit' ? r.file.repo?.id : r.repo?.id) === repo],
        [`repo=${repo}&path=${encodeURIComponent(e.file.path)}`, (r) => r.kind === 'edit' && r.file.repo?.id === repo && r.file.path === e.file.path],
        [
          `repo=${repo}&path=${encodeURIComponent(e.file.path)}&line=${e.rangeAfter.start.line}`,
          (r) => r.kind === 'edit' && r.file.repo?.id === repo && r.file.path === e.file.path && r.rangeAfter.start.line <= e.rangeAfter.start.line && (r.rangeAfter.end.character === 0 && r.rangeAfter.end.line > r.rangeAfter.start.line ? r.rangeAfter.end.line - 1 : r.rangeAfter.end.line) >= e.rangeAfter.start.line,
        ],
        [`session=${e.sessionId}`, (r) => (r.kind === 'edit' ? r.sessionId : r.id) === e.sessionId],
        [`since=${edits()[100]!.time}&until=${edits()[200]!.time}`, (r) => timeOf(r) >= edits()[100]!.time && timeOf(r) < edits()[200]!.time],
        ['tool=claude-code', (r) => r.tool.name === 'claude-code'],
        [`model=${modelName(e.model)}`, (r) => modelName(r.model) === modelName(e.model)],
        ['author=lee@example.com', (r) => r.kind === 'edit' && r.acceptor?.gitEmail === 'lee@example.com'],
        ['kind=session', (r) => r.kind === 'session'],
      ];
      for (const [query, pred] of cases) {
        const want = expected(pred);
        assert.ok(want.length > 0, `the data has records for ${query}`);
        const got = (await getAll(query)).map((r) => r.id);
        assert.deepEqual(new Set(got), new Set(want), query);
        assert.equal(got.length, want.length, query);
      }
      const sessions = await api(server.url, token, '/api/v1/sessions?limit=500');
      assert.deepEqual(new Set((sessions.json.records as ProvenanceRecord[]).map((r) => r.id)), new Set(expected((r) => r.kind === 'session')));
      const one = await api(server.url, token, `/api/v1/records/${encodeURIComponent(e.id)}`);
      assert.deepEqual(one.json, latestById(records).get(e.id));
    });

    it('finds records by words in prompts and code (full-text, all words, word* as a prefix)', async () => {
      const want = new Set(records.filter((r) => r.kind === 'edit' && r.prompt?.content.form === 'text' && r.prompt.content.text.includes('zebracorn')).map((r) => r.id));
      assert.ok(want.size >= 2);
      const res = await api(server.url, token, '/api/v1/search?q=zebracorn');
      assert.deepEqual(new Set((res.json.records as ProvenanceRecord[]).map((r) => r.id)), want);
      const prefix = await api(server.url, token, '/api/v1/search?q=add%20zebra*');
      const partial = await api(server.url, token, '/api/v1/search?q=zebra');
      if (backend.name === 'sqlite') {
        assert.deepEqual(partial.json.records, [], 'a word matches whole words only');
        assert.deepEqual(new Set((prefix.json.records as ProvenanceRecord[]).map((r) => r.id)), want);
        assert.deepEqual((res.json.search as SearchReport).methods.semantic, { ran: false, reason: 'the SQLite (Lite) backend has lexical search only: semantic search needs the PostgreSQL backend (Plus) with an embeddings endpoint' });
      } else {
        // Plus lexical search is ranked and corrects words through the trigram vocabulary (pg_trgm):
        // "zebra" also searches "zebracorn"; the records holding every word come first.
        assert.deepEqual(new Set((partial.json.records as ProvenanceRecord[]).map((r) => r.id)), want);
        assert.deepEqual(new Set((prefix.json.records as ProvenanceRecord[]).slice(0, want.size).map((r) => r.id)), want);
        assert.match(((res.json.search as SearchReport).methods.semantic as { reason: string }).reason, /no embeddings endpoint is configured: lexical search only/);
      }
      assert.equal((res.json.search as SearchReport).mode, 'lexical');
      assert.equal((res.json.search as SearchReport).methods.lexical.ran, true);
      const paged = await api(server.url, token, '/api/v1/search?q=zebracorn&limit=1');
      assert.equal((paged.json.records as unknown[]).length, 1);
      const next = await api(server.url, token, `/api/v1/search?q=zebracorn&limit=1&cursor=${paged.json.nextCursor}`);
      assert.notEqual((next.json.records as ProvenanceRecord[])[0]!.id, (paged.json.records as ProvenanceRecord[])[0]!.id);
      // FTS syntax in user input is just text, never an error.
      assert.equal((await api(server.url, token, '/api/v1/search?q=%22AND%20(OR%20*')).status, 200);
      const code = edits()[10]!;
      const word = (code.insertedText as { text: string }).text.match(/[A-Za-z]{4,}/)![0];
      const hits = (await getAllSearch(word)).map((r) => r.id);
      assert.ok(hits.includes(code.id), `code search finds ${word}`);
    });

    async function getAllSearch(q: string): Promise<ProvenanceRecord[]> {
      const out: ProvenanceRecord[] = [];
      let cursor: string | null = null;
      do {
        const res = await api(server.url, token, `/api/v1/search?q=${encodeURIComponent(q)}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        out.push(...(res.json.records as ProvenanceRecord[]));
        cursor = res.json.nextCursor as string | null;
      } while (cursor);
      return out;
    }

    it('reports stats and a per-day timeline that add up to the records', async () => {
      const latest = [...latestById(records).values()];
      const s = (await api(server.url, token, '/api/v1/stats')).json as { records: number; edits: number; sessions: number; byTool: { tool: string; edits: number }[] };
      assert.equal(s.records, latest.length);
      assert.equal(s.edits, latest.filter((r) => r.kind === 'edit').length);
      assert.equal(s.sessions, latest.filter((r) => r.kind === 'session').length);
      assert.equal(s.byTool.find((t) => t.tool === 'copilot')?.edits, latest.filter((r) => r.kind === 'edit' && r.tool.name === 'copilot').length);
      const t = (await api(server.url, token, '/api/v1/stats/timeline')).json as { points: { edits: number }[] };
      assert.equal(t.points.reduce((n, p) => n + p.edits, 0), s.edits);
    });
  });

  describe('OpenAPI document', () => {
    it('is a structurally valid OpenAPI 3.1 document covering the API, with every $ref resolving', async () => {
      const res = await fetch(`${server.url}/api/v1/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
      const methods = ['get', 'post', 'put', 'delete', 'patch'];
      for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.ok(p.startsWith('/'), p);
        for (const [m, op] of Object.entries(item)) {
          assert.ok(methods.includes(m), `${p}: unknown key ${m}`);
          assert.ok(Object.keys(op.responses).some((c) => /^2\d\d$/.test(c)), `${m} ${p} documents a success response`);
          for (const [code, r] of Object.entries(op.responses as Record<string, { description?: string }>)) assert.equal(typeof r.description, 'string', `${m} ${p} ${code}`);
          const pathParams = [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
          for (const param of op.parameters ?? []) {
            assert.ok(['query', 'path', 'header', 'cookie'].includes(param.in) && typeof param.name === 'string' && typeof param.schema === 'object', `${m} ${p} parameter`);
            if (param.in === 'path') assert.ok(param.required && pathParams.includes(param.name));
          }
          for (const name of pathParams) assert.ok((op.parameters ?? []).some((x: { name: string }) => x.name === name), `${m} ${p} declares {${name}}`);
        }
      }
      // Every $ref points at an existing component.
      const refs: string[] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k === '$ref') refs.push(x as string);
            else walk(x);
          }
        }
      };
      walk(doc);
      assert.ok(refs.length > 10);
      for (const ref of refs) {
        const m = /^#\/components\/schemas\/(\w+)$/.exec(ref);
        assert.ok(m && doc.components.schemas[m[1]!], `unresolved $ref ${ref}`);
      }
      // Every API route of the server is documented.
      for (const route of ROUTES.filter((r) => r.auth !== 'cookie' && r.pattern.source.startsWith('^\\/api') && !/schema$/.test(r.name))) {
        const documented = Object.entries(doc.paths).some(([p, item]) => route.pattern.test(p.replace(/\{\w+\}/g, 'x')) && (item as object)[route.method.toLowerCase() as keyof object]);
        assert.ok(documented, `route ${route.method} ${route.pattern} is in the OpenAPI document`);
      }
      // The record schema in the document is the one requests are validated with.
      assert.deepEqual(doc.components.schemas.EditEvent.required.sort(), ['acceptor', 'capture', 'contentHash', 'deletedText', 'disposition', 'file', 'id', 'insertedText', 'kind', 'model', 'prompt', 'rangeAfter', 'rangeBefore', 'review', 'schema', 'sessionId', 'time', 'tool'].sort());
    });
  });
});

describe('team server limits (real server process)', function () {
  this.timeout(30_000);
  let data: string;
  let server: ServerProcess;
  before(async () => {
    data = tempDir('ll-server-limits-');
    server = await startServerProcess(data, ['--max-body-mb', '0.05', '--rate-limit', '2']);
  });
  after(async () => {
    await server.stop();
    removeDir(data);
  });

  it('answers an oversized body with 413 as JSON', async () => {
    const res = await api(server.url, server.token, '/api/v1/records', { raw: `{"source":"x","entries":[${'"x",'.repeat(30_000)}"x"]}` });
    assert.equal(res.status, 413);
    assert.match(res.json.error!, /over this server's limit/);
  });

  it('limits requests per token with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r = await api(server.url, server.token, '/api/v1/stats');
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    assert.ok(statuses.includes(429), statuses.join(','));
    assert.ok(Number(retryAfter) >= 1);
    assert.ok(statuses.every((s) => s === 200 || s === 429));
  });
});
