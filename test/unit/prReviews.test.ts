import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoIdentityOf } from '../../src/core/git/bindCommit';
import { parseGithubDelivery, parseGitlabDelivery, repoOf, type PrFact } from '../../src/core/reviews/prEvents';
import { describeCommitReview, PrReviewIndex } from '../../src/core/reviews/prReviews';
import { githubSignatureHeader, verifyGithubSignature, verifyGitlabToken } from '../../src/core/reviews/webhookSignature';
import { seededRandom } from '../fixtures/secrets/fakeSecrets';
import { gitEnv, TempRepo } from './gitHelpers';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webhooks');
const raw = (name: string) => readFileSync(path.join(FIXTURES, name));
const json = (name: string): unknown => JSON.parse(raw(name).toString('utf8'));

const HEAD1 = '1'.repeat(40);
const HEAD2 = '2'.repeat(40);
const MERGE = '3'.repeat(40);

function github(event: string, name: string): PrFact[] {
  const r = parseGithubDelivery(event, json(name), '2026-11-20T11:45:00.000Z');
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.facts;
}
function gitlab(event: string, name: string): PrFact[] {
  const r = parseGitlabDelivery(event, json(name), '2026-11-21T12:00:00.000Z');
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.facts;
}

describe('PR webhooks: signatures', () => {
  const secret = 'webhook-secret-for-tests';
  const body = raw('github-pull_request-merged.json');

  it('accepts GitHub’s HMAC-SHA256 of the exact body and refuses anything else', () => {
    assert.deepEqual(verifyGithubSignature(secret, body, githubSignatureHeader(secret, body)), { ok: true });
    const tampered = Buffer.from(body.toString('utf8').replace('"sam"', '"eve"'));
    assert.match((verifyGithubSignature(secret, tampered, githubSignatureHeader(secret, body)) as { reason: string }).reason, /does not match/);
    assert.match((verifyGithubSignature('other-secret', body, githubSignatureHeader(secret, body)) as { reason: string }).reason, /does not match/);
    assert.match((verifyGithubSignature(secret, body, undefined) as { reason: string }).reason, /missing/);
    assert.match((verifyGithubSignature(secret, body, 'sha1=abc') as { reason: string }).reason, /sha256=/);
    // Re-serialised JSON is a different body: the signature is over the bytes received.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    assert.equal(verifyGithubSignature(secret, reserialised, githubSignatureHeader(secret, body)).ok, false);
  });

  it('accepts GitLab’s token only when it equals the secret', () => {
    assert.deepEqual(verifyGitlabToken(secret, secret), { ok: true });
    assert.equal(verifyGitlabToken(secret, `${secret}x`).ok, false);
    assert.equal(verifyGitlabToken(secret, '').ok, false);
    assert.equal(verifyGitlabToken(secret, undefined).ok, false);
  });
});

describe('PR webhooks: payloads', () => {
  it('reads a merged GitHub PR: merge commit, head, who merged, when', () => {
    const [pr] = github('pull_request', 'github-pull_request-merged.json');
    assert.deepEqual(pr, {
      kind: 'pull-request',
      provider: 'github',
      repo: repoOf('https://github.com/acme/widgets'),
      number: 42,
      url: 'https://github.com/acme/widgets/pull/42',
      title: 'Add area helpers',
      author: 'dana',
      state: 'merged',
      headRef: 'feature/area',
      headSha: HEAD2,
      mergeCommitSha: MERGE,
      mergedAt: '2026-11-20T12:00:00.000Z',
      mergedBy: 'sam',
      time: '2026-11-20T12:00:00.000Z',
    });
  });

  it('names the repository as the editor and CLI do (a real clone with that remote)', async () => {
    const repo = new TempRepo(gitEnv('/nonexistent'));
    try {
      repo.git('remote', 'add', 'origin', 'git@github.com:acme/widgets.git');
      assert.equal((await repoIdentityOf(repo.dir)).id, repoOf('https://github.com/acme/widgets').id);
    } finally {
      repo.dispose();
    }
  });

  it('refuses malformed payloads with the field at fault, and ignores events it does not use', () => {
    const bad = parseGithubDelivery('pull_request', { action: 'closed', pull_request: { number: 'forty-two' }, repository: {} });
    assert.equal(bad.ok, false);
    assert.match((bad as { error: string }).error, /GitHub pull_request payload: pull_request\.number/);
    assert.equal(parseGithubDelivery('pull_request', null).ok, false);
    assert.equal(parseGitlabDelivery('Merge Request Hook', { object_kind: 'push' }).ok, false);
    assert.deepEqual(parseGithubDelivery('issues', {}), { ok: true, facts: [], ignored: 'event "issues"' });
    assert.deepEqual(parseGithubDelivery('ping', json('github-ping.json')), { ok: true, facts: [], ignored: 'ping' });
    const tag = parseGithubDelivery('push', { ...(json('github-push-feature.json') as object), ref: 'refs/tags/v1' });
    assert.deepEqual(tag, { ok: true, facts: [], ignored: 'push of a tag' });
  });
});

describe('PR webhooks: review status of a commit', () => {
  const widgets = repoOf('https://github.com/acme/widgets').id;
  const gadgets = repoOf('https://gitlab.example.com/acme/gadgets').id;

  function githubHistory(withDismissal: boolean): PrFact[] {
    return [
      ...github('pull_request', 'github-pull_request-opened.json'),
      ...github('push', 'github-push-feature.json'),
      ...github('pull_request_review', 'github-pull_request_review-approved.json'),
      ...(withDismissal ? github('pull_request_review', 'github-pull_request_review-dismissed.json') : []),
      ...github('pull_request', 'github-pull_request-merged.json'),
    ];
  }

  it('a GitHub PR approved by someone else and merged: every commit of it is reviewed, by whom, in which PR', () => {
    const index = new PrReviewIndex();
    index.add(githubHistory(false));
    for (const commit of [HEAD1, HEAD2, MERGE]) {
      const r = index.reviewOf(widgets, commit);
      assert.equal(r?.status, 'reviewed', commit);
      assert.equal(describeCommitReview(r), 'reviewed by rita in PR #42');
    }
    assert.equal(index.reviewOf(widgets, '9'.repeat(40)), null, 'a commit of no PR');
    assert.equal(index.reviewOf(gadgets, HEAD2), null, 'the same sha in another repository');
    assert.equal(describeCommitReview(null), 'no pull request known');
  });

  it('an approval dismissed before the merge: merged without review', () => {
    const index = new PrReviewIndex();
    index.add(githubHistory(true));
    const r = index.reviewOf(widgets, HEAD2);
    assert.equal(r?.status, 'merged-without-review');
    assert.equal(describeCommitReview(r), 'merged without review in PR #42 by sam');
  });

  it('before the merge: in review, with the approvals so far', () => {
    const index = new PrReviewIndex();
    index.add(githubHistory(false).filter((f) => !(f.kind === 'pull-request' && f.state === 'merged')));
    assert.equal(describeCommitReview(index.reviewOf(widgets, HEAD2)), 'in review in PR #42 (approved by rita)');
  });

  it('any delivery order and redeliveries give the same answer', () => {
    for (const withDismissal of [false, true]) {
      const expected = (() => {
        const i = new PrReviewIndex();
        i.add(githubHistory(withDismissal));
        return [HEAD1, HEAD2, MERGE].map((c) => i.reviewOf(widgets, c));
      })();
      const random = seededRandom(withDismissal ? 7 : 3);
      for (let round = 0; round < 50; round++) {
        const facts = githubHistory(withDismissal);
        const deliveries = [...facts, ...facts.filter(() => random() < 0.3)];
        for (let i = deliveries.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
        }
        const index = new PrReviewIndex();
        for (const f of deliveries) index.add([f]);
        assert.deepEqual(
          [HEAD1, HEAD2, MERGE].map((c) => index.reviewOf(widgets, c)),
          expected,
          `round ${round}`,
        );
      }
    }
  });

  it('a GitLab MR: the author’s own approval does not count, a colleague’s does', () => {
    const index = new PrReviewIndex();
    index.add([
      ...gitlab('Merge Request Hook', 'gitlab-merge_request-open.json'),
      ...gitlab('Push Hook', 'gitlab-push-branch.json'),
      ...gitlab('Merge Request Hook', 'gitlab-merge_request-approved-by-author.json'),
      ...gitlab('Merge Request Hook', 'gitlab-merge_request-merged.json'),
    ]);
    const head = '5'.repeat(40);
    const merge = '6'.repeat(40);
    assert.equal(describeCommitReview(index.reviewOf(gadgets, head)), 'merged without review in MR !7 by omar');
    index.add(gitlab('Merge Request Hook', 'gitlab-merge_request-approved.json'));
    assert.equal(describeCommitReview(index.reviewOf(gadgets, head)), 'reviewed by omar in MR !7');
    assert.equal(index.reviewOf(gadgets, merge)?.status, 'reviewed');
  });
});
