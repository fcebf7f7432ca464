/**
 * Sync through outages, end to end with real processes: a local store, `lineagelens sync` as a child
 * process, and a real server that is killed mid-sync and restarted on the same port; the client is
 * killed mid-sync and restarted with its outbox pending; a delivery whose acknowledgement was lost is
 * delivered again. Every record must arrive exactly once, counted on the server's database.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { openStore } from '../../src/core/store/provenanceStore';
import { feedOutbox } from '../../src/core/sync/feedOutbox';
import { Outbox } from '../../src/core/sync/outbox';
import { openServerDb } from '../../src/server/db/serverDb';
import pg from 'pg';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, CLI, freePort, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

interface SyncRun {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function startSync(home: string, url: string, token: string, extra: string[] = []): SyncRun {
  const child = spawn(process.execPath, [CLI, 'sync', '--server', url, '--home', home, ...extra], { env: { ...process.env, LINEAGELENS_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What the server's database holds, read from the database itself (SQLite file or PostgreSQL). */
async function serverCounts(storage: TestStorage): Promise<{ records: number; chainEntries: number; heads: number[] }> {
  if (storage.postgresUrl) {
    const c = new pg.Client({ connectionString: storage.postgresUrl });
    await c.connect();
    try {
      const n = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      return {
        records: await n('SELECT count(*) AS n FROM record_ids'),
        chainEntries: await n('SELECT count(*) AS n FROM chain_entries'),
        heads: (await c.query<{ head_seq: string }>('SELECT head_seq FROM uploaders')).rows.map((r) => Number(r.head_seq)),
      };
    } finally {
      await c.end();
    }
  }
  const db = openServerDb(path.join(storage.data, 'lite.db'));
  try {
    return {
      records: (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n,
      chainEntries: (db.prepare('SELECT count(*) AS n FROM chain_entries').get() as { n: number }).n,
      heads: (db.prepare('SELECT head_seq FROM uploaders').all() as { head_seq: number }[]).map((r) => r.head_seq),
    };
  } finally {
    db.close();
  }
}

for (const backend of backendsUnderTest())
describe(`sync to the team server on ${backend.name}, exactly once through outages (real processes)`, function () {
  this.timeout(120_000);
  let home: string;
  let storage: TestStorage;
  let data: string;
  let port: number;
  let server: ServerProcess;
  let token: string;
  let watcher: string;
  const records: ProvenanceRecord[] = new EventGenerator(11).batch(1_500);

  before(async () => {
    home = tempDir('ll-sync-home-');
    storage = await backend.create('ll-sync-data-');
    data = storage.data;
    const store = await openStore({ home, privacy: 'full' });
    await store.append(records);
    await store.close();
    updateUserConfig(home, { privacy: 'full' }); // the level `lineagelens sync` reads as the local one
    port = await freePort();
    // Slow enough (rate limit) that "mid-sync" lasts a while: 429s are retried like outages.
    server = await startServerProcess(data, ['--rate-limit', '15', ...storage.args], port);
    token = server.token!;
    watcher = /(llt_\S+)/.exec(execFileSync(process.execPath, [CLI, 'server', 'user', 'add', 'watcher', '--role', 'auditor', '--data', data, ...storage.args], { encoding: 'utf8' }))![1]!;
  });
  after(async () => {
    await server?.stop('SIGKILL');
    removeDir(home);
    await storage?.drop();
  });

  const stored = async () => ((await api(server.url, watcher, '/api/v1/stats')).json.records as number) ?? 0;

  it('survives the server and then the client being killed mid-sync; every record arrives exactly once', async () => {
    const uniqueIds = new Set(records.map((r) => r.id)).size;

    // 1. Server killed (SIGKILL) mid-sync, restarted on the same port: the running client retries through it.
    // Small outbox rounds too: feed 100, upload, compact, feed the next 100, ...
    const first = startSync(home, server.url, token, ['--batch', '10', '--retries', 'forever', '--outbox-limit', '100']);
    await until('some records on the server', async () => (await stored()) >= 200);
    await server.stop('SIGKILL');
    await until('the client noticing the outage', () => /server unavailable/.test(first.out()));
    server = await startServerProcess(data, ['--rate-limit', '15', ...storage.args], port);
    const afterRestart = await stored();
    assert.ok(afterRestart >= 200 && afterRestart < uniqueIds, `mid-sync: ${afterRestart} of ${uniqueIds}`);

    // 2. The client killed mid-sync, then started again with its outbox pending.
    await until('more progress', async () => (await stored()) >= afterRestart + 100);
    first.child.kill('SIGKILL');
    await first.exit;
    const midway = await stored();
    assert.ok(midway < uniqueIds, `the client was killed mid-sync (${midway} of ${uniqueIds} stored)`);
    Outbox.open(home); // the outbox a killed client left behind opens cleanly
    const second = startSync(home, server.url, token, ['--batch', '50', '--retries', 'forever']);
    assert.equal(await second.exit, 0, second.out());
    assert.match(second.out(), /0 pending/);

    const counts = await serverCounts(storage);
    assert.equal(counts.records, uniqueIds);
    assert.equal(counts.chainEntries, records.length, 'every outbox entry stored exactly once');
    assert.deepEqual(counts.heads, [records.length]);

    const state = JSON.parse(readFileSync(path.join(home, 'sync', 'state.json'), 'utf8')) as { base: { seq: number } };
    assert.equal(state.base.seq, records.length, 'the outbox was compacted once everything was acknowledged');

    // The records on the server are the local ones.
    for (const r of [records[0]!, records[700]!, records[1_499]!]) {
      const got = await api(server.url, watcher, `/api/v1/records/${encodeURIComponent(r.id)}`);
      assert.deepEqual(got.json, records.filter((x) => x.id === r.id).pop());
    }
  });

  it('counts a delivery whose acknowledgement was lost as duplicates: new records still arrive once', async () => {
    const more = new EventGenerator(12).batch(120);
    const store = await openStore({ home, privacy: 'full' });
    await store.append(more);
    await store.close();
    const key = `http://127.0.0.1:${port}`;
    const outbox = Outbox.open(home);
    feedOutbox(home, outbox, { localPrivacy: 'full' });
    const pending = outbox.pending(key);
    assert.equal(pending.length, 120);
    // Delivered, but the client never hears back (the outbox is not told).
    const body = `{"source":${JSON.stringify(outbox.source)},"entries":[${pending.map((l) => l.json).join(',')}]}`;
    const delivered = await api(server.url, token, '/api/v1/records', { raw: body });
    assert.equal(delivered.json.accepted, 120);
    const run = startSync(home, server.url, token, ['--json']);
    assert.equal(await run.exit, 0, run.out());
    const summary = JSON.parse(run.out()) as { sent: number; accepted: number; duplicate: number; pending: number };
    assert.deepEqual([summary.sent, summary.accepted, summary.duplicate, summary.pending], [120, 0, 120, 0]);
    const counts = await serverCounts(storage);
    assert.equal(counts.chainEntries, records.length + 120);
    assert.equal(counts.records, new Set([...records, ...more].map((r) => r.id)).size);
  });

  it('never uploads more than the local privacy level allows, and hashes when asked', async () => {
    const home2 = tempDir('ll-sync-home2-');
    try {
      const recs = new EventGenerator(13).batch(60);
      const store = await openStore({ home: home2, privacy: 'full' });
      await store.append(recs);
      await store.close();
      updateUserConfig(home2, { privacy: 'full' });
      const run = startSync(home2, server.url, token, ['--privacy', 'hash', '--json']);
      assert.equal(await run.exit, 0, run.out());
      const page = await api(server.url, watcher, `/api/v1/records?session=${encodeURIComponent((recs[0] as { sessionId: string }).sessionId)}`);
      const got = page.json.records as ProvenanceRecord[];
      assert.ok(got.length > 0);
      for (const r of got) {
        if (r.kind === 'edit') {
          assert.equal(r.insertedText.form, 'hash');
          if (r.prompt) assert.notEqual(r.prompt.content.form, 'text');
        }
      }
    } finally {
      removeDir(home2);
    }
  });

  it('refuses a bad token without losing anything from the outbox', async () => {
    const home3 = tempDir('ll-sync-home3-');
    try {
      const store = await openStore({ home: home3, privacy: 'full' });
      await store.append(new EventGenerator(14).batch(30));
      await store.close();
      const run = startSync(home3, server.url, 'llt_wrong');
      assert.equal(await run.exit, 1);
      assert.match(run.out(), /invalid token; pending entries stay in the outbox/);
      assert.equal(Outbox.open(home3).pending(`http://127.0.0.1:${port}`).length, 30);
    } finally {
      removeDir(home3);
    }
  });
});
