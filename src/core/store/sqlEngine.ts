/**
 * Loading sql.js (SQLite compiled to WebAssembly). Bundled code cannot find `sql-wasm.wasm` by itself,
 * so the caller passes the file's path explicitly (dist/ holds a copy); the engine is loaded once per
 * process and shared.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

const engines = new Map<string, Promise<SqlJsStatic>>();

const WASM_FILE = 'sql-wasm.wasm';

/**
 * Where sql-wasm.wasm is: next to the bundle (dist/ holds a copy), or, when running unbundled (tests
 * from out/), in the nearest node_modules/sql.js above this file.
 */
export function defaultWasmPath(fromDir: string = __dirname): string {
  const beside = path.join(fromDir, WASM_FILE);
  if (existsSync(beside)) return beside;
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'sql.js', 'dist', WASM_FILE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return beside; // not found: loading will name the expected path
  }
}

export function loadSqlEngine(wasmPath: string = defaultWasmPath()): Promise<SqlJsStatic> {
  let engine = engines.get(wasmPath);
  if (!engine) {
    engine = readFile(wasmPath).then(
      (bytes) => initSqlJs({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }),
      (err: NodeJS.ErrnoException) => {
        throw new Error(`cannot load the SQLite engine from ${wasmPath}: ${err.code ?? err.message}`);
      },
    );
    engine.catch(() => engines.delete(wasmPath));
    engines.set(wasmPath, engine);
  }
  return engine;
}

/** SQLite's version string, proving the engine loads and runs. */
export async function sqliteVersion(wasmPath?: string): Promise<string> {
  const SQL = await loadSqlEngine(wasmPath);
  const db = new SQL.Database();
  try {
    const result = db.exec('select sqlite_version()');
    return String(result[0]?.values[0]?.[0]);
  } finally {
    db.close();
  }
}
