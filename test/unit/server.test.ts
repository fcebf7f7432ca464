import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/app';
import { repoRoot } from './helpers';

describe('team server skeleton (real HTTP)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, version: 'test' });
  });
  after(() => server.close());

  it('answers /healthz with its version and schema', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', version: 'test', schema: 'lineagelens.provenance/1' });
  });

  it('serves the record JSON Schema', async () => {
    const body = (await (await fetch(`${server.url}/api/v1/schema`)).json()) as { edit: { properties: Record<string, unknown> } };
    assert.ok(body.edit.properties.contentHash);
  });

  it('answers unknown paths with 404 and other methods with 405, as JSON', async () => {
    const nf = await fetch(`${server.url}/nope`);
    assert.equal(nf.status, 404);
    assert.match(((await nf.json()) as { error: string }).error, /no such endpoint: \/nope/);
    const post = await fetch(`${server.url}/healthz`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
  });

  it('`lineagelens serve` stops cleanly on SIGTERM', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'll-serve-'));
    after(() => rmSync(data, { recursive: true, force: true }));
    const child = spawn(process.execPath, [path.join(repoRoot, 'out/src/cli/bin.js'), 'serve', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const url = /listening on (\S+)/.exec(out)![1]!;
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.match(out, /received SIGTERM/);
  });
});
