/**
 * Agent connectors from the command line, end to end through the bundled CLI (dist/cli.js, rebuilt first
 * when any source is newer).
 *
 * - `connectors.hook_p95_ms`: wall time of the installed hook command (the launcher in the store home, run
 *   through /bin/sh as agents do) fed a realistic PostToolUse Edit payload (structuredPatch, a 200 KB
 *   transcript to read the model from, a git repository, a store that grows with every run): what an agent
 *   waits for on every edit. 100 runs (20 with --quick). Baseline, interleaved in the same run: `node -e 0`,
 *   the floor of any Node hook.
 * - `connectors.hook_recorded_p95_ms`: until the background drain has made that edit durable in the store.
 * - `connectors.hook_direct_p95_ms`: `node dist/cli.js hook claude-code`, synchronous, for comparison.
 * - `connectors.hook_over_node_p50_ms`: the median of (direct - baseline), what LineageLens itself costs.
 * - `connectors.import_records_per_s`: `lineagelens import claude-code` of one generated transcript with
 *   5,000 edits (1,000 with --quick) into an empty store, counted in records written (edits + sessions),
 *   process start-up included. Baseline: the same file imported again (every edit already stored).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { ensureLauncher, launcherHookCommand } from '../src/core/hooksConfig/launcher';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Benchmark, BenchResult } from './types';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

function newestSourceMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const p = path.join(dir, e.name);
    return Math.max(newest, e.isDirectory() ? newestSourceMtime(p) : statSync(p).mtimeMs);
  }, 0);
}

function ensureFreshBundle(root: string, log: (m: string) => void): string {
  const cli = path.join(root, 'dist', 'cli.js');
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newestSourceMtime(path.join(root, 'src'))) {
    log('dist/ is older than src/: building');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
  }
  return cli;
}

function timedRun(args: string[], input?: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input, stdio: ['pipe', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return ms;
}

function gitRepo(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
}

/** A Claude Code transcript of about `bytes`, ending with the assistant line that names the model. */
function transcriptLines(sessionId: string, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 2 === 0
        ? JSON.stringify({ type: 'user', sessionId, uuid: `u${i}`, timestamp: new Date(1_767_000_000_000 + i * 1000).toISOString(), message: { role: 'user', content: `Please look at module ${i} and explain ${'what it does '.repeat(20)}` } })
        : JSON.stringify({ type: 'assistant', sessionId, uuid: `a${i}`, timestamp: new Date(1_767_000_000_000 + i * 1000).toISOString(), message: { role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: `Module ${i} ${'does this and that. '.repeat(40)}` }] } });
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

async function hookLatency(cli: string, runs: number, log: (m: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'll-bench-hook-'));
  try {
    const repo = path.join(dir, 'repo');
    const before = Array.from({ length: 200 }, (_, i) => `export const value${i} = ${i};`).join('\n') + '\n';
    gitRepo(repo, { 'values.ts': before });
    const transcript = path.join(dir, 'session.jsonl');
    writeFileSync(transcript, transcriptLines('bench-session', 200 * 1024));
    const home = path.join(dir, 'home');
    const file = path.join(repo, 'values.ts');
    const payload = (i: number) =>
      JSON.stringify({
        session_id: 'bench-session',
        transcript_path: transcript,
        cwd: repo,
        permission_mode: 'default',
        hook_event_name: 'PostToolUse',
        tool_name: 'Edit',
        tool_use_id: `toolu_bench_${i}`,
        tool_input: { file_path: file, old_string: 'export const value100 = 100;\n', new_string: `export const value100 = 100;\nexport const added${i} = ${i};\n` },
        tool_response: {
          filePath: file,
          oldString: 'export const value100 = 100;\n',
          newString: `export const value100 = 100;\nexport const added${i} = ${i};\n`,
          originalFile: before,
          structuredPatch: [{ oldStart: 99, oldLines: 3, newStart: 99, newLines: 4, lines: [' export const value98 = 98;', ' export const value99 = 99;', ' export const value100 = 100;', `+export const added${i} = ${i};`] }],
          userModified: false,
        },
      });
    // Warm the file system cache and the store (created on the first run) before measuring.
    timedRun([cli, 'hook', 'claude-code', '--home', home], payload(-1));
    timedRun(['-e', '0']);
    const recordedRuns = () => readFileSync(path.join(home, 'logs', 'hooks.log'), 'utf8').split('\n').filter((l) => l.includes('outcome=recorded edits=1')).length;

    // What an installed hook runs: the launcher in the store home, through a shell, as agents run hooks.
    const command = launcherHookCommand(ensureLauncher(home, { execPath: process.execPath, cliPath: cli, writtenBy: 'bench' }).path, 'claude-code', home);
    const hook: number[] = [];
    const recorded: number[] = [];
    const direct: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < runs; i++) {
      const before = recordedRuns();
      const started = process.hrtime.bigint();
      const r = spawnSync('/bin/sh', ['-c', command], { input: payload(i), stdio: ['pipe', 'ignore', 'ignore'] });
      hook.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (r.status !== 0) throw new Error(`the launcher exited with ${r.status}`);
      // Until the background drain has recorded it (polled; the next run starts after, so runs never overlap).
      for (const deadline = Date.now() + 30_000; recordedRuns() === before; ) {
        if (Date.now() > deadline) throw new Error(`a spooled payload was not recorded within 30 s: see ${home}/logs/hooks.log`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      recorded.push(Number(process.hrtime.bigint() - started) / 1e6);
      direct.push(timedRun([cli, 'hook', 'claude-code', '--home', home], payload(runs + i)));
      node.push(timedRun(['-e', '0']));
    }
    if (recordedRuns() !== 2 * runs + 1) throw new Error(`only ${recordedRuns()} of ${2 * runs + 1} hook runs recorded their edit: see ${home}/logs/hooks.log`);
    const over = direct.map((h, i) => h - node[i]!);
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
    log(`launcher p50 ${p(hook, 0.5)} ms, p95 ${p(hook, 0.95)} ms; recorded p95 ${p(recorded, 0.95)} ms; direct p95 ${p(direct, 0.95)} ms; node -e 0 p95 ${p(node, 0.95)} ms`);
    return [
      {
        name: 'connectors.hook_p95_ms',
        value: percentile(hook, 0.95),
        unit: 'ms',
        goal: 100,
        better: 'lower',
        baseline: { label: 'node -e 0, p95', value: percentile(node, 0.95) },
        note: `${runs} PostToolUse Edit runs of the installed hook command (launcher through sh; git repo, 200 KB transcript): what the agent waits for; p50 ${p(hook, 0.5)} ms`,
      },
      {
        name: 'connectors.hook_recorded_p95_ms',
        value: percentile(recorded, 0.95),
        unit: 'ms',
        goal: null,
        better: 'lower',
        note: 'from the launcher starting until the background drain has recorded the edit (durable in the store)',
      },
      {
        name: 'connectors.hook_direct_p95_ms',
        value: percentile(direct, 0.95),
        unit: 'ms',
        goal: null,
        better: 'lower',
        baseline: { label: 'node -e 0, p95', value: percentile(node, 0.95) },
        note: 'node dist/cli.js hook claude-code, synchronous (Copilot/Windsurf pre-edit copies and Windows run this way)',
      },
      {
        name: 'connectors.hook_over_node_p50_ms',
        value: percentile(over, 0.5),
        unit: 'ms',
        goal: null,
        better: 'lower',
        note: 'median of (direct hook run - the node -e 0 run after it): the time LineageLens adds to a bare Node start',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A transcript with `edits` Edit tool uses and their results, a prompt before every tenth. */
function generatedTranscript(repo: string, edits: number): string {
  const lines: string[] = [];
  const at = (i: number) => new Date(1_767_000_000_000 + i * 1000).toISOString();
  for (let i = 0; i < edits; i++) {
    const file = path.join(repo, `src/module${i % 50}.ts`);
    if (i % 10 === 0) lines.push(JSON.stringify({ type: 'user', sessionId: 'bench-import', uuid: `p${i}`, cwd: repo, timestamp: at(3 * i), message: { role: 'user', content: `Add constant number ${i} and the next nine` } }));
    const input = { file_path: file, old_string: `// slot ${i}\n`, new_string: `// slot ${i}\nexport const c${i} = ${i};\n` };
    lines.push(JSON.stringify({ type: 'assistant', sessionId: 'bench-import', uuid: `a${i}`, cwd: repo, version: '2.0.14', timestamp: at(3 * i + 1), message: { role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'tool_use', id: `toolu_imp_${i}`, name: 'Edit', input }] } }));
    lines.push(
      JSON.stringify({
        type: 'user',
        sessionId: 'bench-import',
        uuid: `r${i}`,
        cwd: repo,
        timestamp: at(3 * i + 2),
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_imp_${i}`, content: 'The file has been updated.' }] },
        toolUseResult: { filePath: file, oldString: input.old_string, newString: input.new_string, structuredPatch: [{ oldStart: i + 1, oldLines: 1, newStart: i + 1, newLines: 2, lines: [` // slot ${i}`, `+export const c${i} = ${i};`] }], userModified: false },
      }),
    );
  }
  return lines.join('\n') + '\n';
}

async function importThroughput(cli: string, edits: number, log: (m: string) => void): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'll-bench-import-'));
  try {
    const repo = path.join(dir, 'repo');
    gitRepo(repo, { 'README.md': 'bench\n' });
    mkdirSync(path.join(repo, 'src'));
    const transcript = path.join(dir, 'bench-import.jsonl');
    writeFileSync(transcript, generatedTranscript(repo, edits));
    const home = path.join(dir, 'home');
    const run = () => {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [cli, 'import', 'claude-code', transcript, '--home', home, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (r.status !== 0) throw new Error(`import exited with ${r.status}: ${r.stderr}`);
      const summary = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { summary: { imported: number; alreadyStored: number; sessions: number } }).summary;
      return { seconds, summary };
    };
    const first = run();
    if (first.summary.imported !== edits) throw new Error(`imported ${first.summary.imported} of ${edits} edits`);
    const again = run();
    if (again.summary.imported !== 0) throw new Error(`the second import added ${again.summary.imported} edits`);
    const written = first.summary.imported + first.summary.sessions;
    log(`import of ${edits} edits: ${first.seconds.toFixed(2)} s; again (all already stored): ${again.seconds.toFixed(2)} s`);
    return [
      {
        name: 'connectors.import_records_per_s',
        value: written / first.seconds,
        unit: 'records/s',
        goal: null,
        better: 'higher',
        baseline: { label: 're-import, edits checked per s', value: again.summary.alreadyStored / again.seconds },
        note: `one Claude Code transcript with ${edits} Edit tool uses into an empty store, process start-up included`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = async (ctx) => {
  const cli = ensureFreshBundle(ctx.root, ctx.log);
  return [...(await hookLatency(cli, ctx.quick ? 20 : 100, ctx.log)), ...(await importThroughput(cli, ctx.quick ? 1_000 : 5_000, ctx.log))];
};

export default bench;
