/**
 * Reads on PostgreSQL with the same answers and cursors as db/queries.ts (SQLite): lists newest first,
 * keyset-paged by (time, rid) with the same opaque cursor. Search differs by design: it is ranked
 * (ts_rank: prompt words weigh most, then the file path, then code) and pages by (rank, rid).
 */
import type { Pool } from 'pg';
import { type RecordScope, recordsInScope } from '../access/scopeSql';
import type { QueriesBackend } from '../backend/backend';
import { CursorError, decodeCursor, encodeCursor, type Page, type RecordFilter, type StatsSummary, type TimelinePoint } from '../db/queries';
import { clean } from './pgAccounts';
import { uploadersInScope } from './pgScope';
import { tsQuery } from './searchText';

const ORG = 1;


const utc = (iso: string) => new Date(iso).toISOString();

/** A cursor's time must be one this server handed out: an ISO time. */
function cursorTime(t: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(t) || Number.isNaN(Date.parse(t))) throw new CursorError('cursor is not one this server handed out');
  return t;
}

export class PgQueries implements QueriesBackend {
  constructor(private readonly pool: Pool) {}

  async record(scope: RecordScope, id: string): Promise<unknown | null> {
    const row = (
      await this.pool.query<{ json: string }>(
        `SELECT r.json FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid WHERE m.org_id = $1 AND m.id = $2 AND ${recordsInScope(scope, 'r.uploader_id')}`,
        [ORG, clean(id)],
      )
    ).rows[0];
    return row ? (JSON.parse(row.json) as unknown) : null;
  }

  async readableIds(scope: RecordScope, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT m.id FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
       WHERE m.org_id = $1 AND m.id = ANY($2::text[]) AND ${recordsInScope(scope, 'r.uploader_id')}
       UNION SELECT r.session_id FROM records r WHERE r.org_id = $1 AND r.session_id = ANY($2::text[]) AND ${recordsInScope(scope, 'r.uploader_id')}`,
      [ORG, ids.map(clean)],
    );
    return new Set(rows.map((r) => r.id));
  }

  async records(scope: RecordScope, filter: RecordFilter, limit: number, cursor?: string): Promise<Page<unknown>> {
    const where = ['org_id = $1', await uploadersInScope(this.pool, scope)];
    const args: (string | number)[] = [ORG];
    const arg = (v: string | number) => {
      args.push(typeof v === 'string' ? clean(v) : v);
      return `$${args.length}`;
    };
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) where.push(`${col} = ${arg(v)}`);
    };
    eq('repo_id', filter.repo);
    eq('path', filter.path);
    eq('session_id', filter.session);
    eq('tool', filter.tool);
    eq('model', filter.model);
    eq('author', filter.author);
    eq('kind', filter.kind);
    if (filter.line !== undefined) {
      const l = arg(filter.line);
      where.push(`line_start <= ${l} AND line_end >= ${l}`);
    }
    if (filter.since) where.push(`time >= ${arg(utc(filter.since))}::timestamptz`);
    if (filter.until) where.push(`time < ${arg(utc(filter.until))}::timestamptz`);
    if (cursor) {
      const [t, rid] = decodeCursor(cursor);
      where.push(`(time, rid) < (${arg(cursorTime(t))}::timestamptz, ${arg(rid)}::bigint)`);
    }
    const sql = `SELECT rid, time, json FROM records WHERE ${where.join(' AND ')} ORDER BY time DESC, rid DESC LIMIT ${arg(limit + 1)}`;
    const rows = (await this.pool.query<{ rid: number; time: Date; json: string }>(sql, args)).rows;
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map((r) => JSON.parse(r.json) as unknown), nextCursor: more && last ? encodeCursor(last.time.toISOString(), last.rid) : null };
  }

  /** Ranked full-text search over prompts, file paths and inserted code; ties newest stored first. */
  async search(scope: RecordScope, text: string, limit: number, cursor?: string): Promise<Page<unknown>> {
    const q = tsQuery(text);
    if (!q) return { items: [], nextCursor: null };
    const args: (string | number)[] = [ORG, q, limit + 1];
    let after = '';
    if (cursor) {
      const [rank, rid] = decodeCursor(cursor);
      if (!/^[0-9.e+-]+$/i.test(rank) || !Number.isFinite(Number(rank))) throw new CursorError('cursor is not one this server handed out');
      args.push(rank, rid);
      after = 'WHERE (rank, rid) < ($4::real, $5::bigint)';
    }
    // Ranks and sorts the hits' keys only; the stored JSON is read for the page alone.
    const rows = (
      await this.pool.query<{ rid: number; rank: string; json: string }>(
        `WITH q AS (SELECT to_tsquery('simple', $2) AS q),
              hits AS (SELECT r.time, r.rid, ts_rank(r.search, q.q) AS rank FROM records r, q WHERE r.org_id = $1 AND r.search @@ q.q AND ${await uploadersInScope(this.pool, scope, 'r.uploader_id')}),
              top AS (SELECT time, rid, rank FROM hits ${after} ORDER BY rank DESC, rid DESC LIMIT $3)
         SELECT top.rid, top.rank::text AS rank, r.json FROM top JOIN records r ON r.org_id = $1 AND r.time = top.time AND r.rid = top.rid
         ORDER BY top.rank DESC, top.rid DESC`,
        args,
      )
    ).rows;
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map((r) => JSON.parse(r.json) as unknown), nextCursor: more && last ? encodeCursor(last.rank, last.rid) : null };
  }

  /**
   * The stored records of these ids that the scope may read, in the given order (ids no longer stored or
   * outside the scope are left out): search hits.
   */
  async recordsByIds(within: RecordScope, ids: string[]): Promise<unknown[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; json: string }>(
      `SELECT m.id, r.json FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
       WHERE m.org_id = $1 AND m.id = ANY($2::text[]) AND ${recordsInScope(within, 'r.uploader_id')}`,
      [ORG, ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.json]));
    return ids.flatMap((id) => (byId.has(id) ? [JSON.parse(byId.get(id)!) as unknown] : []));
  }

  async stats(within: RecordScope, repo?: string): Promise<StatsSummary> {
    const args: (string | number)[] = [ORG];
    if (repo) args.push(clean(repo));
    const scope = `${repo ? 'org_id = $1 AND repo_id = $2' : 'org_id = $1'} AND ${await uploadersInScope(this.pool, within)}`;
    const totals = (
      await this.pool.query<{ records: number; edits: number; sessions: number; repos: number; ai_lines: number | null }>(
        `SELECT count(*) AS records, count(*) FILTER (WHERE kind = 'edit') AS edits, count(*) FILTER (WHERE kind = 'session') AS sessions,
                count(DISTINCT repo_id) AS repos, sum(lines) FILTER (WHERE kind = 'edit') AS ai_lines FROM records WHERE ${scope}`,
        args,
      )
    ).rows[0]!;
    const byTool = (await this.pool.query<{ tool: string; edits: number; lines: number }>(`SELECT tool, count(*) AS edits, sum(lines) AS lines FROM records WHERE ${scope} AND kind = 'edit' GROUP BY tool ORDER BY edits DESC`, args)).rows;
    const byModel = (await this.pool.query<{ model: string; edits: number }>(`SELECT model, count(*) AS edits FROM records WHERE ${scope} AND kind = 'edit' GROUP BY model ORDER BY edits DESC LIMIT 50`, args)).rows;
    return { records: totals.records, edits: totals.edits, sessions: totals.sessions, repos: totals.repos, aiLines: Number(totals.ai_lines ?? 0), byTool: byTool.map((t) => ({ ...t, lines: Number(t.lines) })), byModel };
  }

  async timeline(scope: RecordScope, filter: { repo?: string; path?: string; since?: string }): Promise<TimelinePoint[]> {
    const where = ['org_id = $1', "kind = 'edit'", await uploadersInScope(this.pool, scope)];
    const args: (string | number)[] = [ORG];
    if (filter.repo) where.push(`repo_id = $${args.push(clean(filter.repo))}`);
    if (filter.path) where.push(`path = $${args.push(clean(filter.path))}`);
    if (filter.since) where.push(`time >= $${args.push(utc(filter.since))}::timestamptz`);
    const rows = (
      await this.pool.query<{ day: string; edits: number; lines: string; kept_lines: string }>(
        `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS edits, sum(lines) AS lines,
                sum(CASE WHEN disposition IN ('accepted', 'partially_kept') THEN lines ELSE 0 END) AS kept_lines
         FROM records WHERE ${where.join(' AND ')} GROUP BY day ORDER BY day`,
        args,
      )
    ).rows;
    return rows.map((r) => ({ day: r.day, edits: r.edits, lines: Number(r.lines), keptLines: Number(r.kept_lines) }));
  }

  async topFiles(scope: RecordScope, repo: string, limit: number): Promise<{ path: string; edits: number; lines: number }[]> {
    const rows = (
      await this.pool.query<{ path: string; edits: number; lines: string }>(
        `SELECT path, count(*) AS edits, sum(lines) AS lines FROM records WHERE org_id = $1 AND repo_id = $2 AND kind = 'edit' AND ${await uploadersInScope(this.pool, scope)} GROUP BY path ORDER BY sum(lines) DESC LIMIT $3`,
        [ORG, clean(repo), limit],
      )
    ).rows;
    return rows.map((r) => ({ path: r.path, edits: r.edits, lines: Number(r.lines) }));
  }

  async repos(scope: RecordScope): Promise<{ repo: string; edits: number; lines: number }[]> {
    const rows = (
      await this.pool.query<{ repo: string; edits: number; lines: string }>(
        `SELECT repo_id AS repo, count(*) AS edits, sum(lines) AS lines FROM records WHERE org_id = $1 AND kind = 'edit' AND repo_id IS NOT NULL AND ${await uploadersInScope(this.pool, scope)} GROUP BY repo_id ORDER BY edits DESC LIMIT 200`,
        [ORG],
      )
    ).rows;
    return rows.map((r) => ({ repo: r.repo, edits: r.edits, lines: Number(r.lines) }));
  }

  async recordCount(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM record_ids WHERE org_id = $1', [ORG])).rows[0]!.n;
  }
}
