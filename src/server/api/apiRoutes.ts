/**
 * /api/v1 handlers. Each validates its input with the zod schemas of apiSchemas.ts and answers JSON.
 * The git ledger upload, blame and export are in blameExportRoutes.ts.
 */
import { provenanceJsonSchemas } from '../../core/model/jsonSchema';
import { SCHEMA_ID } from '../../core/model/schema';
import { scopeFor } from '../access/scope';
import type { Handler } from '../context';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, sendJson, sendText } from '../http/respond';
import { searchRecords } from '../search/searchAnswer';
import { HeadQuery, RecordQuery, SearchQuery, StatsQuery, TimelineQuery, TokenCreate, UserCreate } from './apiSchemas';
import { openApiDocument } from './openapi';
import type { UploadKind } from './prepareUpload';
import { parseBody, parseQuery } from './params';
import { accountsCall, adminScope, roleOf } from './accountRoutes';

export const health: Handler = (ctx, { res }) => sendJson(res, 200, { status: 'ok', version: ctx.version, schema: SCHEMA_ID });

export const schema: Handler = (_ctx, { res }) => sendJson(res, 200, provenanceJsonSchemas());

let openApiText: string | null = null;
export const openApi: Handler = (ctx, { res }) => {
  openApiText ??= JSON.stringify(openApiDocument(ctx.version));
  sendText(res, 200, 'application/json; charset=utf-8', openApiText);
};

/** Operations figures, including how many records the server holds: admins and auditors only. */
export const metrics: Handler = async (ctx, { res, principal }) => {
  const scope = await scopeFor(ctx.backend, principal!);
  if (scope.read.userIds !== null) throw new HttpError(403, 'only an admin or an auditor may read the metrics');
  sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.render({ recordsStored: await ctx.backend.queries.recordCount(), lineagePending: await ctx.lineage.queue.backlog() }));
};

function ingestWith(kind: UploadKind): Handler {
  return async (ctx, { req, res, principal }) => {
    // JSON, zod and the hash checks: in a background thread for a large batch (threads/uploadPreparer.ts).
    const batch = await ctx.uploads.prepare(kind, req.headers['content-type'], await readBody(req, ctx.maxBodyBytes));
    // Governance: the policy's capture level and findings (null before any policy is published).
    // (The chained bytes of a record enforcement changes, for its enforcement row; null if they do not verify:
    // the ingest then refuses the batch.)
    // Capture rules may name teams: the uploader's (read per batch, so a team change applies at once).
    const teams = async () => (await ctx.backend.accounts.accessOf(principal!.user.id)).teams.map((t) => t.name);
    const gov = await ctx.governance.prepareIngest(principal!.user.id, batch.source, batch.entries, (i) => batch.verified[i] ?? '', teams);
    const result = await ctx.backend.ingest.ingest(principal!.user.id, batch.source, batch.verified, gov?.entries ?? batch.entries, gov?.stored);
    if (gov) await ctx.governance.afterIngest(gov);
    // Nodes and edges are built after the answer, from the lineage outbox (lineage/indexRunner.ts); lineage reads wait for them.
    await ctx.lineage.queue.records((gov?.entries ?? batch.entries).map((e) => e.record));
    ctx.metrics.recordsAccepted += result.accepted;
    ctx.metrics.recordsDuplicate += result.duplicate;
    sendJson(res, 200, result);
  };
}
export const ingestRecords = ingestWith('records');
export const ingestSessions = ingestWith('sessions');

export const uploadHead: Handler = async (ctx, { res, url, principal }) => {
  const q = parseQuery(HeadQuery, url);
  sendJson(res, 200, await ctx.backend.ingest.head(principal!.user.id, q.source));
};

// Every read below runs in the caller's scope (access/scope.ts): content reads in `read`, counts in `aggregate`.
export const listRecords: Handler = async (ctx, { res, url, principal }) => {
  const { limit, cursor, ...filter } = parseQuery(RecordQuery, url);
  const page = await ctx.backend.queries.records((await scopeFor(ctx.backend, principal!)).read, filter, limit, cursor);
  sendJson(res, 200, { records: page.items, nextCursor: page.nextCursor });
};

export const listSessions: Handler = async (ctx, { res, url, principal }) => {
  const { limit, cursor, ...filter } = parseQuery(RecordQuery, url);
  const page = await ctx.backend.queries.records((await scopeFor(ctx.backend, principal!)).read, { ...filter, kind: 'session' }, limit, cursor);
  sendJson(res, 200, { records: page.items, nextCursor: page.nextCursor });
};

/** A record outside the caller's scope answers 404 like a missing one: the id is not confirmed. */
export const getRecord: Handler = async (ctx, { res, params, principal }) => {
  const record = await ctx.backend.queries.record((await scopeFor(ctx.backend, principal!)).read, params[0]!);
  if (!record) throw new HttpError(404, `no record with id "${params[0]!.slice(0, 200)}"`);
  sendJson(res, 200, record);
};

export const search: Handler = async (ctx, { res, url, principal }) => {
  const q = parseQuery(SearchQuery, url);
  sendJson(res, 200, await searchRecords(ctx.backend, (await scopeFor(ctx.backend, principal!)).read, q));
};

export const stats: Handler = async (ctx, { res, url, principal }) =>
  sendJson(res, 200, await ctx.backend.queries.stats((await scopeFor(ctx.backend, principal!)).aggregate, parseQuery(StatsQuery, url).repo));

export const timeline: Handler = async (ctx, { res, url, principal }) =>
  sendJson(res, 200, { points: await ctx.backend.queries.timeline((await scopeFor(ctx.backend, principal!)).aggregate, parseQuery(TimelineQuery, url)) });

/** A user of the admin's own organisation. */
export const createUser: Handler = async (ctx, { req, res, principal }) => {
  const scope = await adminScope(ctx, principal);
  const body = parseBody(UserCreate, parseJsonBody(req, await readBody(req, 64 * 1024)));
  sendJson(res, 201, await accountsCall(() => ctx.backend.accounts.addUser(body.name, roleOf(body.role), scope.member.org)));
};

export const createToken: Handler = async (ctx, { req, res, principal }) => {
  const scope = await adminScope(ctx, principal);
  const body = parseBody(TokenCreate, parseJsonBody(req, await readBody(req, 64 * 1024)));
  const user = await ctx.backend.accounts.findUser(body.user);
  if (!user || user.org !== scope.member.org) throw new HttpError(404, `no user "${body.user}"`);
  sendJson(res, 201, await accountsCall(() => ctx.backend.accounts.createToken(body.user, body.label)));
};

export const revokeToken: Handler = async (ctx, { res, params, principal }) => {
  await adminScope(ctx, principal);
  const id = Number(params[0]);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'token id must be a number');
  if (!(await ctx.backend.accounts.revokeToken(id))) throw new HttpError(404, `no live token with id ${id}`);
  sendJson(res, 200, { revoked: id });
};
