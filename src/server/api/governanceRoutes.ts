/**
 * /api/v1 governance handlers (issue #9):
 *
 *   GET  /api/v1/policy             the policy in force          PUT  /api/v1/policy   publish a version (admin)
 *   GET  /api/v1/policy/history     every version
 *   GET  /api/v1/findings           policy findings (admin, auditor), filterable, newest first
 *   GET  /api/v1/audit              the audit log (admin, auditor); format=jsonl to export it
 *   GET  /api/v1/purges[/{id}]      retention purges and what each removed (admin, auditor)
 *   POST /api/v1/purge              run the governance job now (admin)
 *   GET  /api/v1/enforcements/{id}  what enforcement changed of a record (admin, auditor)
 *
 * Who may do what is decided in governance/access.ts only.
 */
import type { Handler } from '../context';
import { canAudit, canManagePolicy } from '../governance/access';
import { checkReviewsNow, runGovernanceJob } from '../governance/governanceJobs';
import { AuditQuery, FindingQuery, PolicyBody } from '../governance/governanceSchemas';
import type { Principal } from '../db/accounts';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, resultCounts, sendJson } from '../http/respond';
import { parseBody, parseQuery } from './params';

function requireAudit(principal: Principal | null): void {
  if (!canAudit(principal)) throw new HttpError(403, 'only an admin or an auditor may read governance records');
}

function requirePolicyAdmin(principal: Principal | null): void {
  if (!canManagePolicy(principal)) throw new HttpError(403, 'only an admin may change the policy or run a purge');
}

export const getPolicy: Handler = async (ctx, { res }) => sendJson(res, 200, await ctx.governance.policy());

export const putPolicy: Handler = async (ctx, { req, res, principal }) => {
  requirePolicyAdmin(principal);
  const body = parseBody(PolicyBody, parseJsonBody(req, await readBody(req, 1024 * 1024)), 'policy');
  sendJson(res, 201, await ctx.governance.publish(body, principal!.user.name));
};

export const policyHistory: Handler = async (ctx, { res }) => sendJson(res, 200, { versions: await ctx.governance.versions() });

export const findings: Handler = async (ctx, { res, url, principal }) => {
  requireAudit(principal);
  const q = parseQuery(FindingQuery, url);
  // Settle review-required findings against the PR facts received since the last run first.
  await checkReviewsNow(ctx);
  const items = await ctx.governance.store.findings({ kind: q.kind, repo: q.repo, recordId: q.record, since: q.since, open: q.open === undefined ? undefined : q.open === 'true' }, q.limit + 1, q.cursor ? Number(q.cursor) : undefined);
  const page = items.slice(0, q.limit);
  sendJson(res, 200, { findings: page, nextCursor: items.length > q.limit ? String(page[page.length - 1]!.id) : null });
};

export const audit: Handler = async (ctx, { res, url, principal }) => {
  requireAudit(principal);
  const q = parseQuery(AuditQuery, url);
  if (q.format === 'json') {
    const entries = await ctx.governance.store.audit(q.after, q.limit);
    sendJson(res, 200, { entries, nextAfter: entries.length === q.limit ? entries[entries.length - 1]!.seq : null });
    return;
  }
  // JSONL: every entry after `after`, page by page, as `lineagelens server audit verify` reads it.
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': 'attachment; filename="lineagelens-audit.jsonl"', 'cache-control': 'no-store' });
  let after = q.after;
  let n = 0;
  for (;;) {
    const entries = await ctx.governance.store.audit(after, 1000);
    if (entries.length === 0) break;
    const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve));
    n += entries.length;
    after = entries[entries.length - 1]!.seq;
  }
  resultCounts.set(res, n);
  res.end();
};

export const purges: Handler = async (ctx, { res, principal }) => {
  requireAudit(principal);
  sendJson(res, 200, { purges: await ctx.governance.store.purges(100) });
};

export const purgeDetail: Handler = async (ctx, { res, params, principal }) => {
  requireAudit(principal);
  const id = Number(params[0]);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'purge id must be a number');
  const purge = (await ctx.governance.store.purges(1_000_000)).find((p) => p.id === id);
  if (!purge) throw new HttpError(404, `no purge with id ${id}`);
  sendJson(res, 200, { purge, records: await ctx.governance.store.purgedRecords(id) });
};

export const runPurge: Handler = async (ctx, { res, principal }) => {
  requirePolicyAdmin(principal);
  sendJson(res, 200, await runGovernanceJob(ctx, principal!.user.name));
};

export const enforcement: Handler = async (ctx, { res, params, principal }) => {
  requireAudit(principal);
  const e = await ctx.governance.store.enforcement(params[0]!);
  if (!e) throw new HttpError(404, `record "${params[0]!.slice(0, 200)}" was stored as received (or is unknown)`);
  sendJson(res, 200, e);
};
