/**
 * Blame accuracy after history rewrites, in a real repository with the real hooks (`hooks install git`
 * runs the compiled CLI on post-commit and post-rewrite): AI blocks are committed over many commits, then
 * the history is amended, rebased interactively (reordered, with a squash), cherry-picked to another
 * branch, squash-merged and carried through a stash. Every line of every file is then blamed; lines
 * whose text starts with "human" were typed, all others came from AI edits.
 *   git.rewrite_blame_accuracy   lines classified right / all lines (goal 1.0)
 *   baseline: the same blame with only the bindings made at the original commits (no re-anchoring)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BenchResult, Benchmark } from './types';
import { blameFile } from '../src/core/git/blame';
import { repoIdentityOf } from '../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../src/core/git/gitLedger';
import type { GitRecord } from '../src/core/git/gitRecords';
import { sha256Hex, textContent } from '../src/core/model/content';
import { type EditEvent, SCHEMA_ID } from '../src/core/model/schema';
import { openStore, type ProvenanceStore } from '../src/core/store/provenanceStore';

const gitBench: Benchmark = async (ctx) => {
  const files = ctx.quick ? 3 : 6;
  const blocksPerFile = ctx.quick ? 3 : 6;
  const home = mkdtempSync(path.join(tmpdir(), 'll-bench-git-home-'));
  const dir = mkdtempSync(path.join(tmpdir(), 'll-bench-git-repo-'));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_EDITOR: 'true',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const content = new Map<string, string[]>();
  const write = (file: string, lines: string[]) => {
    content.set(file, lines);
    writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  let store: ProvenanceStore | null = null;
  try {
    git('init', '-q', '-b', 'main');
    const names = Array.from({ length: files }, (_, f) => `src/file${f}.ts`);
    git('config', 'user.name', 'Bench');
    execFileSync('mkdir', ['-p', path.join(dir, 'src')]);
    for (const [f, name] of names.entries()) write(name, Array.from({ length: 20 }, (_, i) => `human base line ${f}.${i}`));
    commit('base');
    const cli = path.join(__dirname, '..', 'src', 'cli', 'bin.js');
    const installed = spawnSync(process.execPath, [cli, 'hooks', 'install', 'git', '--repo', dir, '--home', home], { env, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`hooks install failed: ${installed.stderr}`);
    store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    const repoId = (await repoIdentityOf(dir)).id;
    let n = 0;
    // One commit per AI block, each with a human line around it.
    for (let b = 0; b < blocksPerFile; b++) {
      for (const [f, name] of names.entries()) {
        n++;
        const block = [`export function ai_block_${f}_${b}(input: number) {`, `  const ai_scaled_${n} = input * ${n};`, '', `  return ai_scaled_${n} + ${b};`, '}'];
        const lines = content.get(name)!;
        const at = 2 + ((b * 7) % Math.max(1, lines.length - 2));
        await store.append([edit(repoId, name, at, block, n)]);
        write(name, [...lines.slice(0, at), ...block, `human after block ${n}`, ...lines.slice(at)]);
        commit(`C${n} ${name}`);
      }
    }
    const originalBindings = new GitLedger(home).readAll().length;
    // amend: a human line added to the last commit
    const last = names[names.length - 1]!;
    write(last, [...content.get(last)!, 'human amended line']);
    git('add', '-A');
    git('commit', '-q', '--amend', '--no-edit');
    // rebase -i over the last 6 commits: reverse their order, squash the last two together.
    const script = path.join(home, 'todo.js');
    writeFileSync(
      script,
      `const fs = require('fs'); const f = process.argv[2];
       const picks = fs.readFileSync(f, 'utf8').split('\\n').filter((l) => l.startsWith('pick ')).reverse();
       picks[picks.length - 1] = picks[picks.length - 1].replace(/^pick/, 'squash');
       fs.writeFileSync(f, picks.join('\\n') + '\\n');`,
    );
    execFileSync('git', ['rebase', '-q', '-i', `HEAD~${Math.min(6, n)}`], { cwd: dir, env: { ...env, GIT_SEQUENCE_EDITOR: `"${process.execPath}" "${script}"` }, stdio: 'pipe' });
    // cherry-pick a new-file AI commit onto a side branch
    const blockX = ['export const ai_picked = "cherry";', 'export const ai_picked_too = 2;'];
    await store.append([edit(repoId, 'picked.ts', 0, blockX, ++n)]);
    write('picked.ts', [...blockX, 'human picked line']);
    commit('picked');
    const picked = git('rev-parse', 'HEAD').trim();
    // merge --squash of a feature branch
    git('checkout', '-q', '-b', 'feature');
    const blockF = ['export class AiFeature {', '  ai_value = 1;', '}'];
    await store.append([edit(repoId, 'feature.ts', 0, blockF, ++n)]);
    write('feature.ts', [...blockF, 'human feature line']);
    commit('F1');
    git('checkout', '-q', 'main');
    git('merge', '-q', '--squash', 'feature');
    git('commit', '-q', '-m', 'squash feature');
    // stash and pop before committing
    const blockS = ['export const ai_stashed_value = 42;'];
    await store.append([edit(repoId, names[0]!, 0, blockS, ++n)]);
    write(names[0]!, [...blockS, ...content.get(names[0]!)!]);
    git('stash', '-q');
    git('stash', 'pop', '-q');
    commit('after stash');
    git('checkout', '-q', '-b', 'side', 'HEAD~5');
    git('cherry-pick', picked);
    git('checkout', '-q', 'main');

    const all = new GitLedger(home).readAll();
    const measure = async (records: GitRecord[], rev: string, targets: string[]) => {
      const view = new LedgerView(records);
      let right = 0;
      let total = 0;
      for (const file of targets) {
        for (const l of (await blameFile({ repoDir: dir, file, rev, ledger: view })).lines) {
          total++;
          if (!l.text.startsWith('human') === (l.ai !== null)) right++;
        }
      }
      return { right, total };
    };
    const mainFiles = [...names, 'picked.ts', 'feature.ts'];
    const a = await measure(all, 'main', mainFiles);
    const b = await measure(all, 'side', ['picked.ts']);
    const base1 = await measure(all.slice(0, originalBindings), 'main', mainFiles);
    const base2 = await measure(all.slice(0, originalBindings), 'side', ['picked.ts']);
    ctx.log(`${a.total + b.total} lines blamed after amend, rebase -i (reorder + squash), cherry-pick, merge --squash, stash; ${all.length} ledger records`);
    const results: BenchResult[] = [
      {
        name: 'git.rewrite_blame_accuracy',
        value: (a.right + b.right) / (a.total + b.total),
        unit: 'fraction',
        goal: 1,
        better: 'higher',
        baseline: { label: 'bindings of the original commits only', value: (base1.right + base2.right) / (base1.total + base2.total) },
        note: `${a.total + b.total} lines, ${n} AI edits`,
      },
    ];
    return results;
  } finally {
    await store?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
};

function edit(repoId: string, file: string, line: number, lines: string[], n: number): EditEvent {
  const text = `${lines.join('\n')}\n`;
  return {
    schema: SCHEMA_ID,
    kind: 'edit',
    id: `ed_bench_${n}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    tool: { name: n % 2 ? 'claude-code' : 'copilot' },
    model: n % 2 ? { id: 'claude-sonnet-4-5', provider: 'anthropic' } : { id: 'gpt-4o', provider: 'openai' },
    prompt: { content: textContent(`bench prompt ${n}`), source: 'hook' },
    sessionId: `ses_bench_${n % 3}`,
    file: { path: file, repo: { id: repoId } },
    rangeBefore: { start: { line, character: 0 }, end: { line, character: 0 } },
    rangeAfter: { start: { line, character: 0 }, end: { line: line + lines.length, character: 0 } },
    insertedText: textContent(text),
    deletedText: { form: 'none' },
    contentHash: sha256Hex(text),
    disposition: 'accepted',
    acceptor: { osUser: 'bench' },
    capture: { method: 'hook', confidence: 1 },
    review: { status: 'unreviewed' },
  };
}

export default gitBench;
