/**
 * /api/v1 handlers. Each validates its input with the zod schemas of apiSchemas.ts and answers JSON.
 * The git ledger upload, blame and export are in blameExportRoutes.ts.
 */
import type { ZodType } from 'zod';
import { provenanceJsonSchemas } from '../../core/model/jsonSchema';
import { SCHEMA_ID } from '../../core/model/schema';
import type { UploadEntry } from '../../core/sync/uploadChain';
import { AccountError } from '../db/accounts';
import type { Handler } from '../context';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, sendJson, sendText } from '../http/respond';
import { HeadQuery, RecordQuery, SearchQuery, SessionUploadBatch, StatsQuery, TimelineQuery, TokenCreate, UploadBatch, UserCreate } from './apiSchemas';
import { openApiDocument } from './openapi';
import { parseBody, parseQuery } from './params';

export const health: Handler = (ctx, { res }) => sendJson(res, 200, { status: 'ok', version: ctx.version, schema: SCHEMA_ID });

export const schema: Handler = (_ctx, { res }) => sendJson(res, 200, provenanceJsonSchemas());

let openApiText: string | null = null;
export const openApi: Handler = (ctx, { res }) => {
  openApiText ??= JSON.stringify(openApiDocument(ctx.version));
  sendText(res, 200, 'application/json; charset=utf-8', openApiText);
};

export const metrics: Handler = async (ctx, { res }) =>
  sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.render({ recordsStored: await ctx.backend.queries.recordCount() }));

function ingestWith(schema: ZodType<{ source: string; entries: UploadEntry[] }>): Handler {
  return async (ctx, { req, res, principal }) => {
    const raw = parseJsonBody(req, await readBody(req, ctx.maxBodyBytes));
    const batch = parseBody(schema, raw, 'upload batch');
    const result = await ctx.backend.ingest.ingest(principal!.user.id, batch.source, (raw as { entries: unknown[] }).entries, batch.entries);
    await ctx.lineage.indexer.onRecords(batch.entries.map((e) => e.record));
    ctx.metrics.recordsAccepted += result.accepted;
    ctx.metrics.recordsDuplicate += result.duplicate;
    sendJson(res, 200, result);
  };
}
export const ingestRecords = ingestWith(UploadBatch);
export const ingestSessions = ingestWith(SessionUploadBatch);

export const uploadHead: Handler = async (ctx, { res, url, principal }) => {
  const q = parseQuery(HeadQuery, url);
  sendJson(res, 200, await ctx.backend.ingest.head(principal!.user.id, q.source));
};

export const listRecords: Handler = async (ctx, { res, url }) => {
  const { limit, cursor, ...filter } = parseQuery(RecordQuery, url);
  const page = await ctx.backend.queries.records(filter, limit, cursor);
  sendJson(res, 200, { records: page.items, nextCursor: page.nextCursor });
};

export const listSessions: Handler = async (ctx, { res, url }) => {
  const { limit, cursor, ...filter } = parseQuery(RecordQuery, url);
  const page = await ctx.backend.queries.records({ ...filter, kind: 'session' }, limit, cursor);
  sendJson(res, 200, { records: page.items, nextCursor: page.nextCursor });
};

export const getRecord: Handler = async (ctx, { res, params }) => {
  const record = await ctx.backend.queries.record(params[0]!);
  if (!record) throw new HttpError(404, `no record with id "${params[0]!.slice(0, 200)}"`);
  sendJson(res, 200, record);
};

export const search: Handler = async (ctx, { res, url }) => {
  const q = parseQuery(SearchQuery, url);
  const page = await ctx.backend.queries.search(q.q, q.limit, q.cursor);
  sendJson(res, 200, { records: page.items, nextCursor: page.nextCursor });
};

export const stats: Handler = async (ctx, { res, url }) => sendJson(res, 200, await ctx.backend.queries.stats(parseQuery(StatsQuery, url).repo));

export const timeline: Handler = async (ctx, { res, url }) => sendJson(res, 200, { points: await ctx.backend.queries.timeline(parseQuery(TimelineQuery, url)) });

function requireAdmin(role: string | undefined): void {
  if (role !== 'admin') throw new HttpError(403, 'only an admin may manage users and tokens');
}

async function accountsCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AccountError) throw new HttpError(err.status, err.message);
    throw err;
  }
}

export const createUser: Handler = async (ctx, { req, res, principal }) => {
  requireAdmin(principal?.user.role);
  const body = parseBody(UserCreate, parseJsonBody(req, await readBody(req, 64 * 1024)));
  sendJson(res, 201, await accountsCall(() => ctx.backend.accounts.addUser(body.name, body.role)));
};

export const createToken: Handler = async (ctx, { req, res, principal }) => {
  requireAdmin(principal?.user.role);
  const body = parseBody(TokenCreate, parseJsonBody(req, await readBody(req, 64 * 1024)));
  sendJson(res, 201, await accountsCall(() => ctx.backend.accounts.createToken(body.user, body.label)));
};

export const revokeToken: Handler = async (ctx, { res, params, principal }) => {
  requireAdmin(principal?.user.role);
  const id = Number(params[0]);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'token id must be a number');
  if (!(await ctx.backend.accounts.revokeToken(id))) throw new HttpError(404, `no live token with id ${id}`);
  sendJson(res, 200, { revoked: id });
};
