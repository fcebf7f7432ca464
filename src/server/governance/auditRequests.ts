/**
 * Which requests the audit log records, and the recording itself: every authenticated read or export
 * (the API's GETs and the dashboard's pages), with the user, time, endpoint, query and result count —
 * never what was answered. A refused read (403, 404, ...) is recorded too, with its status.
 */
import type { Handler, RequestInfo, ServerContext } from '../context';
import { HttpError, resultCounts } from '../http/respond';

/** Reads that say nothing about anyone's records: a sync client's chain head, the public key, static files. */
const NOT_AUDITED = new Set(['upload_head', 'export_key', 'static', 'metrics']);

export function isAudited(route: { method: string; auth: string; name: string }): boolean {
  return route.method === 'GET' && route.auth !== 'none' && !NOT_AUDITED.has(route.name);
}

/** Runs the handler, then appends the audit entry (also when the handler refused the request). */
export async function runAudited(ctx: ServerContext, name: string, info: RequestInfo, handler: Handler): Promise<void> {
  let status: number;
  try {
    await handler(ctx, info);
    status = info.res.statusCode;
  } catch (err) {
    status = err instanceof HttpError ? err.status : 500;
    await append(ctx, name, info, status).catch(() => undefined);
    throw err;
  }
  await append(ctx, name, info, status);
}

async function append(ctx: ServerContext, name: string, info: RequestInfo, status: number): Promise<void> {
  const p = info.principal;
  await ctx.governance.appendAudit({
    time: new Date().toISOString(),
    userId: p?.user.id ?? null,
    user: p?.user.name ?? null,
    endpoint: name.slice(0, 100),
    path: info.url.pathname.slice(0, 500),
    query: info.url.search.slice(0, 2000),
    status,
    results: status < 300 ? (resultCounts.get(info.res) ?? null) : null,
  });
}
