/**
 * Reads for the API and the dashboard. Every list is newest first and paged with an opaque cursor (the
 * last row's time and rowid), so a page costs the same however deep it is.
 */
import { type RecordScope, recordsInScope } from '../access/scopeSql';
import type { Db } from './serverDb';

export interface RecordFilter {
  repo?: string;
  path?: string;
  line?: number;
  session?: string;
  since?: string;
  until?: string;
  tool?: string;
  model?: string;
  author?: string;
  kind?: 'edit' | 'session';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class CursorError extends Error {}

/** Opaque page cursors: (time or rank, rid) of the last row served. Shared by both backends. */
export function encodeCursor(time: string, rid: number): string {
  return Buffer.from(JSON.stringify([time, rid])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isSafeInteger(v[1])) return [v[0], v[1] as number];
  } catch {
    // falls through to the error below
  }
  throw new CursorError('cursor is not one this server handed out');
}

/**
 * A user's search text as an FTS5 query: every word must occur; `word*` matches words starting with it.
 * Only letters, digits and `_` reach FTS5 (quoted), so no input is an FTS5 syntax error.
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+\*?/gu)?.slice(0, 20) ?? [];
  if (words.length === 0) return null;
  return words.map((w) => (w.endsWith('*') ? `"${w.slice(0, -1)}"*` : `"${w}"`)).join(' ');
}

const utc = (iso: string) => new Date(iso).toISOString();

export interface StatsSummary {
  records: number;
  edits: number;
  sessions: number;
  repos: number;
  aiLines: number;
  byTool: { tool: string; edits: number; lines: number }[];
  byModel: { model: string; edits: number }[];
}

export interface TimelinePoint {
  day: string;
  edits: number;
  lines: number;
  keptLines: number;
}

/**
 * Every read takes the caller's scope (access/scope.ts) and puts it in its WHERE clause: a record outside
 * it is never read, and an id outside it looks exactly like an id that does not exist.
 */
export class Queries {
  constructor(private readonly db: Db) {}

  record(scope: RecordScope, id: string): unknown | null {
    const row = this.db.prepare<[string], { json: string }>(`SELECT json FROM records WHERE id = ? AND ${recordsInScope(scope)}`).get(id);
    return row ? (JSON.parse(row.json) as unknown) : null;
  }

  readableIds(scope: RecordScope, ids: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const list = part.map(() => '?').join(', ');
      const rows = this.db
        .prepare(`SELECT id FROM records WHERE id IN (${list}) AND ${recordsInScope(scope)}
                  UNION SELECT session_id FROM records WHERE session_id IN (${list}) AND ${recordsInScope(scope)}`)
        .all(...part, ...part) as { id: string }[];
      for (const r of rows) out.add(r.id);
    }
    return out;
  }

  records(scope: RecordScope, filter: RecordFilter, limit: number, cursor?: string): Page<unknown> {
    const where: string[] = [recordsInScope(scope)];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq('repo_id', filter.repo);
    eq('path', filter.path);
    eq('session_id', filter.session);
    eq('tool', filter.tool);
    eq('model', filter.model);
    eq('author', filter.author);
    eq('kind', filter.kind);
    if (filter.line !== undefined) {
      where.push('line_start <= ? AND line_end >= ?');
      args.push(filter.line, filter.line);
    }
    if (filter.since) {
      where.push('time >= ?');
      args.push(utc(filter.since));
    }
    if (filter.until) {
      where.push('time < ?');
      args.push(utc(filter.until));
    }
    if (cursor) {
      const [t, rid] = decodeCursor(cursor);
      where.push('(time < ? OR (time = ? AND rid < ?))');
      args.push(t, t, rid);
    }
    const sql = `SELECT rid, time, json FROM records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, rid DESC LIMIT ?`;
    const rows = this.db.prepare<unknown[], { rid: number; time: string; json: string }>(sql).all(...args, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map((r) => JSON.parse(r.json) as unknown), nextCursor: more && last ? encodeCursor(last.time, last.rid) : null };
  }

  /** Full-text search over prompts and inserted code, newest first. */
  search(scope: RecordScope, text: string, limit: number, cursor?: string): Page<unknown> {
    const q = ftsQuery(text);
    if (!q) return { items: [], nextCursor: null };
    let before = Number.MAX_SAFE_INTEGER;
    if (cursor) before = decodeCursor(cursor)[1];
    const rows = this.db
      .prepare<[string, number, number], { rid: number; time: string; json: string }>(
        `SELECT r.rid, r.time, r.json FROM records_fts f JOIN records r ON r.rid = f.rowid
         WHERE f.records_fts MATCH ? AND f.rowid < ? AND ${recordsInScope(scope, 'r.uploader_id')} ORDER BY f.rowid DESC LIMIT ?`,
      )
      .all(q, before, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map((r) => JSON.parse(r.json) as unknown), nextCursor: more && last ? encodeCursor('', last.rid) : null };
  }

  stats(within: RecordScope, repo?: string): StatsSummary {
    const scope = `WHERE ${recordsInScope(within)}${repo ? ' AND repo_id = ?' : ''}`;
    const a = repo ? [repo] : [];
    const totals = this.db
      .prepare(`SELECT count(*) AS records, sum(kind = 'edit') AS edits, sum(kind = 'session') AS sessions, count(DISTINCT repo_id) AS repos, sum(CASE WHEN kind = 'edit' THEN lines ELSE 0 END) AS aiLines FROM records ${scope}`)
      .get(...a) as { records: number; edits: number | null; sessions: number | null; repos: number; aiLines: number | null };
    const byTool = this.db
      .prepare(`SELECT tool, count(*) AS edits, sum(lines) AS lines FROM records ${scope} AND kind = 'edit' GROUP BY tool ORDER BY edits DESC`)
      .all(...a) as StatsSummary['byTool'];
    const byModel = this.db
      .prepare(`SELECT model, count(*) AS edits FROM records ${scope} AND kind = 'edit' GROUP BY model ORDER BY edits DESC LIMIT 50`)
      .all(...a) as StatsSummary['byModel'];
    return { records: totals.records, edits: totals.edits ?? 0, sessions: totals.sessions ?? 0, repos: totals.repos, aiLines: totals.aiLines ?? 0, byTool, byModel };
  }

  /** AI lines per day for a repo (and file): all inserted lines, and those kept (accepted or partially kept). */
  timeline(scope: RecordScope, filter: { repo?: string; path?: string; since?: string }): TimelinePoint[] {
    const where = ["kind = 'edit'", recordsInScope(scope)];
    const args: string[] = [];
    if (filter.repo) {
      where.push('repo_id = ?');
      args.push(filter.repo);
    }
    if (filter.path) {
      where.push('path = ?');
      args.push(filter.path);
    }
    if (filter.since) {
      where.push('time >= ?');
      args.push(utc(filter.since));
    }
    return this.db
      .prepare(
        `SELECT substr(time, 1, 10) AS day, count(*) AS edits, sum(lines) AS lines,
           sum(CASE WHEN disposition IN ('accepted', 'partially_kept') THEN lines ELSE 0 END) AS keptLines
         FROM records WHERE ${where.join(' AND ')} GROUP BY day ORDER BY day`,
      )
      .all(...args) as TimelinePoint[];
  }

  /** Files of a repo with the most AI lines. */
  topFiles(scope: RecordScope, repo: string, limit: number): { path: string; edits: number; lines: number }[] {
    return this.db
      .prepare(`SELECT path, count(*) AS edits, sum(lines) AS lines FROM records WHERE repo_id = ? AND kind = 'edit' AND ${recordsInScope(scope)} GROUP BY path ORDER BY lines DESC LIMIT ?`)
      .all(repo, limit) as { path: string; edits: number; lines: number }[];
  }

  repos(scope: RecordScope): { repo: string; edits: number; lines: number }[] {
    return this.db
      .prepare(`SELECT repo_id AS repo, count(*) AS edits, sum(lines) AS lines FROM records WHERE kind = 'edit' AND repo_id IS NOT NULL AND ${recordsInScope(scope)} GROUP BY repo_id ORDER BY edits DESC LIMIT 200`)
      .all() as { repo: string; edits: number; lines: number }[];
  }

  recordCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  }
}
