/**
 * Pull/merge-request webhooks and the review status they give commits.
 *
 *   POST /api/v1/webhooks/github   X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 (HMAC of the body)
 *   POST /api/v1/webhooks/gitlab   X-Gitlab-Event, X-Gitlab-Token, X-Gitlab-Event-UUID (or Idempotency-Key)
 *   GET  /api/v1/reviews?repo=&commit=   "reviewed by X in PR #N", "merged without review", ...
 *
 * The receivers authenticate by the provider's signature (the secret from LINEAGELENS_GITHUB_WEBHOOK_SECRET
 * / LINEAGELENS_GITLAB_WEBHOOK_TOKEN), not by a bearer token; without a configured secret they answer 404.
 * A delivery is stored once by its id (providers redeliver); events we do not use are acknowledged.
 */
import { createHash } from 'node:crypto';
import { parseGithubDelivery, parseGitlabDelivery, type Provider } from '../../core/reviews/prEvents';
import { type CommitReview, describeCommitReview, PrReviewIndex } from '../../core/reviews/prReviews';
import { verifyGithubSignature, verifyGitlabToken } from '../../core/reviews/webhookSignature';
import { scopeFor } from '../access/scope';
import type { Handler, ServerContext } from '../context';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, sendJson } from '../http/respond';
import { ReviewQuery } from './apiSchemas';
import { parseQuery } from './params';

function header(req: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function receiver(provider: Provider): Handler {
  return async (ctx, { req, res }) => {
    const secret = ctx.webhooks[provider];
    if (!secret) throw new HttpError(404, `${provider} webhooks are not configured on this server`);
    const body = await readBody(req, ctx.maxBodyBytes);
    const check = provider === 'github' ? verifyGithubSignature(secret, body, header(req, 'x-hub-signature-256')) : verifyGitlabToken(secret, header(req, 'x-gitlab-token'));
    if (!check.ok) throw new HttpError(401, `webhook refused: ${check.reason}`);
    const payload = parseJsonBody(req, body);
    const event = header(req, provider === 'github' ? 'x-github-event' : 'x-gitlab-event');
    const parsed = provider === 'github' ? parseGithubDelivery(event, payload) : parseGitlabDelivery(event, payload);
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    // The provider's delivery id; without one, the body's hash (a redelivery is byte-identical).
    const deliveryId =
      (provider === 'github' ? header(req, 'x-github-delivery') : (header(req, 'x-gitlab-event-uuid') ?? header(req, 'idempotency-key')))?.slice(0, 200) ??
      `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const stored = parsed.facts.length > 0 ? await ctx.prFacts.add(provider, deliveryId, parsed.facts, new Date().toISOString()) : false;
    // Lineage: reviewed-in edges of the repositories this delivery is about.
    if (stored) for (const repo of new Set(parsed.facts.map((f) => f.repo.id))) await ctx.lineage.queue.prFacts(repo);
    sendJson(res, 200, { delivery: deliveryId, facts: parsed.facts.length, stored, ...(parsed.ignored ? { ignored: parsed.ignored } : {}) });
  };
}

export const githubWebhook = receiver('github');
export const gitlabWebhook = receiver('gitlab');

/**
 * A caller who reads only some users' records sees a commit's PR review only when they can read a binding
 * at that commit; otherwise the answer is the same as for a commit the server knows nothing of.
 */
export const reviews: Handler = async (ctx, { res, url, principal }) => {
  const q = parseQuery(ReviewQuery, url);
  const scope = (await scopeFor(ctx.backend, principal!)).read;
  const visible = scope.userIds === null || (await ctx.backend.git.hasCommit(scope, q.repo, q.commit.toLowerCase()));
  const review = visible ? (await pullRequestReviews(ctx, q.repo, [q.commit])).get(q.commit.toLowerCase())! : { review: null, description: describeCommitReview(null) };
  sendJson(res, 200, { repo: q.repo, commit: q.commit.toLowerCase(), ...review });
};

export interface PullRequestReview {
  review: CommitReview | null;
  description: string;
}

/** The PR review status of each commit (lower-case ids) of one repository, from the stored webhook facts. */
export async function pullRequestReviews(ctx: ServerContext, repo: string, commits: readonly string[]): Promise<Map<string, PullRequestReview>> {
  const index = new PrReviewIndex();
  index.add(await ctx.prFacts.factsOf(repo));
  const out = new Map<string, PullRequestReview>();
  for (const c of commits) {
    const review = index.reviewOf(repo, c);
    out.set(c.toLowerCase(), { review, description: describeCommitReview(review) });
  }
  return out;
}
