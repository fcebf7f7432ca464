/**
 * PR webhooks on a real `lineagelens serve` process, once per backend: GitHub and GitLab deliveries (the
 * recorded payloads in test/fixtures/webhooks) with real signatures, redeliveries stored once, refused
 * signatures and bad payloads, and the review status a commit gets from them.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoOf } from '../../src/core/reviews/prEvents';
import { githubSignatureHeader } from '../../src/core/reviews/webhookSignature';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { api, removeDir, type ServerProcess, startServerProcess, tempDir } from './serverHarness';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webhooks');
const GITHUB_SECRET = 'gh-webhook-secret-for-tests';
const GITLAB_TOKEN = 'gl-webhook-token-for-tests';
const widgets = repoOf('https://github.com/acme/widgets').id;
const gadgets = repoOf('https://gitlab.example.com/acme/gadgets').id;

async function deliver(base: string, provider: 'github' | 'gitlab', event: string, body: Buffer, headers: Record<string, string>) {
  const res = await fetch(`${base}/api/v1/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [provider === 'github' ? 'x-github-event' : 'x-gitlab-event']: event, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

const github = (base: string, event: string, fixture: string, delivery: string, secret = GITHUB_SECRET) => {
  const body = readFileSync(path.join(FIXTURES, fixture));
  return deliver(base, 'github', event, body, { 'x-github-delivery': delivery, 'x-hub-signature-256': githubSignatureHeader(secret, body) });
};
const gitlab = (base: string, event: string, fixture: string, delivery: string, token = GITLAB_TOKEN) =>
  deliver(base, 'gitlab', event, readFileSync(path.join(FIXTURES, fixture)), { 'x-gitlab-event-uuid': delivery, 'x-gitlab-token': token });

for (const backend of backendsUnderTest())
describe(`PR webhooks and review status on ${backend.name} (real server process)`, function () {
  this.timeout(60_000);
  let storage: TestStorage;
  let server: ServerProcess;
  let token: string;
  const review = async (repo: string, commit: string) => {
    const r = await api(server.url, token, `/api/v1/reviews?repo=${repo}&commit=${commit}`);
    assert.equal(r.status, 200, r.text);
    return r.json as { review: { status: string } | null; description: string };
  };

  before(async () => {
    storage = await backend.create('ll-server-webhooks-');
    process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
    process.env.LINEAGELENS_GITLAB_WEBHOOK_TOKEN = GITLAB_TOKEN;
    try {
      server = await startServerProcess(storage.data, storage.args);
    } finally {
      delete process.env.LINEAGELENS_GITHUB_WEBHOOK_SECRET;
      delete process.env.LINEAGELENS_GITLAB_WEBHOOK_TOKEN;
    }
    token = server.token!;
  });

  after(async () => {
    await server?.stop();
    await storage?.drop();
  });

  it('GitHub: opened, pushed, approved, merged -> every commit of the PR "reviewed by rita in PR #42"', async () => {
    assert.equal((await github(server.url, 'pull_request', 'github-pull_request-opened.json', 'd-1')).json.stored, true);
    assert.equal((await github(server.url, 'push', 'github-push-feature.json', 'd-2')).json.stored, true);
    // Before the approval and the merge: in review.
    assert.equal((await review(widgets, '2'.repeat(40))).review?.status, 'in-review');
    assert.equal((await github(server.url, 'pull_request_review', 'github-pull_request_review-approved.json', 'd-3')).status, 200);
    const merged = await github(server.url, 'pull_request', 'github-pull_request-merged.json', 'd-4');
    assert.deepEqual(merged, { status: 200, json: { delivery: 'd-4', facts: 1, stored: true } });
    for (const commit of ['1'.repeat(40), '2'.repeat(40), '3'.repeat(40)]) {
      assert.equal((await review(widgets, commit)).description, 'reviewed by rita in PR #42', commit);
    }
    assert.deepEqual(await review(widgets, '9'.repeat(40)), { repo: widgets, commit: '9'.repeat(40), review: null, description: 'no pull request known' });
  });

  it('a redelivery is stored once; a dismissal delivered later turns it into "merged without review"', async () => {
    assert.equal((await github(server.url, 'pull_request', 'github-pull_request-merged.json', 'd-4')).json.stored, false);
    assert.equal((await github(server.url, 'pull_request_review', 'github-pull_request_review-dismissed.json', 'd-5')).json.stored, true);
    assert.equal((await review(widgets, '2'.repeat(40))).description, 'merged without review in PR #42 by sam');
  });

  it('refuses a wrong signature, a wrong token, bad JSON and bad payloads; acknowledges events it does not use', async () => {
    const wrong = await github(server.url, 'pull_request', 'github-pull_request-merged.json', 'd-x', 'not-the-secret');
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.json.error), /signature does not match/);
    assert.equal((await gitlab(server.url, 'Merge Request Hook', 'gitlab-merge_request-merged.json', 'g-x', 'nope')).status, 401);
    const badJson = Buffer.from('{"action":');
    assert.equal((await deliver(server.url, 'github', 'push', badJson, { 'x-hub-signature-256': githubSignatureHeader(GITHUB_SECRET, badJson) })).status, 400);
    const badShape = Buffer.from(JSON.stringify({ action: 'closed', pull_request: { number: 'x' }, repository: {} }));
    const bad = await deliver(server.url, 'github', 'pull_request', badShape, { 'x-hub-signature-256': githubSignatureHeader(GITHUB_SECRET, badShape) });
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /pull_request\.number/);
    const ping = await github(server.url, 'ping', 'github-ping.json', 'd-ping');
    assert.deepEqual(ping.json, { delivery: 'd-ping', facts: 0, stored: false, ignored: 'ping' });
    assert.equal((await api(server.url, null, `/api/v1/reviews?repo=${widgets}&commit=${'2'.repeat(40)}`)).status, 401, 'review status needs a token');
    assert.equal((await api(server.url, token, `/api/v1/reviews?repo=${widgets}&commit=abc`)).status, 400);
  });

  it('server blame shows each AI line’s pull-request review', async () => {
    const commit = '2'.repeat(40);
    const binding = {
      schema: 'lineagelens.git/1',
      kind: 'binding',
      id: 'bd_webhook_test_1',
      time: '2026-11-20T10:30:00.000Z',
      repoId: widgets,
      commit,
      path: 'src/area.ts',
      via: 'commit',
      edit: { id: 'ed_webhook_1', sessionId: 'ses_webhook_1', tool: 'copilot', model: 'openai/gpt-4o', time: '2026-11-20T10:00:00.000Z', disposition: 'accepted', acceptor: null },
      ranges: [{ start: 3, end: 4, sha256: 'a'.repeat(64), lines: ['0123456789abcdef', 'fedcba9876543210'] }],
    };
    const up = await api(server.url, token, '/api/v1/bindings', { body: { source: 'src_webhook_test', records: [binding] } });
    assert.equal(up.status, 200, up.text);
    const blame = await api(server.url, token, `/api/v1/blame?repo=${widgets}&path=src/area.ts&commit=${commit}`);
    assert.equal(blame.status, 200, blame.text);
    const lines = blame.json.lines as { line: number; pullRequest: { description: string } | null }[];
    assert.deepEqual(lines.map((l) => [l.line, l.pullRequest?.description]), [
      [3, 'merged without review in PR #42 by sam'],
      [4, 'merged without review in PR #42 by sam'],
    ]);
  });

  it('GitLab: the author’s own approval does not count; a colleague’s does', async () => {
    await gitlab(server.url, 'Merge Request Hook', 'gitlab-merge_request-open.json', 'g-1');
    await gitlab(server.url, 'Push Hook', 'gitlab-push-branch.json', 'g-2');
    await gitlab(server.url, 'Merge Request Hook', 'gitlab-merge_request-approved-by-author.json', 'g-3');
    await gitlab(server.url, 'Merge Request Hook', 'gitlab-merge_request-merged.json', 'g-4');
    assert.equal((await review(gadgets, '5'.repeat(40))).description, 'merged without review in MR !7 by omar');
    await gitlab(server.url, 'Merge Request Hook', 'gitlab-merge_request-approved.json', 'g-5');
    assert.equal((await review(gadgets, '6'.repeat(40))).description, 'reviewed by omar in MR !7');
  });
});

describe('PR webhooks without configured secrets', function () {
  this.timeout(60_000);
  it('have no receiver (404), so nobody can feed review status to a server that did not ask for it', async () => {
    const data = tempDir('ll-server-nohooks-');
    const server = await startServerProcess(data);
    try {
      const body = readFileSync(path.join(FIXTURES, 'github-pull_request-merged.json'));
      const r = await deliver(server.url, 'github', 'pull_request', body, { 'x-hub-signature-256': githubSignatureHeader('', body) });
      assert.equal(r.status, 404);
      assert.match(String(r.json.error), /github webhooks are not configured/);
    } finally {
      await server.stop();
      removeDir(data);
    }
  });
});
