/**
 * The lineage outbox and its runner on each backend (SQLite in a file, a real PostgreSQL database):
 * uploads are indexed after they are answered and not while a burst goes on; a read indexes at once; the
 * oldest upload waits at most the lag bound; rows a stopped (or crashed) server left are indexed by the
 * next one; a row that keeps failing is dropped with a log line and does not hold up the rest; on
 * PostgreSQL, of two servers sharing a database one indexes at a time and the other's reads wait for it;
 * and a real server process killed with uploads still in the outbox indexes them after its restart.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { GENESIS_HASH, makeUploadEntry } from '../../src/core/sync/uploadChain';
import type { ServerBackend } from '../../src/server/backend/backend';
import { SqliteBackend } from '../../src/server/backend/sqliteBackend';
import { verifyEntries } from '../../src/server/db/entryContent';
import { LineageIndexRunner, type IndexRunnerOptions } from '../../src/server/lineage/indexRunner';
import { LineageIndexer } from '../../src/server/lineage/lineageIndexer';
import type { LineageOutbox } from '../../src/server/lineage/lineageOutbox';
import type { LineageStore } from '../../src/server/lineage/lineageStore';
import { PgLineage } from '../../src/server/lineage/pgLineage';
import { PgOutbox } from '../../src/server/lineage/pgOutbox';
import { SqliteLineage } from '../../src/server/lineage/sqliteLineage';
import { SqliteOutbox } from '../../src/server/lineage/sqliteOutbox';
import type { PgBackend } from '../../src/server/postgres/pgBackend';
import { aiEdit } from './gitHelpers';
import { backendsUnderTest, inProcessStorage } from './serverBackends';
import { api, chainEntries, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const REPO = 'b'.repeat(64);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

for (const kind of backendsUnderTest().map((b) => b.name))
describe(`lineage outbox and index runner on ${kind}`, function () {
  this.timeout(60_000);
  let backend: ServerBackend;
  let open: () => Promise<ServerBackend>;
  let cleanup: () => Promise<void>;
  const others: ServerBackend[] = [];
  let userId: number;
  let head = { seq: 0, hash: GENESIS_HASH };
  let n = 0;
  const log: string[] = [];

  const storeOf = (b: ServerBackend): LineageStore => (b instanceof SqliteBackend ? new SqliteLineage(b.db) : new PgLineage((b as PgBackend).pool));
  const outboxOf = (b: ServerBackend): LineageOutbox => (b instanceof SqliteBackend ? new SqliteOutbox(b.db) : new PgOutbox((b as PgBackend).pool));
  const runnerOf = (b: ServerBackend, o: IndexRunnerOptions) => new LineageIndexRunner(outboxOf(b), new LineageIndexer(storeOf(b)), async () => [], { log: (m) => log.push(m), ...o });

  /** Stores `count` new edit records (the ingest's part), as an upload does before it adds its outbox row. */
  async function upload(count: number): Promise<ProvenanceRecord[]> {
    const records = Array.from({ length: count }, () => aiEdit(REPO, `f${n % 3}.ts`, n, [`const value${n++} = compute(${n});`]) as ProvenanceRecord);
    const entries = records.map((r) => {
      const e = makeUploadEntry(head.seq + 1, head.hash, r);
      head = { seq: e.seq, hash: e.hash };
      return e;
    });
    await backend.ingest.ingest(userId, 'runner-test', verifyEntries(entries, JSON.parse(JSON.stringify(entries)) as typeof entries), entries);
    return records;
  }
  const indexed = async (records: ProvenanceRecord[]) => (await storeOf(backend).nodes(records.map((r) => nodeId.edit(r.id)))).length;

  before(async () => {
    const storage = await inProcessStorage(kind, 'll-lineage-runner-');
    open = storage.open;
    cleanup = storage.drop;
    backend = await open();
    userId = (await backend.accounts.addUser('runner', 'admin')).id;
  });
  after(async () => {
    for (const b of others) await b.close();
    await backend?.close();
    await cleanup?.();
  });

  it('indexes an upload after it, not while uploads keep arriving; a read indexes at once', async () => {
    const runner = runnerOf(backend, { quietMs: 60_000, maxLagMs: 60_000 });
    const records = await upload(5);
    await runner.records(records);
    await sleep(150);
    assert.equal(await indexed(records), 0, 'nothing indexed while the upload burst may go on');
    assert.equal(await runner.backlog(), 1);
    assert.equal(await runner.idle(), 0, 'a read waits until the outbox is empty');
    assert.equal(await indexed(records), 5);
    assert.equal(await runner.backlog(), 0);
    await runner.close();
  });

  it('indexes once uploads pause, and during a long burst once the oldest upload waited maxLagMs', async () => {
    const quiet = runnerOf(backend, { quietMs: 100, maxLagMs: 60_000 });
    const first = await upload(3);
    await quiet.records(first);
    for (let i = 0; i < 50 && (await indexed(first)) < 3; i++) await sleep(50);
    assert.equal(await indexed(first), 3, 'indexed after 100 ms without uploads');
    await quiet.close();

    const lagged = runnerOf(backend, { quietMs: 60_000, maxLagMs: 300 });
    const burst: ProvenanceRecord[] = [];
    let indexedDuringBurst = 0;
    for (let i = 0; i < 40 && indexedDuringBurst === 0; i++) {
      const r = await upload(2); // an upload every ~50 ms: never 60 s of quiet
      burst.push(...r);
      await lagged.records(r);
      await sleep(50);
      indexedDuringBurst = await indexed(burst);
    }
    assert.ok(indexedDuringBurst > 0, 'the oldest upload did not wait for the burst to end');
    await lagged.idle();
    assert.equal(await indexed(burst), burst.length);
    await lagged.close();
  });

  it('rows a stopped or crashed server left in the outbox are indexed by the next start', async () => {
    const crashed = runnerOf(backend, { quietMs: 60_000, maxLagMs: 60_000 });
    const records = await upload(4);
    await crashed.records(records); // this runner never indexes: it is dropped as a crash would
    const second = await open();
    others.push(second);
    const next = runnerOf(second, { quietMs: 60_000, maxLagMs: 60_000 });
    next.start();
    for (let i = 0; i < 100 && (await indexed(records)) < 4; i++) await sleep(50);
    assert.equal(await indexed(records), 4, 'left-over rows are indexed on start, without waiting for quiet');
    assert.equal(await next.backlog(), 0);
    await next.close();
    await crashed.close();
  });

  it('a row that keeps failing is dropped with a log line; the rows after it are indexed', async () => {
    const runner = runnerOf(backend, { quietMs: 60_000, maxLagMs: 60_000, maxAttempts: 2 });
    await outboxOf(backend).add('ledger', '{not json'); // written by hand: what a bug or a damaged row looks like
    const records = await upload(2);
    await runner.records(records);
    log.length = 0;
    assert.equal(await runner.idle(), 0);
    assert.equal(await indexed(records), 2);
    assert.equal(runner.failures, 2);
    assert.ok(log.some((m) => /failed, will retry/.test(m)) && log.some((m) => /failed 2 times, dropped/.test(m)), log.join('\n'));
    assert.ok(!log.join('\n').includes('compute('), 'no record text in the log');
    await runner.close();
  });

  if (kind === 'postgres')
    it('two servers on one database: one indexes at a time, the other one\'s reads wait for it', async () => {
      const second = await open();
      others.push(second);
      const holder = outboxOf(backend);
      assert.equal(await holder.acquire(), true);
      const other = runnerOf(second, { quietMs: 0, maxLagMs: 0, readWaitMs: 400 });
      const records = await upload(3);
      await other.records(records);
      assert.equal(await other.idle(), 1, 'the read waited 400 ms and answered with the row still waiting');
      assert.equal(await indexed(records), 0, 'not indexed while the other server holds the indexer lock');
      await holder.release();
      assert.equal(await other.idle(), 0);
      assert.equal(await indexed(records), 3);
      await other.close();
    });
});

describe('lineage outbox across a kill -9 of the server (SQLite, real process)', function () {
  this.timeout(60_000);
  it('uploads answered but not yet indexed when the server is killed are indexed after the restart', async () => {
    const data = tempDir('ll-lineage-kill-');
    let server: ServerProcess | null = await startServerProcess(data);
    try {
      const token = server.token!;
      const records = Array.from({ length: 40 }, (_, i) => aiEdit(REPO, `k${i % 4}.ts`, i, [`const killed${i} = survive(${i});`]) as ProvenanceRecord);
      const res = await api(server.url, token, '/api/v1/records', { body: { source: 'kill', ...chainEntries(records) } });
      assert.equal(res.status, 200, res.text);
      // Read the database file beside the running server (WAL allows it): the upload's row is waiting.
      const peek = () => {
        const db = new Database(path.join(data, 'lite.db'), { readonly: true });
        try {
          return (db.prepare('SELECT count(*) AS n FROM lineage_outbox').get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      assert.equal(peek(), 1, 'the upload was answered with its lineage still in the outbox');
      await server.stop('SIGKILL');
      assert.equal(peek(), 1, 'the row survived the kill');
      server = await startServerProcess(data);
      for (const r of records) {
        const a = await api(server.url, token, `/api/v1/lineage?node=${encodeURIComponent(nodeId.edit(r.id))}`);
        assert.equal(a.status, 200, a.text);
        assert.equal((a.json as { start: string }).start, nodeId.edit(r.id));
      }
      assert.equal(peek(), 0, 'the outbox is empty once indexed');
    } finally {
      await server?.stop();
      removeDir(data);
    }
  });
});
