/**
 * Provenance queries: one filter object (validated with zod: it crosses the worker boundary and comes
 * from CLI flags), compiled to one SQL statement over the index, paged by keyset cursor.
 *
 * Order: by time (then seq) when a time window is given, else by seq, i.e. the order the store learned
 * the records; oldest first by default, newest first with `order: 'newest'` (the same indexes, read
 * backwards: no sort either way). Keyset paging (`WHERE (time, seq) > cursor`, `<` newest first) makes
 * page N as cheap as page 1 and stays correct while records are added. A cursor is opaque base64url and
 * only valid for the same order and direction.
 *
 * "Live" AI ranges (the default for file and line queries): edits that were not rejected and inserted
 * at least one line. Other queries return every record unless `live` is set.
 */
import { z } from 'zod';
import { REJECTED } from './indexRow';

export const DEFAULT_PAGE_SIZE = 500;
export const MAX_PAGE_SIZE = 10_000;

const Iso = z.iso.datetime({ offset: true });

export const ProvenanceQuery = z
  .object({
    /** A repository id, or null for records outside any repository. Required with `path`. */
    repoId: z.string().min(1).max(200).nullable().optional(),
    path: z.string().min(1).max(4096).optional(),
    /** 0-based line; needs `path`. */
    line: z.number().int().nonnegative().optional(),
    sessionId: z.string().min(1).max(200).optional(),
    tool: z.string().min(1).max(100).optional(),
    /** `provider/id`, a bare model id (any provider), or `unknown`. */
    model: z.string().min(1).max(301).optional(),
    kind: z.enum(['edit', 'session']).optional(),
    since: Iso.optional(),
    until: Iso.optional(),
    /** Only edits whose lines are still attributed (not rejected, not empty). Default: true with `path`. */
    live: z.boolean().optional(),
    /** `oldest` (default) or `newest` first, by seq (or by time with a time window). */
    order: z.enum(['oldest', 'newest']).optional(),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    cursor: z.string().max(500).optional(),
  })
  .strict()
  .refine((q) => q.path === undefined || q.repoId !== undefined, { message: 'a path query needs repoId (null for files outside a repository)' })
  .refine((q) => q.line === undefined || q.path !== undefined, { message: 'a line query needs path' });
export type ProvenanceQuery = z.input<typeof ProvenanceQuery>;

/** One record as the index knows it. Fetch the full record with getRecords([seq]). */
export interface ProvenanceHit {
  seq: number;
  kind: 'edit' | 'session';
  id: string;
  /** Edit time, or session start. */
  time: string;
  /** Session end. */
  endTime: string | null;
  repoId: string | null;
  path: string | null;
  sessionId: string;
  tool: string;
  model: string;
  disposition: string | null;
  /** Lines the edit inserted, 0-based inclusive; null when it inserted none. */
  lines: { start: number; end: number } | null;
  contentHash: string | null;
}

export interface QueryPage {
  hits: ProvenanceHit[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** `n`: the cursor belongs to a newest-first query (absent: oldest first, as cursors always were). */
const Cursor = z.discriminatedUnion('o', [
  z.object({ o: z.literal('seq'), s: z.number().int(), n: z.literal(true).optional() }),
  z.object({ o: z.literal('time'), t: z.number(), s: z.number().int(), n: z.literal(true).optional() }),
]);
type Cursor = z.infer<typeof Cursor>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new Error('invalid query cursor: pass back the nextCursor of a previous page unchanged');
  }
}

/** Integer ids of interned strings; undefined when the store has never seen the string. */
export interface InternLookups {
  repo(key: string): number | undefined;
  file(repo: number, path: string): number | undefined;
  session(key: string): number | undefined;
  tool(key: string): number | undefined;
  models(keyOrId: string): number[];
}

export interface CompiledQuery {
  sql: string;
  params: (number | string)[];
  order: 'seq' | 'time';
  newestFirst: boolean;
  limit: number;
}

export const RECORD_COLUMNS =
  'seq, kind, id, repo, file, session, tool, model, time, time_end, disposition, line_start, line_end, content_hash';

/** SQL for a validated query, or null when it names something the store has never seen (no results). */
export function compileQuery(q: z.output<typeof ProvenanceQuery>, ids: InternLookups): CompiledQuery | null {
  const where: string[] = [];
  const params: (number | string)[] = [];
  let repo: number | undefined;
  if (q.repoId !== undefined) {
    repo = q.repoId === null ? 0 : ids.repo(q.repoId);
    if (repo === undefined) return null;
  }
  if (q.path !== undefined) {
    const file = ids.file(repo!, q.path);
    if (file === undefined) return null;
    where.push('file = ?');
    params.push(file);
    if (q.line !== undefined) {
      where.push('line_start <= ?', 'line_end >= ?');
      params.push(q.line, q.line);
    }
  } else if (repo !== undefined) {
    where.push('repo = ?');
    params.push(repo);
  }
  if (q.sessionId !== undefined) {
    const session = ids.session(q.sessionId);
    if (session === undefined) return null;
    where.push('session = ?');
    params.push(session);
  }
  if (q.tool !== undefined) {
    const tool = ids.tool(q.tool);
    if (tool === undefined) return null;
    where.push('tool = ?');
    params.push(tool);
  }
  if (q.model !== undefined) {
    const models = ids.models(q.model);
    if (models.length === 0) return null;
    where.push(`model IN (${models.map(() => '?').join(',')})`);
    params.push(...models);
  }
  if (q.kind !== undefined) {
    where.push('kind = ?');
    params.push(q.kind === 'edit' ? 0 : 1);
  }
  if (q.live ?? q.path !== undefined) {
    where.push('kind = 0', 'line_start IS NOT NULL', `disposition <> ${REJECTED}`);
  }
  const order = q.since !== undefined || q.until !== undefined ? 'time' : 'seq';
  const newestFirst = q.order === 'newest';
  if (q.since !== undefined) {
    where.push('time >= ?');
    params.push(Date.parse(q.since));
  }
  if (q.until !== undefined) {
    where.push('time < ?');
    params.push(Date.parse(q.until));
  }
  if (q.cursor !== undefined) {
    const cursor = decodeCursor(q.cursor);
    if (cursor.o !== order || (cursor.n ?? false) !== newestFirst) throw new Error('invalid query cursor: it belongs to a query with a different order');
    const after = newestFirst ? '<' : '>';
    if (cursor.o === 'seq') {
      where.push(`seq ${after} ?`);
      params.push(cursor.s);
    } else {
      where.push(`(time, seq) ${after} (?, ?)`);
      params.push(cursor.t, cursor.s);
    }
  }
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const direction = newestFirst ? ' DESC' : '';
  const sql =
    `SELECT ${RECORD_COLUMNS} FROM record` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    (order === 'seq' ? ` ORDER BY seq${direction}` : ` ORDER BY time${direction}, seq${direction}`) +
    ` LIMIT ${limit + 1}`; // one more than asked: tells whether there is a next page
  return { sql, params, order, newestFirst, limit };
}
