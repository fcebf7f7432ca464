import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultWasmPath, loadSqlEngine, sqliteVersion } from '../../src/core/store/sqlEngine';

describe('SQLite engine (sql.js)', () => {
  it('finds the wasm file and runs SQL', async () => {
    assert.match(defaultWasmPath(), /sql-wasm\.wasm$/);
    assert.match(await sqliteVersion(), /^3\.\d+\.\d+$/);
  });

  it('fails with the path it tried when the wasm file is missing', async () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'll-wasm-')), 'sql-wasm.wasm');
    await assert.rejects(loadSqlEngine(missing), (err: Error) => err.message.includes(missing) && /ENOENT/.test(err.message));
  });
});
