/**
 * The governance job a server runs periodically (and `lineagelens server purge` once): the retention
 * purge under the policy in force, then the review check of review-required findings against the PR
 * facts the webhooks stored. A failure is reported and retried at the next run; it never stops the server.
 */
import { pullRequestReviews } from '../api/webhookRoutes';
import type { ServerContext } from '../context';
import type { PurgeRecord } from './governanceStore';

export async function runGovernanceJob(ctx: ServerContext, by = 'retention job'): Promise<{ purge: PurgeRecord | null; reviewFindings: number }> {
  const purge = await ctx.governance.purge(by);
  return { purge, reviewFindings: await checkReviewsNow(ctx) };
}

/** Settles review-required findings against the PR facts stored so far; returns the findings it added. */
export function checkReviewsNow(ctx: ServerContext): Promise<number> {
  return ctx.governance.checkReviews(async (repo, commits) => {
    const reviews = await pullRequestReviews(ctx, repo, commits);
    return new Map([...reviews].map(([c, r]) => [c, { status: r.review?.status ?? null, description: r.description }]));
  });
}

export function startGovernanceJobs(ctx: ServerContext, intervalMs: number): { stop(): void } {
  if (!(intervalMs > 0)) return { stop: () => undefined };
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runGovernanceJob(ctx)
      .then(({ purge }) => {
        if (purge) process.stdout.write(`lineagelens server: retention purge ${purge.id} removed ${purge.count} record(s) older than ${purge.cutoff}\n`);
      })
      .catch((err: unknown) => process.stderr.write(`lineagelens server: governance job failed (retried next run): ${(err as Error).message}\n`))
      .finally(() => (running = false));
  };
  const first = setTimeout(tick, Math.min(intervalMs, 5_000));
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
