/**
 * Graph lineage on the team server, end to end with real components, once per storage backend: Copilot
 * writes two functions into a real git repository (post-commit hook binds them), Claude Code rewrites one
 * of them, a person edits a line of the other, the branch is rebased onto a moved main (post-rewrite hook),
 * `lineagelens sync` uploads records and ledger to a real `lineagelens serve` process, and the recorded
 * GitHub webhooks (PR merged, approved, the branch's push) name the rebased commits. GET /api/v1/lineage
 * must answer the exact ancestry chain of each line, descendants of a session, the impact of a model and
 * PROV-JSON.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { updateUserConfig } from '../../src/core/config/userConfig';
import { repoIdentityOf } from '../../src/core/git/bindCommit';
import { GitLedger } from '../../src/core/git/gitLedger';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import { textContent } from '../../src/core/model/content';
import { repoOf } from '../../src/core/reviews/prEvents';
import { githubSignatureHeader } from '../../src/core/reviews/webhookSignature';
import { openStore } from '../../src/core/store/provenanceStore';
import type { AncestryJson, LineAncestryJson, ShownNode } from '../../src/server/lineage/lineageService';
import { aiEdit, gitEnv, TempRepo } from './gitHelpers';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, CLI, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webhooks');
const SECRET = 'gh-webhook-secret-for-lineage';
const cli = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, cwd, timeout: 60_000 });

const circle = ['export function areaOfCircle(radius: number) {', '  return Math.PI * radius * radius;', '}'];
const squareV1 = ['export function areaOfSquare(side: number) {', '  return side * side;', '}'];
const squareV2 = ['export function areaOfSquare(side: number): number {', '  if (side < 0) throw new RangeError("negative side");', '  return side * side;', '}'];
const header = ['// area helpers', 'export const unit = "cm";'];
const attrsOf = (n: ShownNode): Record<string, unknown> => ('attrs' in n ? n.attrs : {});

for (const backend of backendsUnderTest())
describe(`graph lineage on the team server, ${backend.name} (real git, store, sync, webhooks, server process)`, function () {
  this.timeout(180_000);
  let storage: TestStorage;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let repo: TempRepo;
  let repoId: string;
  let server: ServerProcess;
  let token: string;
  let copilot: ReturnType<typeof aiEdit>;
  let claude: ReturnType<typeof aiEdit>;
  const c: Record<string, string> = {};

  const lineage = async (query: string) => {
    const res = await api(server.url, token, `/api/v1/lineage?${query}`);
    return res;
  };
  const lineOf = async (line: number, rev: string): Promise<LineAncestryJson> => {
    const res = await lineage(`repo=${repoId}&path=area.ts&line=${line}&rev=${rev}`);
    assert.equal(res.status, 200, res.text + server.output().slice(-2000));
    return res.json as unknown as LineAncestryJson;
  };
  const chainOf = (a: AncestryJson) => a.chain.map((s) => [s.node.id, s.session?.id ?? null, s.via?.evidence ?? null]);

  async function deliver(event: string, fixture: string, delivery: string, edit: (payload: Record<string, unknown>) => void) {
    const payload = JSON.parse(readFileSync(path.join(FIXTURES, fixture), 'utf8')) as Record<string, unknown>;
    edit(payload);
    const body = Buffer.from(JSON.stringify(payload));
    const res = await fetch(`${server.url}/api/v1/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': githubSignatureHeader(SECRET, body) },
      body,
    });
    assert.equal(res.status, 200, await res.text());
  }

  before(async () => {
    home = tempDir('ll-slin-home-');
    storage = await backend.create('ll-slin-data-');
    env = gitEnv(home);
    updateUserConfig(home, { privacy: 'full' });
    repo = new TempRepo(env);
    repo.git('remote', 'add', 'origin', 'git@github.com:acme/widgets.git');
    repo.write('area.ts', header);
    repo.write('notes.md', ['notes']);
    repo.commitAll('base');
    assert.equal(cli(['hooks', 'install', 'git', '--repo', repo.dir, '--home', home], env).status, 0);
    repoId = (await repoIdentityOf(repo.dir)).id;
    assert.equal(repoId, repoOf('https://github.com/acme/widgets').id, 'the webhook fixtures name this repository');

    const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    try {
      repo.git('checkout', '-q', '-b', 'feature/area');
      // 1. Copilot (gpt-4o) writes both functions: C1.
      copilot = aiEdit(repoId, 'area.ts', 2, [...circle, ...squareV1], {
        tool: { name: 'copilot' },
        model: { id: 'gpt-4o', provider: 'openai' },
        sessionId: 'ses_copilot',
        prompt: { content: textContent('add area helpers for circle and square'), source: 'transcript' },
      });
      await store.append([copilot]);
      repo.write('area.ts', [...header, ...circle, ...squareV1]);
      c.c1 = repo.commitAll('C1 area helpers');
      // 2. Claude Code (sonnet) rewrites the square function (half of Copilot's lines): C2.
      claude = aiEdit(repoId, 'area.ts', 5, squareV2, {
        time: new Date(Date.parse(copilot.time) + 60_000).toISOString(),
        sessionId: 'ses_claude',
        prompt: { content: textContent('validate negative sides'), source: 'hook' },
        rangeBefore: { start: { line: 5, character: 0 }, end: { line: 8, character: 0 } },
        deletedText: textContent(`${squareV1.join('\n')}\n`),
      });
      await store.append([claude]);
      repo.write('area.ts', [...header, ...circle, ...squareV2]);
      c.c2 = repo.commitAll('C2 validate');
    } finally {
      await store.close();
    }
    // 3. A person edits one line of Copilot's circle function: C3.
    repo.write('area.ts', [...header, circle[0]!, '  return Math.PI * radius ** 2;', circle[2]!, ...squareV2]);
    c.c3 = repo.commitAll('C3 tidy');
    // 4. main moves on; the branch is rebased onto it (post-rewrite hook: C1..C3 -> C1'..C3').
    repo.git('checkout', '-q', 'main');
    repo.write('notes.md', ['notes', 'more notes']);
    c.main = repo.commitAll('main moves');
    repo.git('checkout', '-q', 'feature/area');
    repo.git('rebase', '-q', 'main');
    const log = repo.git('log', '--format=%H', '-3').trim().split('\n');
    [c.c3r, c.c2r, c.c1r] = log as [string, string, string];
    assert.ok(new GitLedger(home).readAll().some((r) => r.kind === 'rewrite' && r.source === 'rebase'), 'the rebase was recorded');

    process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET = SECRET;
    try {
      server = await startServerProcess(storage.data, storage.args);
    } finally {
      delete process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET;
    }
    token = server.token!;
    const sync = cli(['sync', '--server', server.url, '--home', home, '--json'], { ...env, LINEAGELENS_TOKEN: token });
    assert.equal(sync.status, 0, sync.stderr + sync.stdout);
    // 5. The PR: the branch's push (the rebased commits), approved by rita at the head, merged by sam.
    const merge = 'abcdef0123456789abcdef0123456789abcdef01';
    await deliver('push', 'github-push-feature.json', 'd-push', (p) => {
      const commits = p.commits as Record<string, unknown>[];
      p.commits = [c.c1r, c.c2r, c.c3r].map((id) => ({ ...commits[0], id }));
      p.after = c.c3r;
      p.head_commit = { ...(p.head_commit as object), id: c.c3r };
    });
    await deliver('pull_request_review', 'github-pull_request_review-approved.json', 'd-review', (p) => {
      (p.review as Record<string, unknown>).commit_id = c.c3r;
      ((p.pull_request as Record<string, unknown>).head as Record<string, unknown>).sha = c.c3r;
    });
    await deliver('pull_request', 'github-pull_request-merged.json', 'd-merged', (p) => {
      const pr = p.pull_request as Record<string, unknown>;
      (pr.head as Record<string, unknown>).sha = c.c3r;
      pr.merge_commit_sha = merge;
      // Merged after the push was delivered (a push's time is its delivery's): pushes after a merge
      // belong to whatever comes next, not to this PR.
      pr.merged_at = new Date().toISOString();
    });
  });

  after(async () => {
    await server?.stop();
    repo?.dispose();
    await storage?.drop();
    if (home) removeDir(home);
  });

  it('a line Claude Code rewrote: Copilot -> Claude Code, each with its session, landed in C2, rebased to C2\', reviewed in PR #42', async () => {
    // Line 7 of area.ts (`if (side < 0) ...`) was written by C2; after the rebase git blame names C2'.
    for (const rev of [c.c2!, c.c2r!]) {
      const a = await lineOf(7, rev);
      assert.equal(a.origin, 'ai');
      assert.equal(a.editId, claude.id);
      assert.deepEqual(chainOf(a.ancestry!), [
        [nodeId.edit(copilot.id), nodeId.session('ses_copilot'), null],
        [nodeId.edit(claude.id), nodeId.session('ses_claude'), 'content-hash'],
      ]);
      assert.deepEqual(
        a.ancestry!.chain.map((s) => [s.node.kind === 'edit' ? s.node.attrs.tool : null, s.node.kind === 'edit' ? s.node.attrs.model : null]),
        [['copilot', 'gpt-4o'], ['claude-code', 'claude-sonnet-4-5']],
      );
      assert.equal(a.ancestry!.chain[1]!.prompts.length, 1);
    }
    const a = await lineOf(7, c.c2r!.slice(0, 12));
    assert.equal(a.rev, c.c2r, 'an abbreviated revision resolves');
    const landed = new Map(a.ancestry!.landed.map((l) => [attrsOf(l.commit).sha, l]));
    const names = Object.fromEntries(Object.entries(c).map(([k, v]) => [v, k]));
    // Landed in C2 (post-commit) and C2' (the rebase replays it: post-commit binds again, post-rewrite
    // follows). While C1 is replayed the ledger also binds the one line of Claude's text already there
    // (`return side * side;` is in both versions): the ledger's facts, shown as they are.
    const landedIn = a.ancestry!.graph.edges.filter((e) => e.kind === 'landed-in' && e.from === nodeId.edit(claude.id));
    assert.deepEqual(landedIn.map((e) => names[e.to.split(':').pop()!]).sort(), ['c1r', 'c2', 'c2r']);
    assert.deepEqual(landedIn.find((e) => e.to.endsWith(c.c2!))?.attrs?.via, 'commit');
    const original = landed.get(c.c2!)!;
    assert.equal(original.path, 'area.ts');
    assert.deepEqual(original.rewrittenAs.map((n) => attrsOf(n).sha), [c.c2r]);
    assert.deepEqual(original.prs.map((p) => [attrsOf(p).number, attrsOf(p).status, attrsOf(p).by]), [[42, 'reviewed', 'rita']]);
    assert.ok(!JSON.stringify(a).includes('negative sides'), 'no prompt text in lineage answers');
  });

  it('a Copilot line nobody rewrote: one step, landed in C1 and C1\'; the line a person changed is theirs over Copilot\'s; a human line is unbound', async () => {
    const kept = await lineOf(3, c.c1r!);
    assert.deepEqual(chainOf(kept.ancestry!), [[nodeId.edit(copilot.id), nodeId.session('ses_copilot'), null]]);
    const squareLine = await lineOf(6, c.c1!);
    assert.deepEqual(chainOf(squareLine.ancestry!), [[nodeId.edit(copilot.id), nodeId.session('ses_copilot'), null]], 'at C1 the square line was still Copilot\'s');
    // The server has no git checkout: the post-commit hook's human-change fact says a person's commit
    // changed Copilot's line (at C3, and at C3' after the rebase).
    for (const rev of [c.c3!, c.c3r!]) {
      const human = await lineOf(4, rev);
      assert.equal(human.origin, 'human-over-ai', rev);
      assert.equal(human.editId, copilot.id);
      assert.deepEqual(human.ancestry!.chain.map((s) => [s.node.kind, s.node.kind === 'edit' ? attrsOf(s.node).tool : attrsOf(s.node).author]), [['edit', 'copilot'], ['human', 'Dana Dev']]);
      assert.deepEqual(human.ancestry!.landed.map((l) => attrsOf(l.commit).sha), [rev]);
    }
    const base = await lineOf(1, c.c1r!);
    assert.equal(base.origin, 'unbound');
  });

  it('descendants of Copilot\'s session: its edit, the edit that rewrote it, the commits before and after the rebase, the PR', async () => {
    const res = await lineage('session=ses_copilot');
    assert.equal(res.status, 200, res.text);
    const g = (res.json as unknown as { descendants: { nodes: { id: string; kind: string }[] } }).descendants;
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const id of [nodeId.edit(copilot.id), nodeId.edit(claude.id), nodeId.commit(repoId, c.c1!), nodeId.commit(repoId, c.c1r!), nodeId.commit(repoId, c.c2r!), nodeId.pr('github', repoId, 42)]) {
      assert.ok(ids.has(id), `${id} is downstream`);
    }
    const prompt = g.nodes.find((n) => n.kind === 'prompt');
    assert.equal(prompt, undefined, 'a session\'s prompts are upstream of it, not downstream');
    const byPrompt = await lineage(`node=${encodeURIComponent(nodeId.edit(copilot.id))}`);
    const promptId = (byPrompt.json as unknown as AncestryJson).chain[0]!.prompts[0]!.id;
    const fromPrompt = await lineage(`prompt=${encodeURIComponent(promptId)}`);
    assert.equal(fromPrompt.status, 200, fromPrompt.text);
    assert.ok(JSON.stringify(fromPrompt.json).includes(nodeId.edit(claude.id)), 'everything the prompt produced, and what rewrote it');
  });

  it('impact of a model and a tool over a time window', async () => {
    const gpt = await lineage('model=gpt-4o');
    assert.equal(gpt.status, 200, gpt.text);
    // Rewritten by Claude Code's edit and by the person's change (a human node at C3 and one at C3').
    assert.deepEqual(gpt.json, { impact: { tool: null, model: 'gpt-4o', since: null, until: null, edits: 1, lines: 6, sessions: 1, commits: 2, rewrittenBy: 3, files: 1 } });
    const later = await lineage('tool=claude-code&since=2030-01-01T00:00:00Z');
    assert.equal((later.json as unknown as { impact: { edits: number } }).impact.edits, 0);
  });

  it('answers PROV-JSON of an ancestry', async () => {
    const res = await lineage(`repo=${repoId}&path=area.ts&line=7&rev=${c.c2r}&format=prov`);
    assert.equal(res.status, 200, res.text);
    const doc = res.json as unknown as { entity: Record<string, unknown>; activity: Record<string, unknown>; wasDerivedFrom: Record<string, Record<string, string>> };
    const derived = Object.values(doc.wasDerivedFrom).filter((d) => d['prov:type'] === 'prov:Revision');
    assert.ok(derived.length >= 2, 'the rewrite by Claude Code and the rebase');
    for (const d of derived) assert.ok(d['prov:generatedEntity']! in doc.entity && d['prov:usedEntity']! in doc.entity);
    assert.ok(Object.keys(doc.activity).length >= 3, 'two sessions and the PR review');
  });

  it('refuses bad questions with a clear message, 404 for an unknown node, 401 without a token', async () => {
    for (const [q, msg] of [
      ['repo=x&path=a.ts&line=1', /needs repo, path, line and rev/],
      ['session=s&model=m', /ask one question/],
      ['', /ask one question/],
      [`repo=x&path=a.ts&line=0&rev=${c.c1}`, /line/],
      ['repo=x&path=a.ts&line=1&rev=zz', /rev must be a commit id/],
      ['node=edit:x&since=2026-01-01T00:00:00Z', /since\/until apply/],
      ['model=m&format=prov', /format=prov is for ancestry/],
      ['node=a&bogus=1', /bogus/],
    ] as const) {
      const res = await lineage(q);
      assert.equal(res.status, 400, `${q}: ${res.text}`);
      assert.match(res.json.error as string, msg, q);
    }
    assert.equal((await lineage('node=edit:nope')).status, 404);
    assert.equal((await api(server.url, null, '/api/v1/lineage?node=edit:x')).status, 401);
    const doc = await api(server.url, null, '/api/v1/openapi.json');
    assert.ok((doc.json as { paths: Record<string, unknown> }).paths['/api/v1/lineage'], 'documented in OpenAPI');
  });

  it('a second sync and a redelivered webhook change nothing', async () => {
    const before = JSON.stringify(await lineOf(7, c.c2r!));
    const again = cli(['sync', '--server', server.url, '--home', home, '--json'], { ...env, LINEAGELENS_TOKEN: token });
    assert.equal(again.status, 0, again.stderr);
    const ledger = new GitLedger(home).readAll();
    const resend = await api(server.url, token, '/api/v1/bindings', { body: { source: 'resend', records: ledger } });
    assert.equal(resend.status, 200, resend.text);
    assert.equal(JSON.stringify(await lineOf(7, c.c2r!)), before);
  });
});
