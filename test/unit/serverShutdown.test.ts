/**
 * Graceful shutdown of a real server process: a request in flight when SIGTERM arrives still completes,
 * and nothing left from earlier requests (timers) keeps the process from exiting.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { backendsUnderTest } from './serverBackends';
import { api, chainEntries, startServerProcess } from './serverHarness';

for (const backend of backendsUnderTest())
describe(`team server shutdown (real process, ${backend.name})`, function () {
  this.timeout(90_000);

  it('finishes an upload that is in flight when SIGTERM arrives, then exits 0; new connections are refused', async () => {
    const storage = await backend.create('ll-server-stop-');
    const server = await startServerProcess(storage.data, storage.args);
    try {
      const body = Buffer.from(JSON.stringify({ source: 'stop', entries: chainEntries(new EventGenerator(5).batch(200)).entries }));
      const url = new URL(server.url);
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, method: 'POST', path: '/api/v1/records', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        // Half the body now; the rest only after the server has received SIGTERM.
        req.write(body.subarray(0, body.length >> 1));
        (async () => {
          await new Promise((r) => setTimeout(r, 100)); // let the request reach the server
          server.child.kill('SIGTERM');
          for (let i = 0; i < 500 && !/received SIGTERM/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 10));
          assert.match(server.output(), /received SIGTERM/);
          const refused = await fetch(`${server.url}/healthz`).then(
            () => false,
            () => true,
          );
          assert.ok(refused, 'no new connections once shutting down');
          req.end(body.subarray(body.length >> 1));
        })().catch(reject);
      });
      const res = await response;
      assert.equal(res.status, 200, res.text);
      assert.equal((JSON.parse(res.text) as { accepted: number }).accepted, 200);
      assert.equal(await server.exited, 0);
    } finally {
      await server.stop('SIGKILL');
      await storage.drop();
    }
  });
  it('exits within a few seconds of SIGTERM after answering lineage reads (no read timer keeps it alive)', async () => {
    const storage = await backend.create('ll-server-stop-lineage-');
    const server = await startServerProcess(storage.data, storage.args);
    try {
      const records = new EventGenerator(6).batch(50);
      const up = await api(server.url, server.token, '/api/v1/records', { body: { source: 'stop-lineage', entries: chainEntries(records).entries } });
      assert.equal(up.status, 200, up.text);
      // A lineage read waits (up to 60 s) for the graph to hold every upload; it was answered long before.
      const read = await api(server.url, server.token, `/api/v1/lineage?node=${encodeURIComponent(`edit:${records[0]!.id}`)}`);
      assert.equal(read.status, 200, read.text);
      const started = Date.now();
      assert.equal(await server.stop(), 0);
      const took = Date.now() - started;
      assert.ok(took < 5_000, `the server took ${took} ms to exit after SIGTERM`);
    } finally {
      await server.stop('SIGKILL');
      await storage.drop();
    }
  });
});
