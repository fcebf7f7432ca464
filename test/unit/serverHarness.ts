/** A real `lineagelens serve` process on a random loopback port, with its admin token, for tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeUploadEntry, GENESIS_HASH } from '../../src/core/sync/uploadChain';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { repoRoot } from './helpers';

export const CLI = path.join(repoRoot, 'out/src/cli/bin.js');

export interface ServerProcess {
  url: string;
  /** The admin token printed on first start (null on later starts). */
  token: string | null;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process exits (by itself or after a signal). */
  exited: Promise<number | null>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A port that was free a moment ago (for restarting a server on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `extraArgs` may choose the backend too (`--postgres URL`, see serverBackends.ts); SQLite in dataDir otherwise. */
export async function startServerProcess(dataDir: string, extraArgs: string[] = [], port = 0): Promise<ServerProcess> {
  // A SQLite run stays on SQLite even when the developer's shell names a PostgreSQL server.
  const env = { ...process.env };
  if (!extraArgs.includes('--postgres')) delete env.LINEAGELENS_POSTGRES_URL;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const check = () => {
      if (/listening on http:\/\/\S+/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url: /listening on (http:\/\/\S+)/.exec(out)![1]!,
    token: /^\s+(llt_\S+)$/m.exec(out)?.[1] ?? null,
    child,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Chains records into upload entries starting after (seq, hash). */
export function chainEntries(records: ProvenanceRecord[], from: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
  const entries = [];
  let head = from;
  for (const r of records) {
    const e = makeUploadEntry(head.seq + 1, head.hash, r);
    entries.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return { entries, head };
}

export async function api(base: string, token: string | null, pathAndQuery: string, init: { method?: string; body?: unknown; raw?: string | Buffer; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(base + pathAndQuery, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json: json as Record<string, unknown> & { error?: string }, text, headers: res.headers };
}
