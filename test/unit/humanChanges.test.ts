/**
 * A person's changes over AI lines as ledger facts (core/git/humanChanges.ts), in real git repositories:
 * a rename with an edit, an AI edit of its own AI lines in the same commit (not a person's), an amend of
 * the person's commit (the post-rewrite path gives the new commit its fact), a diff too large (skipped
 * with a note, the bindings kept), and the unified-diff parsing of renames and quoted paths.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bindCommit, repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../../src/core/git/gitLedger';
import type { HumanChange } from '../../src/core/git/gitRecords';
import { MAX_REPLACED_LINES, parseReplacements } from '../../src/core/git/humanChanges';
import { reanchorRewrites } from '../../src/core/git/reanchor';
import { lineLineage } from '../../src/core/lineage/lineLineage';
import { LineageGraph } from '../../src/core/lineage/lineageGraph';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';

const facts = (home: string) => new GitLedger(home).readAll().filter((r): r is HumanChange => r.kind === 'human-change');

describe('human-change facts (real git)', function () {
  this.timeout(120_000);
  let home: string;
  let repo: TempRepo;
  let store: ProvenanceStore;
  let ledger: GitLedger;
  let repoId: string;

  beforeEach(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-hc-home-'));
    repo = new TempRepo(gitEnv(home));
    repo.write('README.md', ['# demo']);
    repo.commitAll('base');
    repoId = (await repoIdentityOf(repo.dir)).id;
    store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    ledger = new GitLedger(home);
  });

  afterEach(async () => {
    await store.close();
    repo.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  const fn = ['export function parseUserToken(raw: string) {', '  const trimmed = raw.trim();', '  return trimmed.split(".")[1] ?? null;', '}'];

  it('follows a rename: the person edits a line of the moved file; lineLineage answers from the fact', async () => {
    const edit = aiEdit(repoId, 'auth.ts', 0, fn);
    await store.append([edit]);
    repo.write('auth.ts', fn);
    await bindCommit({ repoDir: repo.dir, commit: repo.commitAll('AI'), store, ledger });
    repo.git('mv', 'auth.ts', 'token.ts');
    repo.write('token.ts', [fn[0]!, '  const trimmed = raw.trim().toLowerCase(); // person', fn[2]!, fn[3]!]);
    const c2 = repo.commitAll('rename and edit');
    const bound = await bindCommit({ repoDir: repo.dir, commit: c2, store, ledger });
    assert.deepEqual(bound.humanChanges.map((h) => [h.path, h.edit.id, h.ranges.map((r) => [r.start, r.end])]), [['token.ts', edit.id, [[2, 2]]]]);
    const answer = await lineLineage({ repoDir: repo.dir, file: 'token.ts', line: 2, ledger: new LedgerView(ledger.readAll()), graph: new LineageGraph() });
    assert.equal(answer.origin, 'human-over-ai');
    assert.deepEqual(answer.ancestry!.chain.map((s) => [s.node.kind, s.node.attrs.ranges ?? s.node.id]), [['edit', `edit:${edit.id}`], ['human', '2-2']]);
    // Binding the same commit again adds nothing.
    const again = await bindCommit({ repoDir: repo.dir, commit: c2, store, ledger });
    assert.deepEqual([again.humanChanges.length, facts(home).length], [0, 1]);
  });

  it('an AI edit rewriting AI lines in the same commit is not a person’s change; an amend of the person’s commit gets its own fact', async () => {
    const first = aiEdit(repoId, 'auth.ts', 0, fn);
    await store.append([first]);
    repo.write('auth.ts', fn);
    await bindCommit({ repoDir: repo.dir, commit: repo.commitAll('AI'), store, ledger });
    // An AI edit replaces line 3 with its own text: bound to that edit in C2, so not a person's.
    const second = aiEdit(repoId, 'auth.ts', 2, ['  return trimmed.split(".").at(1) ?? null; // ai again'], {
      time: new Date(Date.parse(first.time) + 60_000).toISOString(),
      rangeBefore: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } },
    });
    await store.append([second]);
    // ... while the person changes line 2 in the same commit.
    repo.write('auth.ts', [fn[0]!, '  const trimmed = raw.trim(); // person', '  return trimmed.split(".").at(1) ?? null; // ai again', fn[3]!]);
    const c2 = repo.commitAll('mixed');
    const bound = await bindCommit({ repoDir: repo.dir, commit: c2, store, ledger });
    assert.equal(bound.aiLines, 1);
    assert.deepEqual(bound.humanChanges.map((h) => [h.edit.id, h.ranges.map((r) => [r.start, r.end])]), [[first.id, [[2, 2]]]]);
    // Amend (message only): the post-rewrite path gives the new commit the same fact.
    repo.git('commit', '-q', '--amend', '-m', 'mixed, amended');
    const amended = repo.git('rev-parse', 'HEAD').trim();
    const result = await reanchorRewrites(repo.dir, [[c2, amended]], ledger, 'amend');
    assert.deepEqual(result.humanChanges.map((h) => [h.commit, h.edit.id, h.ranges.map((r) => [r.start, r.end])]), [[amended, first.id, [[2, 2]]]]);
    const answer = await lineLineage({ repoDir: repo.dir, file: 'auth.ts', line: 2, ledger: new LedgerView(ledger.readAll()), graph: new LineageGraph() });
    assert.deepEqual([answer.origin, answer.commit], ['human-over-ai', amended]);
    assert.equal(ledger.verify().ok, true);
  });

  it('a diff replacing more lines than the bound is skipped with a note; the commit’s bindings are kept', async () => {
    const many = Array.from({ length: MAX_REPLACED_LINES + 1 }, (_, i) => `const generated${i} = ${i};`);
    repo.write('big.ts', many);
    await bindCommit({ repoDir: repo.dir, commit: repo.commitAll('generated'), store, ledger });
    const edit = aiEdit(repoId, 'big.ts', 0, fn);
    await store.append([edit]);
    repo.write('big.ts', [...fn, ...many.map((l) => `${l} // reviewed`)]);
    const c2 = await bindCommit({ repoDir: repo.dir, commit: repo.commitAll('AI header, every line touched'), store, ledger });
    assert.equal(c2.aiLines, fn.length);
    assert.deepEqual(c2.humanChanges, []);
    assert.match(c2.humanChangeNote ?? '', /: 2000\d replaced lines \(more than 20000\): people.s changes over AI lines not computed/);
    assert.deepEqual([facts(home).length, new GitLedger(home).readAll().filter((r) => r.kind === 'binding').length], [0, 1]);
  });

  it('parses renames, quoted paths, and keeps only hunks that replaced lines', () => {
    const diff = [
      'diff --git a/old name.ts b/new.ts',
      'similarity index 80%',
      'rename from old name.ts',
      'rename to new.ts',
      '--- a/old name.ts',
      '+++ b/new.ts',
      '@@ -2 +2 @@',
      '@@ -5,0 +6,2 @@',
      'diff --git "a/caf\\303\\251.ts" "b/caf\\303\\251.ts"',
      '--- "a/caf\\303\\251.ts"',
      '+++ "b/caf\\303\\251.ts"',
      '@@ -1,3 +1 @@',
      'diff --git a/gone.ts b/gone.ts',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      'diff --git a/added.ts b/added.ts',
      '--- /dev/null',
      '+++ b/added.ts',
      '@@ -0,0 +1,2 @@',
    ].join('\n');
    assert.deepEqual(parseReplacements(diff), [
      { oldPath: 'old name.ts', newPath: 'new.ts', hunks: [{ oldStart: 2, oldCount: 1, newStart: 2, newCount: 1 }] },
      { oldPath: 'café.ts', newPath: 'café.ts', hunks: [{ oldStart: 1, oldCount: 3, newStart: 1, newCount: 1 }] },
    ]);
  });
});
