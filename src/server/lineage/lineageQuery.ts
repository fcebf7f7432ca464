/**
 * GET /api/v1/lineage: its query string (zod) and the handler. One of four questions per request:
 *
 *   repo, path, line, rev   ancestry of a line at a revision (through the ledger's binding of that line)
 *   node                    ancestry of a node (e.g. `edit:<record id>`: the dashboard's click)
 *   session | prompt        descendants: everything a session or a prompt produced, and where it lives now
 *   tool | model (+ since, until)  impact of a tool or model over a time window (counts only)
 *
 * `format=prov` answers the subgraph as W3C PROV-JSON instead.
 */
import { z } from 'zod';
import { nodeId } from '../../core/lineage/lineageGraph';
import type { Handler, ServerContext } from '../context';
import { BlameCommitError } from '../db/blame';
import { HttpError, sendJson } from '../http/respond';
import { parseQuery } from '../api/params';
import { allReadable, provOf, type RecordAccess } from './lineageService';
import { obscureRedacted } from './obscureRedacted';
import { scopeFor } from '../access/scope';
import type { RecordScope } from '../access/scopeSql';
import type { Principal } from '../db/accounts';

const Id = z.string().min(1).max(400);
const Iso = z.iso.datetime({ offset: true });

export const LineageQuery = z
  .object({
    repo: z.string().min(1).max(200).optional().describe('ancestry of a line: repository id (as in the records and bindings)'),
    path: z.string().min(1).max(4096).optional().describe('ancestry of a line: file path relative to the repository root'),
    line: z.coerce.number().int().positive().max(10_000_000).optional().describe('ancestry of a line: 1-based line number'),
    rev: z.string().regex(/^[0-9a-fA-F]{7,64}$/, 'rev must be a commit id (7 to 64 hex digits)').optional().describe('ancestry of a line: the commit (full id or unambiguous prefix)'),
    node: Id.optional().describe('ancestry of a graph node, e.g. edit:<record id>'),
    session: Id.optional().describe('descendants of an AI edit session (its id)'),
    prompt: Id.optional().describe('descendants of a prompt node (prompt:<session>:<hash prefix>)'),
    tool: z.string().min(1).max(100).optional().describe('impact of a tool'),
    model: z.string().min(1).max(301).optional().describe('impact of a model (its id)'),
    since: Iso.optional().describe('impact: from this time (inclusive)'),
    until: Iso.optional().describe('impact: until this time (inclusive)'),
    format: z.enum(['json', 'prov']).default('json').describe('json, or prov for W3C PROV-JSON of the subgraph'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const lineParts = [q.repo, q.path, q.line, q.rev].filter((v) => v !== undefined).length;
    const modes = [lineParts > 0, q.node !== undefined, q.session !== undefined, q.prompt !== undefined, q.tool !== undefined || q.model !== undefined].filter(Boolean).length;
    if (modes !== 1) ctx.addIssue({ code: 'custom', message: 'ask one question: repo+path+line+rev, node, session, prompt, or tool/model (with since/until)' });
    else if (lineParts > 0 && lineParts < 4) ctx.addIssue({ code: 'custom', message: 'the ancestry of a line needs repo, path, line and rev' });
    if ((q.since || q.until) && !(q.tool || q.model)) ctx.addIssue({ code: 'custom', message: 'since/until apply to the impact of a tool or model' });
    if (q.format === 'prov' && (q.tool || q.model)) ctx.addIssue({ code: 'custom', message: 'impact answers counts; format=prov is for ancestry and descendants' });
  });
export type LineageQuery = z.infer<typeof LineageQuery>;

/**
 * The caller's record access for lineage answers: an org-wide reader (admin, auditor) reads every node of
 * the organisation's graph; anyone else reads the records of their scope, and sees the rest redacted.
 */
export function accessOf(ctx: ServerContext, scope: RecordScope): RecordAccess {
  if (scope.userIds === null) return allReadable;
  return async (ids) => {
    const readable = await ctx.backend.queries.readableIds(scope, ids);
    return (id) => readable.has(id);
  };
}

/** What a caller may see of the graph: records to read (ancestry, descendants) and to count (impact). */
export interface LineageViewer {
  access: RecordAccess;
  /** Whose records impact counts cover (null: every record, for in-process callers). */
  aggregate: RecordScope | null;
}

export async function principalViewer(ctx: ServerContext, principal: Principal): Promise<LineageViewer> {
  const scope = await scopeFor(ctx.backend, principal);
  return { access: accessOf(ctx, scope.read), aggregate: scope.aggregate };
}

/** Answers one lineage question (also the dashboard's data route). */
export async function answerLineage(ctx: ServerContext, q: LineageQuery, viewer: LineageViewer = { access: allReadable, aggregate: null }): Promise<unknown> {
  const { access } = viewer;
  await ctx.lineage.queue.idle(); // everything uploaded before the question is in the graph (or a minute passed: see lineage below)
  const svc = ctx.lineage.service;
  const prov = q.format === 'prov';
  if (q.tool || q.model) return { impact: { tool: q.tool ?? null, model: q.model ?? null, since: q.since ?? null, until: q.until ?? null, ...(await svc.impact({ ...q, scope: viewer.aggregate ?? undefined })) } };
  if (q.session || q.prompt) {
    const id = q.session ? nodeId.session(q.session) : q.prompt!;
    const g = obscureRedacted(await svc.descendants(id, access));
    if (!g) throw new HttpError(404, `no lineage node ${id.slice(0, 200)}`);
    return prov ? provOf(g) : { start: id, descendants: g };
  }
  if (q.node) {
    const a = obscureRedacted(await svc.nodeAncestry(q.node, access));
    if (!a) throw new HttpError(404, `no lineage node ${q.node.slice(0, 200)}`);
    return prov ? provOf(a.graph) : a;
  }
  let answer;
  try {
    answer = obscureRedacted(await svc.lineAncestry({ repo: q.repo!, path: q.path!, line: q.line!, rev: q.rev!.toLowerCase() }, access));
  } catch (err) {
    if (err instanceof BlameCommitError) throw new HttpError(400, err.message);
    throw err;
  }
  return prov ? provOf(answer.ancestry?.graph ?? { nodes: [], edges: [] }) : answer;
}

export const lineage: Handler = async (ctx, { res, url, principal }) => {
  const answer = await answerLineage(ctx, parseQuery(LineageQuery, url), await principalViewer(ctx, principal!));
  // Uploads whose lineage is not indexed yet (a long backlog the read could not wait out): said, not hidden.
  const behind = await ctx.lineage.queue.backlog();
  sendJson(res, 200, answer, behind > 0 ? { 'x-lineagelens-lineage-pending': String(behind) } : undefined);
};
