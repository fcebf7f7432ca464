/**
 * What only the PostgreSQL backend has, against a real PostgreSQL 15 and real server processes:
 * versioned migrations (applied once, a newer schema refused with a clear message), the schema laid out
 * for growth (records partitioned by month, created on demand; org_id leading every growing table's
 * key), a record moving partitions when an update changes its time, concurrent uploads of the same
 * records, and ranked search over prompts, paths and code. The behaviour both backends share is in
 * serverApi.test.ts, which runs against each.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import type { EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { LATEST_VERSION, MIGRATIONS } from '../../src/server/postgres/migrations';
import { tsQuery } from '../../src/server/postgres/searchText';
import { partitionFor } from '../../src/server/postgres/partitions';
import { resolvePostgresUrl } from '../../src/server/backend/openBackend';

import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, chainEntries, CLI, type ServerProcess, startServerProcess } from './serverHarness';

const cliRun = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('PostgreSQL search text (pure)', () => {
  it('turns user text into a tsquery of whole words, prefixes and phrases, never a syntax error', () => {
    assert.equal(tsQuery('add zebra*'), "'add' & 'zebra':*");
    assert.equal(tsQuery('user_id'), "('user' <-> 'id')");
    assert.equal(tsQuery(`"AND (OR * ' :: !`), "'and' & 'or'");
    assert.equal(tsQuery('*** ::: '), null);
  });

  it('names monthly partitions and their bounds, December rolling over', () => {
    assert.deepEqual(partitionFor('2026-12'), { name: 'records_2026_12', from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
    assert.deepEqual(partitionFor('2026-01'), { name: 'records_2026_01', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
  });

  it('takes the URL from --postgres before $LINEAGELENS_POSTGRES_URL, and refuses one with a note around it', () => {
    const env = { LINEAGELENS_POSTGRES_URL: ' postgres://a@db/x\n' };
    assert.equal(resolvePostgresUrl(undefined, env), 'postgres://a@db/x');
    assert.equal(resolvePostgresUrl('postgresql://b@db/y', env), 'postgresql://b@db/y');
    assert.equal(resolvePostgresUrl(undefined, {}), undefined);
    assert.throws(() => resolvePostgresUrl('mysql://a@db/x', {}), /starts with postgres:\/\//);
    assert.throws(() => resolvePostgresUrl(undefined, { LINEAGELENS_POSTGRES_URL: 'Removed stale pid file.\npostgres://a@db/x' }), /starts with postgres:\/\//);
    assert.throws(() => resolvePostgresUrl('postgres://a@db/x\nWARNING: something', {}), /one line without spaces/);
  });
});

for (const backend of backendsUnderTest().filter((b) => b.name === 'postgres'))
describe('PostgreSQL backend (real PostgreSQL 15, real server processes)', function () {
  this.timeout(60_000);
  let storage: TestStorage;
  let server: ServerProcess;
  let db: pg.Client;
  const sql = async <T extends pg.QueryResultRow>(text: string, args: unknown[] = []) => (await db.query<T>(text, args)).rows;

  before(async () => {
    storage = await backend.create('ll-server-pg-');
    server = await startServerProcess(storage.data, storage.args);
    db = new pg.Client({ connectionString: storage.postgresUrl! });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await server?.stop();
    await storage?.drop();
  });

  it('records its migrations in schema_migrations and applies each once (`server migrate`)', async () => {
    assert.deepEqual((await sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version), MIGRATIONS.map((m) => m.version));
    const again = cliRun('server', 'migrate', '--postgres', storage.postgresUrl!);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`schema version ${LATEST_VERSION} \\(up to date\\)`));
    const password = new URL(storage.postgresUrl!).password;
    assert.ok(!again.stdout.includes(`:${password}@`), 'the password is not printed');
  });

  it('lays records out for growth: monthly partitions made on demand, org_id first in every growing key', async () => {
    const times = ['2024-01-15T10:00:00.000Z', '2024-02-20T10:00:00.000Z', '2024-04-02T23:59:59.999Z'];
    const records = new EventGenerator(31).batch(30).filter((r): r is EditEvent => r.kind === 'edit').slice(0, 9);
    records.forEach((r, i) => (r.time = times[i % 3]!));
    const res = await api(server.url, server.token, '/api/v1/records', { body: { source: 'months', entries: chainEntries(records).entries } });
    assert.equal(res.status, 200, res.text);
    const parts = await sql<{ name: string; n: number }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'records'::regclass ORDER BY 1`,
    );
    for (const month of ['2024_01', '2024_02', '2024_04']) assert.ok(parts.some((p) => p.name === `records_${month}`), `partition for ${month}`);
    assert.ok(!parts.some((p) => p.name === 'records_2024_03'), 'no partition for a month without records');
    for (const month of ['2024_01', '2024_02', '2024_04']) assert.equal(Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM records_${month}`))[0]!.n), 3);
    const strategy = await sql<{ s: string }>(`SELECT partstrat AS s FROM pg_partitioned_table WHERE partrelid = 'records'::regclass`);
    assert.equal(strategy[0]?.s, 'r', 'range-partitioned');
    const keys = await sql<{ t: string; cols: string[] }>(
      `SELECT c.conrelid::regclass::text AS t, array_agg(a.attname ORDER BY k.ord)::text[] AS cols
       FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
       WHERE c.contype = 'p' AND c.conrelid::regclass::text IN ('records', 'record_ids', 'chain_entries', 'uploaders', 'git_bindings', 'git_reviews', 'git_rewrites', 'git_rewrite_pairs') GROUP BY 1`,
    );
    const key = (t: string) => keys.find((k) => k.t === t)!.cols;
    assert.deepEqual(key('records'), ['org_id', 'time', 'rid']);
    for (const t of ['record_ids', 'chain_entries', 'uploaders', 'git_bindings', 'git_reviews', 'git_rewrites', 'git_rewrite_pairs']) assert.equal(key(t)[0], 'org_id', t);
  });

  it('moves a record to another partition when an update changes its time, keeping one row per id', async () => {
    const edit = new EventGenerator(41).batch(5).find((r): r is EditEvent => r.kind === 'edit')!;
    edit.time = '2023-05-05T05:05:05.005Z';
    const first = chainEntries([edit]);
    assert.equal((await api(server.url, server.token, '/api/v1/records', { body: { source: 'move', entries: first.entries } })).json.accepted, 1);
    const moved: EditEvent = { ...structuredClone(edit), time: '2023-07-07T07:07:07.007Z', disposition: 'rejected' };
    const second = await api(server.url, server.token, '/api/v1/records', { body: { source: 'move', entries: chainEntries([moved], first.head).entries } });
    assert.deepEqual([second.json.accepted, second.json.duplicate], [1, 0]);
    assert.deepEqual((await api(server.url, server.token, `/api/v1/records/${encodeURIComponent(edit.id)}`)).json, moved);
    assert.equal(Number((await sql<{ n: string }>('SELECT count(*) AS n FROM records WHERE id = $1', [edit.id]))[0]!.n), 1);
    assert.equal(Number((await sql<{ n: string }>('SELECT count(*) AS n FROM records_2023_07 WHERE id = $1', [edit.id]))[0]!.n), 1);
    assert.equal(Number((await sql<{ n: string }>('SELECT count(*) AS n FROM records_2023_05'))[0]!.n), 0);
    const listed = await api(server.url, server.token, `/api/v1/records?session=${encodeURIComponent(edit.sessionId)}&kind=edit&since=2023-01-01T00:00:00Z&until=2023-12-31T00:00:00Z`);
    assert.deepEqual((listed.json.records as EditEvent[]).map((r) => r.disposition), ['rejected']);
  });

  it('stores each record once when two uploaders send the same new records at the same time', async () => {
    const before = (await api(server.url, server.token, '/api/v1/stats')).json.records as number;
    const records = new EventGenerator(51, undefined, 'race-').batch(300);
    const sends = await Promise.all(['race-a', 'race-b', 'race-c'].map((source) => api(server.url, server.token, '/api/v1/records', { body: { source, entries: chainEntries(records).entries } })));
    for (const s of sends) assert.equal(s.status, 200, s.text);
    const unique = new Set(records.map((r) => r.id)).size;
    assert.equal((await api(server.url, server.token, '/api/v1/stats')).json.records, before + unique);
    assert.equal(Number((await sql<{ n: string }>('SELECT count(*) AS n FROM records WHERE id = ANY($1)', [records.map((r) => r.id)]))[0]!.n), unique);
    assert.ok(!/internal error/.test(server.output()));
  });

  it('ranks search hits: words in the prompt before words only in the path or the code; pages by rank', async () => {
    const gen = new EventGenerator(61, undefined, 'rank-');
    const edits = gen.batch(40).filter((r): r is EditEvent => r.kind === 'edit' && r.prompt !== null).slice(0, 3);
    assert.equal(edits.length, 3);
    const [inPrompt, inPath, inCode] = edits as [EditEvent, EditEvent, EditEvent];
    inPrompt.prompt!.content = { form: 'text', text: 'rename the wombatizer helper', sha256: 'c'.repeat(64) };
    inPath.file = { ...inPath.file, path: 'src/wombatizer/setup.ts' };
    inCode.insertedText = { form: 'text', text: 'const x = wombatizer(1);\n', sha256: 'd'.repeat(64) };
    const res = await api(server.url, server.token, '/api/v1/records', { body: { source: 'rank', entries: chainEntries(edits as ProvenanceRecord[]).entries } });
    assert.equal(res.status, 200, res.text);
    const hits = await api(server.url, server.token, '/api/v1/search?q=wombatizer');
    assert.deepEqual((hits.json.records as ProvenanceRecord[]).map((r) => r.id), [inPrompt.id, inPath.id, inCode.id]);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(server.url, server.token, `/api/v1/search?q=wombatizer&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...(page.json.records as ProvenanceRecord[]).map((r) => r.id));
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    assert.deepEqual(ids, [inPrompt.id, inPath.id, inCode.id]);
    // "wombat" is no word of these records; the trigram vocabulary corrects it to "wombatizer".
    assert.deepEqual(((await api(server.url, server.token, '/api/v1/search?q=wombat')).json.records as ProvenanceRecord[]).map((r) => r.id), [inPrompt.id, inPath.id, inCode.id]);
    assert.deepEqual((await api(server.url, server.token, '/api/v1/search?q=qqxzv')).json.records, [], 'nothing close: nothing found');
    assert.equal((await api(server.url, server.token, `/api/v1/search?q=wombatizer&cursor=${Buffer.from('["NaN; DROP",1]').toString('base64url')}`)).status, 400);
  });

  it('refuses a database migrated by a newer LineageLens, with a clear message (serve and server migrate)', async () => {
    await sql(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')`);
    try {
      const migrate = cliRun('server', 'migrate', '--postgres', storage.postgresUrl!);
      assert.equal(migrate.status, 1);
      assert.match(migrate.stderr, new RegExp(`migrated by a newer LineageLens server \\(schema version 999; this one knows up to ${LATEST_VERSION}\\)`));
      const serve = cliRun('serve', '--port', '0', '--data', storage.data, '--postgres', storage.postgresUrl!);
      assert.notEqual(serve.status, 0);
      assert.match(serve.stderr, /newer LineageLens server/);
    } finally {
      await sql('DELETE FROM schema_migrations WHERE version = 999');
    }
  });
});
