/**
 * The Lite server's WAL checkpoints in a thread of their own (threads/walCheckpointer.ts), and the
 * BEGIN IMMEDIATE write transactions that let the server's writes wait for that thread's lock.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { Accounts } from '../../src/server/db/accounts';
import { verifyEntries } from '../../src/server/db/entryContent';
import { Ingestor } from '../../src/server/db/ingest';
import { type Db, openServerDb } from '../../src/server/db/serverDb';
import { DEFAULT_AUTOCHECKPOINT_PAGES, FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from '../../src/server/threads/walCheckpointer';
import { repoRoot } from './helpers';
import { chainEntries, removeDir, tempDir } from './serverHarness';

const walBytes = (file: string) => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

describe('Lite server: WAL checkpoints off the ingest path', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(() => {
    dir = tempDir('ll-wal-');
    file = path.join(dir, 'lite.db');
    db = openServerDb(file);
    db.exec('CREATE TABLE filler (body TEXT NOT NULL)');
  });
  afterEach(() => {
    if (db.open) db.close();
    removeDir(dir);
  });

  /** `batches` transactions of ~1 MiB each, 10 ms apart (an ingest request parses its body between them). */
  async function write(batches: number): Promise<void> {
    const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
    const body = 'x'.repeat(4000);
    for (let b = 0; b < batches; b++) {
      db.transaction(() => {
        for (let i = 0; i < 256; i++) insert.run(body);
      })();
      await sleep(10);
    }
  }

  it('copies every commit into the database and starts the WAL over, so 100 MiB of commits leave a small WAL', async () => {
    const checkpointer = new WalCheckpointer(db, file, { restartFrames: 1024 });
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), FALLBACK_AUTOCHECKPOINT_PAGES);
    await checkpointer.nextStats(); // the thread is up (a server starts it before it listens)
    let maxWal = 0;
    for (let round = 0; round < 10; round++) {
      await write(10);
      maxWal = Math.max(maxWal, walBytes(file));
    }
    const stats = await checkpointer.nextStats();
    await checkpointer.close();
    assert.equal(checkpointer.running, false);
    // Without the thread the writer's own checkpoint would start only at 64 MiB of WAL.
    assert.ok(maxWal < 24 * 1024 * 1024, `the WAL grew to ${(maxWal / 1048576).toFixed(1)} MiB`);
    assert.ok(stats.runs > 10 && stats.restarts > 0, JSON.stringify(stats));
    assert.equal(stats.checkpointedFrames, stats.walFrames, 'the last checkpoint copied every frame');
    // Once stopped, the writer checkpoints by itself again.
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_AUTOCHECKPOINT_PAGES);
    db.close();
    const reopened = openServerDb(file);
    try {
      assert.equal((reopened.prepare('SELECT count(*) AS n FROM filler').get() as { n: number }).n, 100 * 256);
      assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      reopened.close();
    }
  });

  it('falls back to the writer checkpointing by itself when the thread cannot run, and says so', async () => {
    const logged: string[] = [];
    const checkpointer = new WalCheckpointer(db, file, { script: path.join(dir, 'missing-thread.js'), log: (m) => logged.push(m) });
    await checkpointer.nextStats(); // answered once the thread has failed
    assert.equal(checkpointer.running, false);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_AUTOCHECKPOINT_PAGES);
    assert.match(logged.join('\n'), /the background thread stopped .*checkpoints by itself again/);
    await write(20); // 20 MiB: the writer's own checkpoints (every 1,000 pages) keep the WAL small
    assert.ok(walBytes(file) < 8 * 1024 * 1024, `WAL ${walBytes(file)} bytes`);
    await checkpointer.close();
  });

  it('an upload waits for another connection holding the write lock instead of failing with "database is locked"', async () => {
    const user = new Accounts(db).addUser('dev', 'developer');
    const records = new EventGenerator(7, undefined, 'wal').batch(20);
    const { entries } = chainEntries(records);
    // Another process takes the write lock (as the checkpointer's RESTART or a CLI command does) for 300 ms.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = require('better-sqlite3')(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE'); db.exec("INSERT INTO filler (body) VALUES ('held')");
         process.stdout.write('locked\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
         db.exec('COMMIT'); db.close();`,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      holder.once('exit', (code) => reject(new Error(`the lock holder exited with ${code} before locking`)));
    });
    const started = performance.now();
    // The ingest reads the uploader's chain head before it writes: inside a deferred transaction that
    // read could not be upgraded to a write while the other connection holds the lock.
    const result = new Ingestor(db).ingest(user.id, 'laptop', verifyEntries(entries, entries), entries);
    const waited = performance.now() - started;
    await new Promise((resolve) => holder.once('exit', resolve));
    assert.equal(result.accepted, 20);
    assert.ok(waited > 50, `the ingest did not wait for the lock (${waited.toFixed(0)} ms)`);
    assert.equal((db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n, 20);
  });
});
