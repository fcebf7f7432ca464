/**
 * What the post-commit hook pays for people's changes over AI lines (core/git/humanChanges.ts), in a real
 * repository: AI edits write FILES files of LINES lines (bound at C1), then a person's commit rewrites
 * every fourth line of each. The figure is the time of humanChangesOf for that commit (one diff, one
 * `git blame -L` per file, one cat-file); the baseline is the rest of the same commit's bindCommit (its
 * bindings: diff, blobs, the store's edits, earlier bindings), measured in the same run.
 *   git.human_changes_ms   goal <= 1000 ms for 10 files x 400 lines (1,000 replaced lines)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Benchmark } from './types';
import { bindCommit, repoIdentityOf } from '../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../src/core/git/gitLedger';
import { humanChangesOf } from '../src/core/git/humanChanges';
import { sha256Hex, textContent } from '../src/core/model/content';
import { type EditEvent, SCHEMA_ID } from '../src/core/model/schema';
import { openStore } from '../src/core/store/provenanceStore';

const humanChangesBench: Benchmark = async (ctx) => {
  const files = ctx.quick ? 3 : 10;
  const lines = ctx.quick ? 200 : 400;
  const home = mkdtempSync(path.join(tmpdir(), 'll-bench-hc-home-'));
  const dir = mkdtempSync(path.join(tmpdir(), 'll-bench-hc-repo-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
  try {
    git('init', '-q', '-b', 'main');
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'README.md'), '# bench\n');
    commit('base');
    const repoId = (await repoIdentityOf(dir)).id;
    const ledger = new GitLedger(home);
    const body = (f: number) => Array.from({ length: lines }, (_, i) => `export const value_${f}_${i} = compute(${f}, ${i}); // generated`);
    const edits: EditEvent[] = [];
    for (let f = 0; f < files; f++) {
      const text = `${body(f).join('\n')}\n`;
      edits.push({
        schema: SCHEMA_ID,
        kind: 'edit',
        id: `ed_bench_hc_${f}`,
        time: new Date(Date.UTC(2026, 10, 20, 10, 0, f)).toISOString(),
        tool: { name: 'copilot' },
        model: { id: 'gpt-4o', provider: 'openai' },
        prompt: null,
        sessionId: 'ses_bench_hc',
        file: { path: `src/f${f}.ts`, repo: { id: repoId } },
        rangeBefore: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        rangeAfter: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
        insertedText: textContent(text),
        deletedText: { form: 'none' },
        contentHash: sha256Hex(text),
        disposition: 'accepted',
        acceptor: null,
        capture: { method: 'hook', confidence: 1 },
        review: { status: 'unreviewed' },
      });
      writeFileSync(path.join(dir, `src/f${f}.ts`), text);
    }
    await store.append(edits);
    await bindCommit({ repoDir: dir, commit: commit('AI'), store, ledger });
    for (let f = 0; f < files; f++) writeFileSync(path.join(dir, `src/f${f}.ts`), `${body(f).map((l, i) => (i % 4 === 0 ? `${l} // checked by hand` : l)).join('\n')}\n`);
    const c2 = commit('by hand');

    let started = process.hrtime.bigint();
    const bound = await bindCommit({ repoDir: dir, commit: c2, store, ledger });
    const wholeMs = Number(process.hrtime.bigint() - started) / 1e6;
    const changed = bound.humanChanges.reduce((n, h) => n + h.ranges.reduce((m, r) => m + r.end - r.start + 1, 0), 0);
    // The facts alone, again (a view without them, so the same work is done).
    const view = new LedgerView(ledger.readAll().filter((r) => r.kind !== 'human-change'));
    started = process.hrtime.bigint();
    const again = await humanChangesOf(dir, c2, repoId, view, new Date().toISOString());
    const factsMs = Number(process.hrtime.bigint() - started) / 1e6;
    ctx.log(`${files} files x ${lines} lines; ${changed} lines changed by hand -> ${bound.humanChanges.length} fact(s) (recomputed: ${again.changes.length}); bindCommit ${wholeMs.toFixed(0)} ms`);
    return [
      {
        name: 'git.human_changes_ms',
        value: Math.round(factsMs * 10) / 10,
        unit: 'ms',
        goal: 1000,
        better: 'lower',
        baseline: { label: "the rest of that commit's bindCommit (its bindings)", value: Math.round((wholeMs - factsMs) * 10) / 10 },
        note: `${changed} replaced lines in ${files} files`,
      },
    ];
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
};

export default humanChangesBench;
