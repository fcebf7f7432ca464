/**
 * One background sync run as the editor makes it (src/extension/sync/syncChild.ts: `lineagelens sync --json
 * --retries 1` in a child process, token in its environment), against real server processes: a server
 * that is down, a wrong token, another process holding the store's sync lock, and then a live server,
 * which receives exactly the pending entries.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { openStore } from '../../src/core/store/provenanceStore';
import { acquireSyncLock } from '../../src/core/sync/syncLock';
import { runSyncChild } from '../../src/extension/sync/syncChild';
import { api, CLI, freePort, removeDir, startServerProcess, tempDir } from './serverHarness';

describe('a background sync run (syncChild -> lineagelens sync --json)', function () {
  this.timeout(60_000);
  let home: string;
  let data: string;
  const records = new EventGenerator(21).batch(30);
  const run = (url: string, token: string) => runSyncChild({ cli: CLI, args: ['--server', url, '--home', home, '--retries', '1'], token });

  before(async () => {
    home = tempDir('ll-syncjson-home-');
    data = tempDir('ll-syncjson-data-');
    const store = await openStore({ home, privacy: 'redacted' });
    await store.append(records);
    await store.close();
    updateUserConfig(home, { privacy: 'redacted' });
  });
  after(() => {
    removeDir(home);
    removeDir(data);
  });

  it('reports failures with status and pending (never the token), a held lock as busy, then uploads every entry once', async () => {
    const port = await freePort();
    const down = await run(`http://127.0.0.1:${port}`, 'llt_secret-token-value');
    assert.equal(down.ok, false);
    if (down.ok) return;
    assert.equal(down.status, null, 'no HTTP answer: a transient failure');
    assert.equal(down.pending, 30);
    assert.match(down.error, /giving up after 1 attempt/);
    assert.doesNotMatch(JSON.stringify(down), /secret-token-value/);

    const server = await startServerProcess(data, [], port);
    try {
      const refused = await run(server.url, 'llt_wrong');
      assert.deepEqual(refused.ok ? refused : { status: refused.status, pending: refused.pending }, { status: 401, pending: 30 });

      const release = acquireSyncLock(path.join(home, 'sync'))!;
      assert.ok(release, 'this process holds the lock');
      try {
        const busy = await run(server.url, server.token!);
        assert.equal(!busy.ok && busy.busy, true, JSON.stringify(busy));
      } finally {
        release();
      }

      const up = await run(server.url, server.token!);
      assert.equal(up.ok, true, JSON.stringify(up));
      if (!up.ok) return;
      assert.deepEqual({ sent: up.sent, pending: up.pending, enqueued: up.enqueued }, { sent: 30, pending: 0, enqueued: 0 });
      assert.equal((await api(server.url, server.token, '/api/v1/stats')).json.records, new Set(records.map((r) => r.id)).size);
      const again = await run(server.url, server.token!);
      assert.deepEqual(again.ok ? { sent: again.sent, pending: again.pending } : again, { sent: 0, pending: 0 });
    } finally {
      await server.stop();
    }
  });
});
