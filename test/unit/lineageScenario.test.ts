/**
 * A multi-step history in a real git repository, answered from the lineage edges in the store (sql.js):
 *
 *   Copilot inserts a function (C1) -> Claude Code rewrites half of it (C2) -> a person edits one of
 *   Copilot's remaining lines (C3) -> the branch is rebased onto main (C1' C2' C3', reanchored).
 *
 * Each line's exact chain is checked through `lineagelens lineage` (the CLI process reads the store's
 * edges), plus --descendants, --impact, `export --lineage` as PROV-JSON and inside a signed in-toto
 * export that `lineagelens verify` accepts, and rejects once the lineage file is tampered with.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bindCommit, repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger } from '../../src/core/git/gitLedger';
import { reanchorRewrites } from '../../src/core/git/reanchor';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import { qname } from '../../src/core/lineage/provJson';
import { textContent } from '../../src/core/model/content';
import { openStore } from '../../src/core/store/provenanceStore';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { repoRoot } from './helpers';

describe('lineage scenario from the store’s edges: insert, rewrite half, human edit, commit, rebase (real git)', function () {
  this.timeout(180_000);
  let home: string;
  let repo: TempRepo;
  let copilot: ReturnType<typeof aiEdit>;
  let claude: ReturnType<typeof aiEdit>;
  const rebased = new Map<string, string>();
  const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--home', home], { cwd: repo.dir, encoding: 'utf8', env: gitEnv(home), timeout: 60_000 });
  const lineage = (spec: string) => {
    const r = cli('lineage', spec, '--json');
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      origin: string;
      commit: string;
      ancestry: { chain: { node: { id: string; kind: string; attrs: Record<string, unknown> }; via?: { evidence: string } }[]; landed: { commit: { attrs: { sha: string } }; rewrittenAs: { attrs: { sha: string } }[] }[] } | null;
    };
  };

  const header = ['// shapes', 'export const version = 1;'];
  const fnV1 = ['export function perimeter(width: number, height: number) {', '  const doubled = 2 * (width + height);', '  const rounded = Math.round(doubled * 100) / 100;', '  return rounded;', '}'];
  const fnV2 = [fnV1[0]!, fnV1[1]!, '  const rounded = Number(doubled.toFixed(2)); // claude', '  return Math.max(0, rounded);', '}'];
  const fnV3 = [fnV1[0]!, '  const doubled = (width + height) * 2; // person', fnV2[2]!, fnV2[3]!, '}'];

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-lineage-scenario-'));
    repo = new TempRepo(gitEnv(home));
    repo.git('remote', 'add', 'origin', 'git@github.com:acme/shapes.git');
    repo.write('shapes.ts', header);
    repo.commitAll('base');
    repo.git('checkout', '-q', '-b', 'feature');
    const repoId = (await repoIdentityOf(repo.dir)).id;
    const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    const ledger = new GitLedger(home);
    try {
      // 1. Copilot inserts the function.
      copilot = aiEdit(repoId, 'shapes.ts', 2, fnV1, { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, sessionId: 'ses_copilot', prompt: { content: textContent('add perimeter'), source: 'transcript' } });
      await store.append([copilot]);
      repo.write('shapes.ts', [...header, ...fnV1]);
      const c1 = repo.commitAll('C1 perimeter');
      await bindCommit({ repoDir: repo.dir, commit: c1, store, ledger });
      // 2. Claude Code rewrites the second half (lines 3-4 of the function).
      claude = aiEdit(repoId, 'shapes.ts', 4, fnV2.slice(2, 4), {
        time: new Date(Date.parse(copilot.time) + 60_000).toISOString(),
        sessionId: 'ses_claude',
        prompt: { content: textContent('round with toFixed, never negative'), source: 'hook' },
        rangeBefore: { start: { line: 4, character: 0 }, end: { line: 6, character: 0 } },
        deletedText: textContent(`${fnV1.slice(2, 4).join('\n')}\n`),
      });
      await store.append([claude]);
      repo.write('shapes.ts', [...header, ...fnV2]);
      const c2 = repo.commitAll('C2 rounding');
      await bindCommit({ repoDir: repo.dir, commit: c2, store, ledger });
      // 3. A person edits one of Copilot's remaining lines.
      repo.write('shapes.ts', [...header, ...fnV3]);
      const c3 = repo.commitAll('C3 tidy');
      // 4. main moves on; the branch is rebased onto it and the bindings follow (post-rewrite).
      repo.git('checkout', '-q', 'main');
      repo.write('README.md', ['# shapes']);
      repo.commitAll('docs');
      repo.git('checkout', '-q', 'feature');
      repo.git('rebase', '-q', 'main');
      const after = repo.git('rev-list', '--reverse', 'main..feature').trim().split('\n');
      [c1, c2, c3].forEach((c, i) => rebased.set(c, after[i]!));
      await reanchorRewrites(repo.dir, [...rebased], ledger, 'rebase');
      assert.notEqual(rebased.get(c1), c1, 'the rebase rewrote the commits');
    } finally {
      await store.close();
    }
  });

  after(() => {
    repo.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('every line’s chain: Copilot; Copilot -> Claude Code; Copilot -> the person; none for a human line', () => {
    const [c1, c2] = [...rebased.keys()];
    // Line 3: Copilot's line nobody touched.
    const untouched = lineage('shapes.ts:3');
    assert.equal(untouched.origin, 'ai');
    assert.deepEqual(untouched.ancestry!.chain.map((s) => s.node.id), [nodeId.edit(copilot.id)]);
    assert.deepEqual(untouched.ancestry!.landed.map((l) => [l.commit.attrs.sha, l.rewrittenAs.map((c) => c.attrs.sha)]), [[c1, [rebased.get(c1)]], [rebased.get(c1), []]]);
    // Lines 5 and 6: Claude Code's rewrite of Copilot's second half.
    for (const line of [5, 6]) {
      const rewritten = lineage(`shapes.ts:${line}`);
      assert.equal(rewritten.origin, 'ai');
      assert.equal(rewritten.commit, rebased.get(c2));
      assert.deepEqual(rewritten.ancestry!.chain.map((s) => [s.node.id, s.node.attrs.tool, s.via?.evidence ?? null]), [
        [nodeId.edit(copilot.id), 'copilot', null],
        [nodeId.edit(claude.id), 'claude-code', 'content-hash'],
      ]);
    }
    // Line 4: the person's edit over Copilot's line, in the rebased C3.
    const human = lineage('shapes.ts:4');
    assert.equal(human.origin, 'human-over-ai');
    assert.equal(human.commit, rebased.get([...rebased.keys()][2]!));
    assert.deepEqual(human.ancestry!.chain.map((s) => [s.node.kind, s.node.attrs.tool ?? s.node.attrs.author]), [['edit', 'copilot'], ['human', 'Dana Dev']]);
    // Line 1: a person's line from the start.
    const plain = lineage('shapes.ts:1');
    assert.deepEqual([plain.origin, plain.ancestry], ['human', null]);
    // At the old (pre-rebase) revision, the same chain for Claude Code's line, landed in the old C2.
    const old = lineage(`shapes.ts:5`);
    assert.ok(old.ancestry!.landed.some((l) => l.commit.attrs.sha === c2 && l.rewrittenAs.some((c) => c.attrs.sha === rebased.get(c2))));
    const atOld = JSON.parse(cli('lineage', 'shapes.ts:5', '--rev', c2, '--json').stdout) as { commit: string };
    assert.equal(atOld.commit, c2);
  });

  it('--descendants of Copilot’s session and --impact per tool, from the store’s edges', () => {
    const d = cli('lineage', '--descendants', 'ses_copilot', '--json');
    assert.equal(d.status, 0, d.stderr);
    const sub = JSON.parse(d.stdout) as { nodes: { id: string; kind: string }[] };
    const ids = sub.nodes.map((n) => n.id);
    assert.ok(ids.includes(nodeId.edit(copilot.id)) && ids.includes(nodeId.edit(claude.id)), 'Claude Code’s rewrite is downstream of Copilot’s session');
    assert.ok(sub.nodes.filter((n) => n.kind === 'commit').length >= 4, 'commits before and after the rebase');
    const text = cli('lineage', '--descendants', 'ses_copilot');
    assert.match(text.stdout, /^session:ses_copilot: 2 edit\(s\)/);
    const impact = cli('lineage', '--impact', '--tool', 'copilot', '--json');
    assert.equal(impact.status, 0, impact.stderr);
    assert.deepEqual(JSON.parse(impact.stdout), { filter: { tool: 'copilot' }, edits: 1, lines: 5, sessions: 1, commits: 2, rewrittenBy: 1, files: 1 });
    const none = JSON.parse(cli('lineage', '--impact', '--model', 'gpt-4o', '--since', '2030-01-01', '--json').stdout) as { edits: number };
    assert.equal(none.edits, 0);
    assert.equal(cli('lineage', '--descendants', 'ses_copilot', 'shapes.ts:3').status, 2);
    assert.match(cli('lineage', '--descendants', 'ses_nobody').stderr, /knows no session:ses_nobody/);
  });

  it('exports a line’s lineage as PROV-JSON, and inside a signed in-toto export that verify checks', () => {
    const out = path.join(home, 'line5.prov.json');
    const prov = cli('export', '--lineage', 'shapes.ts:5', '--out', out);
    assert.equal(prov.status, 0, prov.stderr);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { entity: Record<string, unknown>; wasDerivedFrom: Record<string, { 'prov:generatedEntity': string; 'prov:usedEntity': string }> };
    assert.ok(doc.entity[qname(nodeId.edit(claude.id))] && doc.entity[qname(nodeId.edit(copilot.id))]);
    assert.ok(Object.values(doc.wasDerivedFrom).some((r) => r['prov:generatedEntity'] === qname(nodeId.edit(claude.id)) && r['prov:usedEntity'] === qname(nodeId.edit(copilot.id))));

    assert.equal(cli('keys', 'generate').status, 0);
    const envelope = path.join(home, 'audit.intoto.json');
    const signed = cli('export', '--format', 'intoto', '--out', envelope, '--lineage', 'ses_copilot', '--json');
    assert.equal(signed.status, 0, signed.stderr);
    const payload = JSON.parse(Buffer.from((JSON.parse(readFileSync(envelope, 'utf8')) as { payload: string }).payload, 'base64').toString('utf8')) as {
      subject: { name: string }[];
      predicate: { lineage: { file: string; target: string; entities: number; relations: number } };
    };
    assert.equal(payload.predicate.lineage.target, 'ses_copilot');
    assert.ok(payload.subject.some((s) => s.name === payload.predicate.lineage.file), 'the lineage file is a signed subject');
    assert.ok(payload.predicate.lineage.entities >= 4);
    const ok = cli('verify', envelope, '--json');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);

    // Tampering: drop the derived-from relation from the lineage file.
    const lineageFile = path.join(home, payload.predicate.lineage.file);
    const tampered = JSON.parse(readFileSync(lineageFile, 'utf8')) as { wasDerivedFrom: Record<string, unknown> };
    tampered.wasDerivedFrom = {};
    writeFileSync(lineageFile, `${JSON.stringify(tampered, null, 2)}\n`);
    const bad = cli('verify', envelope, '--json');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout + bad.stderr, /lineage.*(differs|holds)|changed after it was signed/);
  });
});
