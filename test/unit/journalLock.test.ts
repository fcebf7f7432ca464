import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { JournalLock } from '../../src/core/store/journal/journalLock';
import { StoreLockError } from '../../src/core/store/storeErrors';

describe('journal: inter-process lock', () => {
  let home: string;
  let file: string;
  beforeEach(() => {
    home = tempHome();
    file = path.join(home, 'journal.lock');
  });
  afterEach(() => removeHome(home));

  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!; // a process that has exited
  const owner = (pid: number) => JSON.stringify({ pid, host: hostname(), token: 'someone-else', since: new Date().toISOString() });

  it('admits one holder at a time', async () => {
    const lock = new JournalLock(file);
    const first = await lock.acquire();
    let secondHeld = false;
    const second = lock.acquire().then((lease) => {
      secondHeld = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(secondHeld, false);
    assert.equal(await first.release(), true);
    assert.equal(await (await second).release(), true);
    assert.equal(existsSync(file), false);
  });

  it('takes over a lock whose process is gone', async () => {
    writeFileSync(file, owner(deadPid()));
    const lease = await new JournalLock(file, { timeoutMs: 2_000 }).acquire();
    assert.equal(lease.owner.pid, process.pid);
    await lease.release();
  });

  it('waits for a live holder, then gives up with a message naming it', async () => {
    writeFileSync(file, owner(process.pid)); // alive (this process), but not our token
    await assert.rejects(new JournalLock(file, { timeoutMs: 100 }).acquire(), (err: unknown) => {
      assert.ok(err instanceof StoreLockError);
      assert.match(err.message, new RegExp(`locked by process ${process.pid} on ${hostname()}`));
      return true;
    });
  });

  it('breaks a lock older than staleMs even if its pid is alive (pids get reused)', async () => {
    writeFileSync(file, owner(process.pid));
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const lease = await new JournalLock(file, { staleMs: 60_000, timeoutMs: 2_000 }).acquire();
    assert.equal(await lease.release(), true);
  });

  it('never leaves an empty lock behind, and sweeps the private files of processes killed while locking', async () => {
    const leftover = `${file}.${deadPid()}.tmp`;
    writeFileSync(leftover, owner(1));
    const lease = await new JournalLock(file).acquire();
    assert.equal(existsSync(leftover), false);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, lease.owner.token);
    await lease.release();
  });

  it('tells the holder when its lock was broken meanwhile', async () => {
    const lease = await new JournalLock(file).acquire();
    writeFileSync(file, owner(process.pid));
    assert.equal(await lease.release(), false);
    assert.equal(existsSync(file), true, 'the other holder keeps its lock');
  });
});
