/**
 * Lineage scenarios in a real git repository: Copilot writes two functions, Claude Code rewrites one of
 * them, a person edits a line of the other, the history is amended (rewrite), and a PR merges it. The
 * ancestry of each line must be exactly that chain.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bindCommit, repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger, LedgerView } from '../../src/core/git/gitLedger';
import { reanchorRewrites } from '../../src/core/git/reanchor';
import { LineageGraph, nodeId } from '../../src/core/lineage/lineageGraph';
import { ancestryOf, descendantsOf, impactOf } from '../../src/core/lineage/lineageQueries';
import { lineLineage } from '../../src/core/lineage/lineLineage';
import { qname, toProvJson } from '../../src/core/lineage/provJson';
import { textContent } from '../../src/core/model/content';
import { ancestryMarkdown } from '../../src/core/present/ancestryMarkdown';
import { repoOf } from '../../src/core/reviews/prEvents';
import { describeCommitReview, PrReviewIndex } from '../../src/core/reviews/prReviews';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { repoRoot } from './helpers';

describe('lineage: the ancestry of every line (real git)', function () {
  this.timeout(120_000);
  let home: string;
  let repo: TempRepo;
  let store: ProvenanceStore;
  let repoId: string;
  const graph = new LineageGraph();
  const ledger = () => new LedgerView(new GitLedger(home).readAll());

  const circle = ['export function areaOfCircle(radius: number) {', '  return Math.PI * radius * radius;', '}'];
  const squareV1 = ['export function areaOfSquare(side: number) {', '  return side * side;', '}'];
  const squareV2 = ['export function areaOfSquare(side: number): number {', '  if (side < 0) throw new RangeError("negative side");', '  return side * side;', '}'];
  const header = ['// area helpers', 'export const unit = "cm";'];
  let copilot: ReturnType<typeof aiEdit>;
  let claude: ReturnType<typeof aiEdit>;
  let c3: string;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-lineage-home-'));
    repo = new TempRepo(gitEnv(home));
    repo.git('remote', 'add', 'origin', 'git@github.com:acme/widgets.git');
    repo.write('area.ts', header);
    repo.commitAll('base');
    store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    repoId = (await repoIdentityOf(repo.dir)).id;

    // 1. Copilot (gpt-4o) writes both functions.
    copilot = aiEdit(repoId, 'area.ts', 2, [...circle, ...squareV1], {
      tool: { name: 'copilot' },
      model: { id: 'gpt-4o', provider: 'openai' },
      sessionId: 'ses_copilot',
      prompt: { content: textContent('add area helpers for circle and square'), source: 'transcript' },
    });
    await store.append([copilot]);
    repo.write('area.ts', [...header, ...circle, ...squareV1]);
    const c1 = repo.commitAll('C1 area helpers');
    await bindCommit({ repoDir: repo.dir, commit: c1, store, ledger: new GitLedger(home) });

    // 2. Claude Code (sonnet) rewrites the square function.
    claude = aiEdit(repoId, 'area.ts', 5, squareV2, {
      time: new Date(Date.parse(copilot.time) + 60_000).toISOString(),
      sessionId: 'ses_claude',
      prompt: { content: textContent('validate negative sides'), source: 'hook' },
      rangeBefore: { start: { line: 5, character: 0 }, end: { line: 8, character: 0 } },
      deletedText: textContent(`${squareV1.join('\n')}\n`),
    });
    await store.append([claude]);
    repo.write('area.ts', [...header, ...circle, ...squareV2]);
    const c2 = repo.commitAll('C2 validate');
    await bindCommit({ repoDir: repo.dir, commit: c2, store, ledger: new GitLedger(home) });

    // 3. A person edits one line of the circle function; then amends the commit (a rewrite).
    repo.write('area.ts', [...header, circle[0]!, '  return Math.PI * radius ** 2;', circle[2]!, ...squareV2]);
    const before = repo.commitAll('C3 tidy');
    repo.git('commit', '--amend', '-q', '-m', 'C3 tidy (amended)');
    c3 = repo.git('rev-parse', 'HEAD').trim();
    await reanchorRewrites(repo.dir, [[before, c3]], new GitLedger(home), 'amend');

    const hits = await store.queryAll({ kind: 'edit' });
    for (const r of await store.getRecords(hits.map((h) => h.id))) if (r) graph.addRecord(r);
  });

  after(async () => {
    await store.close();
    repo.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('the rewritten line: Claude Code derived from Copilot, each with its session and prompt, landed in C2', async () => {
    const l = await lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 7, ledger: ledger(), graph });
    assert.equal(l.origin, 'ai');
    const chain = l.ancestry!.chain;
    assert.deepEqual(chain.map((s) => [s.node.kind, s.node.attrs.tool, s.node.attrs.model]), [
      ['edit', 'copilot', 'gpt-4o'],
      ['edit', 'claude-code', 'claude-sonnet-4-5'],
    ]);
    assert.equal(chain[0]!.session?.id, nodeId.session('ses_copilot'));
    assert.equal(chain[1]!.session?.id, nodeId.session('ses_claude'));
    assert.equal(chain[1]!.prompts?.length, 1);
    assert.equal(chain[1]!.via?.evidence, 'content-hash');
    assert.ok(chain[1]!.via!.confidence >= 0.5 && chain[1]!.via!.confidence <= 1, `confidence ${chain[1]!.via!.confidence}`);
    assert.equal(chain[0]!.via, undefined, 'the origin derives from nothing');
    assert.deepEqual(l.ancestry!.landed.map((x) => x.path), ['area.ts']);
    assert.ok(!JSON.stringify(l).includes('negative sides'), 'no prompt text in lineage answers');
    const pct = Math.round(chain[1]!.via!.confidence * 100);
    assert.equal(ancestryMarkdown(chain, false), `**Ancestry:** copilot gpt\\-4o → rewritten by claude\\-code claude\\-sonnet\\-4\\-5${pct < 100 ? ` (${pct}% of lines matched)` : ''}`);
    assert.equal(ancestryMarkdown(chain.slice(0, 1), false), null, 'one step: nothing to add to the hover');
    assert.match(ancestryMarkdown(chain.slice(0, 1), true)!, /→ edited by a person since$/);
  });

  it('the line a person changed: human (after the amend) over Copilot’s edit, then the PR that reviewed it', async () => {
    // The PR's webhooks name the amended commit as its head; the repository id is the one git gives.
    const github = repoOf('https://github.com/acme/widgets');
    assert.equal(github.id, repoId);
    const prs = new PrReviewIndex();
    const pr = { kind: 'pull-request', provider: 'github', repo: github, number: 7, url: 'https://github.com/acme/widgets/pull/7', title: 'tidy', author: 'dana', headRef: 'tidy', headSha: c3 } as const;
    prs.add([
      { ...pr, state: 'open', mergeCommitSha: null, mergedAt: null, mergedBy: null, time: '2026-11-20T10:00:00.000Z' },
      { kind: 'review', provider: 'github', repo: github, number: 7, reviewer: 'rita', state: 'approved', commit: c3, time: '2026-11-20T11:00:00.000Z' },
      { ...pr, state: 'merged', mergeCommitSha: null, mergedAt: '2026-11-20T12:00:00.000Z', mergedBy: 'sam', time: '2026-11-20T12:00:00.000Z' },
    ]);
    const review = prs.reviewOf(repoId, c3)!;
    graph.addPullRequest(repoId, c3, { provider: 'github', number: review.pr.number, url: review.pr.url, status: describeCommitReview(review), by: null });

    const l = await lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 4, ledger: ledger(), graph });
    assert.equal(l.origin, 'human-over-ai');
    assert.equal(l.commit, c3);
    assert.deepEqual(l.ancestry!.chain.map((s) => s.node.kind), ['edit', 'human']);
    assert.equal(l.ancestry!.chain[0]!.node.id, nodeId.edit(copilot.id));
    assert.equal(l.ancestry!.chain[1]!.node.attrs.author, 'Dana Dev');
    assert.deepEqual(
      l.ancestry!.landed.map((x) => [x.commit.attrs.sha, x.prs.map((p) => p.attrs.status)]),
      [[c3, ['reviewed by rita in PR #7']]],
    );
  });

  it('an untouched Copilot line: one step; a human line: no AI ancestry', async () => {
    const ai = await lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 3, ledger: ledger(), graph });
    assert.equal(ai.origin, 'ai');
    assert.deepEqual(ai.ancestry!.chain.map((s) => s.node.id), [nodeId.edit(copilot.id)]);
    const human = await lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 1, ledger: ledger(), graph });
    assert.deepEqual([human.origin, human.ancestry], ['human', null]);
    await assert.rejects(lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 99, ledger: ledger(), graph }), /no line 99/);
  });

  it('descendants of Copilot’s prompt: its session, its edit, the edit and the person that rewrote it, the commits and the PR', () => {
    const prompt = graph.out(nodeId.session('ses_copilot'), 'prompted-by')[0]!.to;
    const sub = descendantsOf(graph, prompt)!;
    const kinds = sub.nodes.map((n) => n.kind).sort();
    assert.deepEqual([...new Set(kinds)], ['commit', 'edit', 'human', 'pr', 'prompt', 'session']);
    assert.ok(sub.nodes.some((n) => n.id === nodeId.edit(claude.id)), 'the rewrite by another tool is downstream');
  });

  it('`lineagelens lineage file:line` answers the same from the store and ledger (JSON and text)', () => {
    const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'lineage', ...args, '--repo', repo.dir, '--home', home], { encoding: 'utf8', env: gitEnv(home), timeout: 60_000 });
    const json = run('area.ts:7', '--json');
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { origin: string; ancestry: { chain: { node: { id: string } }[] } };
    assert.equal(r.origin, 'ai');
    assert.deepEqual(r.ancestry.chain.map((s) => s.node.id), [nodeId.edit(copilot.id), nodeId.edit(claude.id)]);
    const text = run('area.ts:4');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /1\. AI edit by copilot \(gpt-4o\)[\s\S]*2\. edited by Dana Dev/);
    const prov = run('area.ts:7', '--prov');
    assert.equal(prov.status, 0, prov.stderr);
    assert.equal(Object.keys((JSON.parse(prov.stdout) as { wasDerivedFrom: object }).wasDerivedFrom).length, 1);
    assert.equal(run('area.ts').status, 2, 'a line number is required');
    assert.match(run('missing.ts:1').stderr, /lineagelens lineage: /);
  });

  it('exports an ancestry as W3C PROV-JSON: every relation names declared entities, activities and agents', async () => {
    const l = await lineLineage({ repoDir: repo.dir, file: 'area.ts', line: 4, ledger: ledger(), graph });
    const doc = toProvJson(l.ancestry!.graph);
    const declared = new Set([...Object.keys(doc.entity), ...Object.keys(doc.activity), ...Object.keys(doc.agent)]);
    const relations = [doc.wasGeneratedBy, doc.used, doc.wasDerivedFrom, doc.hadMember, doc.wasAssociatedWith, doc.wasAttributedTo].flatMap((t) => Object.values(t));
    assert.ok(relations.length >= 5, `${relations.length} relations`);
    for (const r of relations) {
      for (const [k, v] of Object.entries(r)) if (k.startsWith('prov:') && k !== 'prov:type') assert.ok(declared.has(String(v)), `${k} ${String(v)} is declared`);
    }
    const human = qname(l.ancestry!.chain[1]!.node.id);
    const copilotEdit = qname(nodeId.edit(copilot.id));
    assert.ok(Object.values(doc.wasDerivedFrom).some((d) => d['prov:generatedEntity'] === human && d['prov:usedEntity'] === copilotEdit), 'the person’s change derives from Copilot’s edit');
    assert.equal(doc.agent[qname('person:Dana Dev')]?.['prov:type'], 'prov:Person');
    assert.equal(doc.agent[qname('tool:copilot')]?.['prov:type'], 'prov:SoftwareAgent');
    assert.ok(Object.keys(doc.entity).every((k) => /^ll:[A-Za-z0-9._-]+$/.test(k)), 'qualified names');
    assert.ok(!JSON.stringify(doc).includes('circle and square'), 'no prompt text');
  });

  it('impact of a model over a window, and the graph builds the same in any record order', () => {
    assert.deepEqual(impactOf(graph, { model: 'gpt-4o' }), { edits: 1, lines: 6, sessions: 1, commits: 1, rewrittenBy: 2, files: 1 });
    assert.equal(impactOf(graph, { model: 'gpt-4o', since: '2030-01-01T00:00:00.000Z' }).edits, 0);
    const reversed = new LineageGraph();
    reversed.addRecord(claude);
    reversed.addRecord(copilot);
    const fwd = new LineageGraph();
    fwd.addRecord(copilot);
    fwd.addRecord(claude);
    const edges = (g: LineageGraph) => [...g.allEdges()].map((e) => `${e.from} ${e.kind} ${e.to} ${e.confidence}`).sort();
    assert.deepEqual(edges(reversed), edges(fwd));
    assert.ok(edges(fwd).some((e) => e.includes('derived-from')));
    assert.equal(ancestryOf(fwd, 'edit:nope'), null);
  });
});
