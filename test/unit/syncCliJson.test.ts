/**
 * `lineagelens sync --json` as the editor's background sync reads it: one attempt (`--retries 1`) against
 * a server that is down ends with a JSON summary naming the error and the pending count, and the next
 * run against a live server uploads exactly those entries.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { openStore } from '../../src/core/store/provenanceStore';
import { api, CLI, freePort, removeDir, startServerProcess, tempDir } from './serverHarness';

function sync(home: string, url: string, token: string) {
  const r = spawnSync(process.execPath, [CLI, 'sync', '--server', url, '--home', home, '--retries', '1', '--json'], {
    env: { ...process.env, LINEAGELENS_TOKEN: token },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, json: JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as Record<string, unknown>, stderr: r.stderr };
}

describe('lineagelens sync --json (the editor’s view of a run)', function () {
  this.timeout(60_000);
  let home: string;
  let data: string;

  before(async () => {
    home = tempDir('ll-syncjson-home-');
    data = tempDir('ll-syncjson-data-');
    const store = await openStore({ home, privacy: 'redacted' });
    await store.append(new EventGenerator(21).batch(30));
    await store.close();
    updateUserConfig(home, { privacy: 'redacted' });
  });
  after(() => {
    removeDir(home);
    removeDir(data);
  });

  it('reports a failed attempt with the pending count and no token; the next run uploads them all', async () => {
    const port = await freePort();
    const down = sync(home, `http://127.0.0.1:${port}`, 'llt_secret-token-value');
    assert.equal(down.status, 1, down.stderr);
    assert.equal(down.json.status, null, 'no HTTP answer: a transient failure');
    assert.equal(down.json.pending, 30);
    assert.match(String(down.json.error), /giving up after 1 attempt/);
    assert.doesNotMatch(JSON.stringify(down.json) + down.stderr, /secret-token-value/);

    const server = await startServerProcess(data, [], port);
    try {
      const refused = sync(home, server.url, 'llt_wrong');
      assert.equal(refused.status, 1);
      assert.equal(refused.json.status, 401, 'a permanent failure carries its HTTP status');
      assert.equal(refused.json.pending, 30);

      const up = sync(home, server.url, server.token!);
      assert.equal(up.status, 0, up.stderr);
      assert.deepEqual({ sent: up.json.sent, pending: up.json.pending, enqueued: up.json.enqueued }, { sent: 30, pending: 0, enqueued: 0 });
      assert.equal((await api(server.url, server.token, '/api/v1/stats')).json.records, new Set(new EventGenerator(21).batch(30).map((r) => r.id)).size);
    } finally {
      await server.stop();
    }
  });
});
