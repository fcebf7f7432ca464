import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, TEST_MODE, activateApi, extension, workspaceDir } from './helpers';

const real = (p: string) => fs.realpathSync(p);
const isInside = (child: string, parent: string) => {
  const rel = path.relative(real(parent), real(child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

describe('activation', () => {
  it(`${EXTENSION_ID} is known to the host`, () => {
    const ext = extension();
    assert.equal(ext.packageJSON.publisher, 'lineagelens');
    assert.equal(ext.packageJSON.name, 'lineagelens');
  });

  it('activates and returns its API', async () => {
    const api = await activateApi();
    assert.equal(extension().isActive, true);
    assert.equal(api.version, extension().packageJSON.version);
    for (const fn of ['changesSeen', 'flush', 'decoratedLineCount', 'setTestDecoration'] as const) {
      assert.equal(typeof api.testing[fn], 'function', `api.testing.${fn}`);
    }
  });

  it('is the copy the run asked for (dev folder or installed VSIX)', () => {
    const where = extension().extensionPath;
    if (TEST_MODE === 'vsix') {
      const dir = process.env.LINEAGELENS_TEST_EXTENSIONS_DIR;
      assert.ok(dir, 'LINEAGELENS_TEST_EXTENSIONS_DIR is set in vsix mode');
      assert.ok(isInside(where, dir), `${where} is inside the extensions dir ${dir}`);
    } else if (TEST_MODE === 'dev') {
      const dev = process.env.LINEAGELENS_TEST_DEV_PATH;
      assert.ok(dev, 'LINEAGELENS_TEST_DEV_PATH is set in dev mode');
      assert.equal(real(where), real(dev));
    } else {
      assert.fail(`LINEAGELENS_TEST_MODE must be dev or vsix, got ${String(TEST_MODE)}`);
    }
  });

  it('runs in the workspace folder the runner opened', () => {
    const expected = process.env.LINEAGELENS_TEST_WORKSPACE;
    assert.ok(expected, 'the runner names the workspace it opened');
    assert.equal(real(workspaceDir()), real(expected));
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('loads its bundled SQLite engine', async () => {
    const api = await activateApi();
    assert.match(await api.testing.sqliteVersion(), /^3\.\d+\.\d+/);
  });
});

describe('activation timing', () => {
  it('reports how long activation took, and the bench gets it with a same-host baseline', async () => {
    const api = await activateApi();
    const ms = api.testing.activationMs();
    assert.ok(Number.isFinite(ms) && ms > 0, `activation took ${ms} ms`);
    const out = process.env.LINEAGELENS_BENCH_OUT;
    if (out) {
      const stub = vscode.extensions.getExtension<{ activationMs(): number }>('lineagelens-test.lineagelens-test-stub');
      const baseline = stub ? (await stub.activate()).activationMs() : undefined;
      fs.writeFileSync(out, JSON.stringify({ activationMs: ms, baselineMs: baseline, mode: TEST_MODE }));
    }
  });
});
