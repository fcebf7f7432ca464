/**
 * ext.vsix_bytes: size of the packaged VSIX (packaged afresh in this run).
 * ext.activation_ms: our activation time (bundle's first line to the end of activate()) in the real
 * extension host, installed from the VSIX; baseline: a minimal extension activating in the same host.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Benchmark, BenchResult } from './types';

const bench: Benchmark = async (ctx) => {
  const results: BenchResult[] = [];
  const pkg = JSON.parse(readFileSync(path.join(ctx.root, 'package.json'), 'utf8')) as { version: string };
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ctx.root, stdio: 'ignore' });
  const vsix = path.join(ctx.root, `lineagelens-${pkg.version}.vsix`);
  const wasmBytes = statSync(path.join(ctx.root, 'dist', 'sql-wasm.wasm')).size;
  results.push({
    name: 'ext.vsix_bytes',
    value: statSync(vsix).size,
    unit: 'bytes',
    goal: 3 * 1024 * 1024,
    better: 'lower',
    baseline: { label: 'sql-wasm.wasm alone (uncompressed)', value: wasmBytes },
  });

  const out = path.join(mkdtempSync(path.join(tmpdir(), 'll-bench-act-')), 'activation.json');
  const runs = ctx.quick ? 1 : 3;
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [path.join(ctx.root, 'test', 'exthost', 'run.mjs'), '--mode', 'vsix', '--grep', 'activation timing'], {
      cwd: ctx.root,
      env: { ...process.env, LINEAGELENS_BENCH_OUT: out },
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    if (r.status !== 0 || !existsSync(out)) throw new Error(`extension host run failed (exit ${r.status}):\n${(r.stdout ?? '').slice(-2000)}`);
    const m = JSON.parse(readFileSync(out, 'utf8')) as { activationMs: number; baselineMs?: number };
    ours.push(m.activationMs);
    if (typeof m.baselineMs === 'number') baseline.push(m.baselineMs);
    ctx.log(`run ${i + 1}: activation ${m.activationMs.toFixed(1)} ms (minimal extension ${m.baselineMs?.toFixed(1) ?? '?'} ms)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  results.push({
    name: 'ext.activation_ms',
    value: median(ours),
    unit: 'ms',
    goal: 50,
    better: 'lower',
    ...(baseline.length ? { baseline: { label: 'minimal extension, same host', value: median(baseline) } } : {}),
    note: `median of ${runs} host start(s), installed from the VSIX`,
  });
  return results;
};

export default bench;
