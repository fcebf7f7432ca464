/**
 * Git binding against real repositories in temp dirs, through the real hooks (`hooks install git` writes
 * post-commit and post-rewrite hooks that run the compiled CLI): AI lines are committed, then the history
 * is amended, rebased interactively with a reorder and a squash, cherry-picked, squash-merged and stashed;
 * blame must still attribute every line correctly.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { blameFile } from '../../src/core/git/blame';
import { repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../../src/core/git/gitLedger';
import { parseAdditions } from '../../src/core/git/commitChanges';
import { matchInsertedText, matchRuns } from '../../src/core/git/lineMatch';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { repoRoot } from './helpers';

const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const cli = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, cwd, timeout: 60_000 });

/** Lines whose text starts with "human" were typed; every other line came from an AI edit. */
async function accuracy(repo: TempRepo, home: string, files: string[], rev = 'HEAD'): Promise<{ right: number; total: number; wrong: string[] }> {
  const view = new LedgerView(new GitLedger(home).readAll());
  let right = 0;
  let total = 0;
  const wrong: string[] = [];
  for (const file of files) {
    const blame = await blameFile({ repoDir: repo.dir, file, rev, ledger: view });
    for (const l of blame.lines) {
      total++;
      const expectAi = !l.text.startsWith('human');
      if (expectAi === (l.ai !== null)) right++;
      else wrong.push(`${file}:${l.line} ${expectAi ? 'AI line shown as human' : 'human line shown as AI'}: ${l.text}`);
    }
  }
  return { right, total, wrong };
}

describe('git binding (real repositories)', function () {
  this.timeout(240_000);
  let home: string;
  let repo: TempRepo;
  let store: ProvenanceStore;
  let repoId: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-git-home-'));
    env = gitEnv(home);
    repo = new TempRepo(env);
    repo.write('a.ts', ['human line a1', 'human line a2', 'human line a3']);
    repo.write('b.ts', ['human line b1', 'human line b2']);
    repo.commitAll('base');
    const install = cli(['hooks', 'install', 'git', '--repo', repo.dir, '--home', home], env);
    assert.equal(install.status, 0, install.stderr);
    assert.match(install.stdout, /post-commit: created/);
    store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    repoId = (await repoIdentityOf(repo.dir)).id;
  });

  after(async () => {
    await store.close();
    repo.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('binds committed AI lines in the post-commit hook; blame and review name tool, model, session', async () => {
    const blockA = ['function ai_parse(input: string) {', '  const ai_parts = input.split(",");', '  return ai_parts.map(Number);', '}'];
    await store.append([aiEdit(repoId, 'a.ts', 1, blockA)]);
    repo.write('a.ts', ['human line a1', ...blockA, 'human line a2', 'human line a3', 'human line a4']);
    repo.commitAll('C1 parse');
    const blockB = ['export const ai_limit = 10;', 'export const ai_name = "b";', ''];
    await store.append([aiEdit(repoId, 'b.ts', 2, blockB, { sessionId: 'ses_test_2', tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' } })]);
    repo.write('b.ts', ['human line b1', 'human line b2', ...blockB]);
    repo.commitAll('C2 limits');
    const blockC = ['export function ai_sum(xs: number[]) {', '  return xs.reduce((a, b) => a + b, 0);', '}'];
    await store.append([aiEdit(repoId, 'c.ts', 1, blockC)]);
    repo.write('c.ts', ['human line c1', ...blockC, 'human line c2']);
    repo.commitAll('C3 sum');
    repo.write('b.ts', ['human line b1', 'human line b2', ...blockB, 'human line b3']);
    repo.commitAll('C4 human');

    const result = await accuracy(repo, home, ['a.ts', 'b.ts', 'c.ts']);
    assert.deepEqual(result.wrong, []);
    const view = new LedgerView(new GitLedger(home).readAll());
    const blame = await blameFile({ repoDir: repo.dir, file: 'b.ts', ledger: view });
    const ai = blame.lines.find((l) => l.text === 'export const ai_limit = 10;')!.ai!;
    assert.equal(ai.binding.edit.tool, 'copilot');
    assert.equal(ai.binding.edit.model, 'openai/gpt-4o');
    assert.equal(ai.binding.edit.sessionId, 'ses_test_2');
    assert.equal(ai.binding.ranges[0]!.lines.length, 3, 'the blank line inside the AI block is bound with it');

    const review = cli(['review', '--session', 'ses_test_2', '--home', home, '--repo', repo.dir], env, repo.dir);
    assert.equal(review.status, 0, review.stderr);
    const json = cli(['blame', 'b.ts', '--json', '--home', home], env, repo.dir);
    assert.equal(json.status, 0, json.stderr);
    const lines = JSON.parse(json.stdout).lines as { origin: string; review: { status: string }; prompt: string | null; tool?: string }[];
    assert.deepEqual(lines.map((l) => l.origin), ['human', 'human', 'ai', 'ai', 'ai', 'human']);
    assert.equal(lines[2]!.review.status, 'reviewed');
    assert.match(lines[2]!.prompt ?? '', /^Write the helper number/);
    const porcelain = cli(['blame', 'a.ts', '--porcelain', '--home', home], env, repo.dir);
    assert.equal(porcelain.stdout.split('\n')[1]!.split('\t')[2], 'ai');
  });

  it('survives amend and rebase -i with a reorder and a squash', async () => {
    repo.write('b.ts', ['human line b1', 'human line b2', 'export const ai_limit = 10;', 'export const ai_name = "b";', '', 'human line b3', 'human line b4']);
    repo.git('add', '-A');
    repo.git('commit', '-q', '--amend', '--no-edit');
    assert.deepEqual((await accuracy(repo, home, ['a.ts', 'b.ts', 'c.ts'])).wrong, []);

    // Todo: C1, C2, C3, C4'  ->  C1, C3, C2, squash C4' into C2.
    const script = path.join(home, 'todo.js');
    writeFileSync(
      script,
      `const fs = require('fs'); const f = process.argv[2];
       const picks = fs.readFileSync(f, 'utf8').split('\\n').filter((l) => l.startsWith('pick '));
       fs.writeFileSync(f, [picks[0], picks[2], picks[1], picks[3].replace(/^pick/, 'squash')].join('\\n') + '\\n');`,
    );
    const before = repo.git('rev-list', 'HEAD').trim().split('\n').length;
    repo.gitWith({ GIT_SEQUENCE_EDITOR: `"${process.execPath}" "${script}"` }, 'rebase', '-q', '-i', 'HEAD~4');
    const subjects = repo.git('log', '--format=%s', '-4').trim().split('\n');
    assert.equal(repo.git('rev-list', 'HEAD').trim().split('\n').length, before - 1, 'the squash removed one commit');
    assert.deepEqual(subjects.slice(0, 2).map((s) => s.slice(0, 2)), ['C2', 'C3'], 'C3 now comes before C2');
    const result = await accuracy(repo, home, ['a.ts', 'b.ts', 'c.ts']);
    assert.deepEqual(result.wrong, []);
    assert.equal(result.right, result.total);
    const head = repo.git('rev-parse', 'HEAD').trim();
    const records = new GitLedger(home).readAll();
    const rewritten = new LedgerView(records).ofCommit(head);
    // git runs post-commit for every picked commit (binding from the store's edits), then post-rewrite
    // with the old/new pairs (binding by content what post-commit did not).
    assert.ok(rewritten.length > 0, 'the squashed commit is bound');
    assert.ok(records.some((r) => r.kind === 'rewrite' && r.source === 'rebase' && r.pairs.length >= 3));
    assert.ok(records.some((r) => r.kind === 'rewrite' && r.source === 'amend'));
  });

  it('follows a cherry-pick to another branch', async () => {
    const c3 = repo.git('log', '--format=%H', '--grep', '^C3', '-1').trim();
    const base = repo.git('rev-list', '--max-parents=0', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'other', base);
    repo.git('cherry-pick', c3);
    assert.deepEqual((await accuracy(repo, home, ['a.ts', 'b.ts', 'c.ts'])).wrong, []);
    repo.git('checkout', '-q', 'main');
  });

  it('follows merge --squash, and a stash popped before committing', async () => {
    repo.git('checkout', '-q', '-b', 'feature');
    const blockD = ['export class AiCache {', '  private ai_items = new Map<string, number>();', '}'];
    await store.append([aiEdit(repoId, 'd.ts', 0, blockD)]);
    repo.write('d.ts', [...blockD, 'human line d1']);
    repo.commitAll('F1 cache');
    repo.write('d.ts', [...blockD, 'human line d1', 'human line d2']);
    repo.commitAll('F2 human');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--squash', 'feature');
    repo.git('commit', '-q', '-m', 'Squashed feature');
    assert.deepEqual((await accuracy(repo, home, ['d.ts'])).wrong, []);

    const blockE = ['export const ai_stashed = "kept through a stash";'];
    await store.append([aiEdit(repoId, 'a.ts', 0, blockE)]);
    const a = repo.git('show', 'HEAD:a.ts').trimEnd().split('\n');
    repo.write('a.ts', [...blockE, ...a]);
    repo.git('stash', '-q');
    repo.git('stash', 'pop', '-q');
    repo.commitAll('stashed work');
    const result = await accuracy(repo, home, ['a.ts', 'b.ts', 'c.ts', 'd.ts']);
    assert.deepEqual(result.wrong, []);
  });

  it('maps bindings through a server-side squash merge with rewrite-map', async () => {
    repo.git('checkout', '-q', '-b', 'pr');
    const blockF = ['export function ai_server(x: number) {', '  return x * 2;', '}'];
    await store.append([aiEdit(repoId, 'e.ts', 0, blockF)]);
    repo.write('e.ts', [...blockF, 'human line e1']);
    repo.commitAll('P1');
    // The "server" squashes the PR onto main with no hooks (like a forge does).
    repo.git('checkout', '-q', 'main');
    repo.git('-c', 'core.hooksPath=/dev/null', 'merge', '-q', '--squash', 'pr');
    repo.git('-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'Squash of PR');
    assert.notDeepEqual((await accuracy(repo, home, ['e.ts'])).wrong, [], 'without hooks the squash commit is not bound yet');
    const mapped = cli(['rewrite-map', 'pr..main', '--json', '--home', home, '--repo', repo.dir], env, repo.dir);
    assert.equal(mapped.status, 0, mapped.stderr);
    assert.equal(JSON.parse(mapped.stdout).aiLines, 3);
    assert.deepEqual((await accuracy(repo, home, ['e.ts'])).wrong, []);
  });

  it('stats counts AI and human lines added and kept per tool, model and author', () => {
    const out = cli(['stats', '--json', '--home', home, '--repo', repo.dir], env, repo.dir);
    assert.equal(out.status, 0, out.stderr);
    const stats = JSON.parse(out.stdout);
    assert.ok(stats.ai.added > 0 && stats.ai.kept > 0);
    assert.equal(stats.byTool.copilot.kept, 3);
    assert.ok(stats.byModel['anthropic/claude-sonnet-4-5'].kept >= 10);
    assert.ok(stats.byAuthor['Dana Dev <dana@example.com>'].human.added > 0);
  });

  it('the ledger chain verifies, and the hook exits 0 outside a repository', () => {
    const verify = new GitLedger(home).verify();
    assert.equal(verify.ok, true);
    assert.ok(verify.puts > 5);
    // A flipped byte in the ledger breaks `lineagelens verify` and names the ledger.
    const copy = mkdtempSync(path.join(tmpdir(), 'll-ledger-copy-'));
    cpSync(home, copy, { recursive: true });
    const ledgerPath = path.join(copy, 'git', 'ledger.jsonl');
    const text = readFileSync(ledgerPath, 'utf8');
    writeFileSync(ledgerPath, text.replace('"via":"commit"', '"via":"rewrite"'));
    const broken = cli(['verify', '--home', copy], env);
    assert.equal(broken.status, 1, broken.stdout);
    assert.match(broken.stdout, /chain BROKEN at git\/ledger\.jsonl line \d+/);
    assert.match(broken.stdout, /git ledger: BROKEN/);
    assert.equal(cli(['verify', '--home', home], env).status, 0);
    rmSync(copy, { recursive: true, force: true });
    const outside = mkdtempSync(path.join(tmpdir(), 'll-not-a-repo-'));
    const run = cli(['git', 'post-commit', '--home', home], env, outside);
    assert.equal(run.status, 0);
    assert.match(run.stderr, /lineagelens git post-commit:/);
    rmSync(outside, { recursive: true, force: true });
  });
});

describe('git line matching', () => {
  it('finds runs anchored on non-trivial lines, never on a lone brace', () => {
    const runs = matchRuns(['}', 'a', 'b', '}'], ['x', '}', 'a', 'b', '}', 'y', '}'], [false, true, true, false]);
    assert.deepEqual(runs, [{ source: 0, target: 1, length: 4 }]);
    assert.deepEqual(matchRuns(['}'], ['}', '}'], [false]), []);
  });

  it('matches an insertion that starts mid-line and one inside a line', () => {
    const target = ['const x = computeTotal(items,', '  taxRate);', 'other'];
    assert.deepEqual(matchInsertedText('computeTotal(items,\n  taxRate', true, target), [0, 1]);
    assert.deepEqual(matchInsertedText('Total(items', true, ['a', 'const t = computeTotal(items);']), [1]);
    assert.deepEqual(matchInsertedText(')', true, ['f()']), [], 'too little text to place');
  });

  it('parses zero-context diffs into added line numbers', () => {
    const diff = ['diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1,0 +2,3 @@', '+a', '+b', '+c', '@@ -5 +8 @@', '-q', '+r', 'diff --git a/y b/y', '--- a/y', '+++ /dev/null'].join('\n');
    const files = parseAdditions(diff);
    assert.equal(files.length, 1);
    assert.deepEqual([...files[0]!.added], [2, 3, 4, 8]);
  });
});

describe('git notes (refs/notes/lineagelens)', function () {
  this.timeout(240_000);

  it('writes bindings as notes with --notes, and a teammate imports them after fetching', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'll-notes-home-'));
    const teammate = mkdtempSync(path.join(tmpdir(), 'll-notes-mate-'));
    const env = gitEnv(home);
    const repo = new TempRepo(env);
    const clone = mkdtempSync(path.join(tmpdir(), 'll-notes-clone-'));
    try {
      repo.write('n.ts', ['human line n1']);
      repo.commitAll('base');
      assert.equal(cli(['hooks', 'install', 'git', '--repo', repo.dir, '--home', home, '--notes'], env).status, 0);
      const store = await openStore({ home, privacy: 'full', index: 'none' });
      const block = ['export const ai_noted = "travels with the repo";', 'export const ai_noted_two = 2;'];
      await store.append([aiEdit((await repoIdentityOf(repo.dir)).id, 'n.ts', 1, block)]);
      await store.close();
      repo.write('n.ts', ['human line n1', ...block]);
      repo.commitAll('noted');
      const note = JSON.parse(repo.git('notes', '--ref=refs/notes/lineagelens', 'show', 'HEAD'));
      assert.equal(note.schema, 'lineagelens.notes/1');
      assert.deepEqual(note.bindings[0].ranges.map((r: { start: number; end: number }) => [r.start, r.end]), [[2, 3]]);

      spawnSync('git', ['clone', '-q', repo.dir, clone], { env });
      spawnSync('git', ['fetch', '-q', 'origin', 'refs/notes/lineagelens:refs/notes/lineagelens'], { cwd: clone, env });
      const mateEnv = gitEnv(teammate);
      const before = cli(['blame', 'n.ts', '--json', '--home', teammate], mateEnv, clone);
      assert.deepEqual(JSON.parse(before.stdout).summary, { ai: 0, human: 3 });
      const imported = cli(['git', 'import-notes', '--home', teammate], mateEnv, clone);
      assert.equal(imported.status, 0, imported.stderr);
      assert.match(imported.stdout, /^1 binding\(s\) added from 1 note\(s\)/);
      const after = cli(['blame', 'n.ts', '--json', '--home', teammate], mateEnv, clone);
      const lines = JSON.parse(after.stdout).lines as { origin: string; tool?: string }[];
      assert.deepEqual(lines.map((l) => l.origin), ['human', 'ai', 'ai']);
      assert.equal(lines[1]!.tool, 'claude-code');
      assert.match(cli(['git', 'import-notes', '--home', teammate], mateEnv, clone).stdout, /^0 binding/, 'importing again adds nothing');
    } finally {
      repo.dispose();
      for (const d of [home, teammate, clone]) rmSync(d, { recursive: true, force: true });
    }
  });
});
