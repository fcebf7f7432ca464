/**
 * The figures of the dashboard's organisation view, on either backend: AI lines by team, repository, tool
 * and model (overall and per week), how much was kept and rejected, the files with the most AI lines, and
 * AI code no review mark covers. Counts only, over the caller's `aggregate` scope (access/scope.ts), so a
 * developer sees their teams' numbers and never a record's content.
 *
 * One SQL text serves SQLite and PostgreSQL: nothing from the request is bound except a time, which is
 * normalised to an ISO string here and written as a literal; the week bucket is the only dialect difference.
 */
import { type RecordScope, recordsInScope } from '../access/scopeSql';

export type ShareDimension = 'team' | 'repo' | 'tool' | 'model';

export interface ShareRow {
  key: string;
  /** ISO week (YYYY-Www) when asked per week. */
  week?: string;
  edits: number;
  lines: number;
  keptLines: number;
  rejectedLines: number;
}

type Row = Record<string, unknown>;

const COLUMN: Record<Exclude<ShareDimension, 'team'>, string> = { repo: 'r.repo_id', tool: 'r.tool', model: 'r.model' };

const n = (v: unknown) => Number(v ?? 0);

export class OrgViews {
  constructor(
    private readonly dialect: 'sqlite' | 'postgres',
    private readonly all: (sql: string) => Promise<Row[]>,
  ) {}

  private week(col: string): string {
    return this.dialect === 'sqlite' ? `strftime('%Y-W%W', ${col})` : `to_char(${col} AT TIME ZONE 'UTC', 'IYYY-"W"IW')`;
  }

  /**
   * AI lines by a dimension. For teams, `teams` names the teams to show (null: every team of the scope's
   * organisation); a record counts for each shown team its uploader is in.
   */
  async share(scope: RecordScope, dim: ShareDimension, opts: { teams?: readonly string[] | null; since?: string; weekly?: boolean } = {}): Promise<ShareRow[]> {
    const where = ["r.kind = 'edit'", recordsInScope(scope, 'r.uploader_id')];
    if (opts.since) where.push(`r.time >= '${new Date(opts.since).toISOString()}'`);
    let from = 'records r';
    let key: string;
    if (dim === 'team') {
      from += ` JOIN uploaders up ON up.id = r.uploader_id JOIN team_members tm ON tm.user_id = up.user_id JOIN teams t ON t.id = tm.team_id AND t.org_id = ${Math.trunc(scope.orgId)}`;
      key = 't.name';
      if (opts.teams) where.push(opts.teams.length ? `t.name IN (${opts.teams.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')})` : '1 = 0');
    } else {
      key = COLUMN[dim];
      where.push(`${key} IS NOT NULL`);
    }
    const week = opts.weekly ? `${this.week('r.time')}` : null;
    const rows = await this.all(
      `SELECT ${key} AS k${week ? `, ${week} AS w` : ''}, count(*) AS edits, sum(r.lines) AS lines,
              sum(CASE WHEN r.disposition IN ('accepted', 'partially_kept') THEN r.lines ELSE 0 END) AS kept,
              sum(CASE WHEN r.disposition = 'rejected' THEN r.lines ELSE 0 END) AS rejected
       FROM ${from} WHERE ${where.join(' AND ')}
       GROUP BY ${key}${week ? `, ${week}` : ''} ORDER BY ${week ? `${week}, ` : ''}sum(r.lines) DESC LIMIT 500`,
    );
    return rows.map((r) => ({ key: String(r.k), ...(week ? { week: String(r.w) } : {}), edits: n(r.edits), lines: n(r.lines), keptLines: n(r.kept), rejectedLines: n(r.rejected) }));
  }

  /** Files with the most AI lines, across repositories. */
  async topFiles(scope: RecordScope, limit: number): Promise<{ repo: string; path: string; edits: number; lines: number }[]> {
    const rows = await this.all(
      `SELECT r.repo_id AS repo, r.path AS path, count(*) AS edits, sum(r.lines) AS lines FROM records r
       WHERE r.kind = 'edit' AND r.repo_id IS NOT NULL AND ${recordsInScope(scope, 'r.uploader_id')}
       GROUP BY r.repo_id, r.path ORDER BY sum(r.lines) DESC LIMIT ${Math.max(1, Math.min(500, Math.trunc(limit)))}`,
    );
    return rows.map((r) => ({ repo: String(r.repo), path: String(r.path), edits: n(r.edits), lines: n(r.lines) }));
  }

  /** AI edits no review mark (of the edit, or of its session) covers, per repository. */
  async unreviewed(scope: RecordScope): Promise<{ repo: string; edits: number; lines: number }[]> {
    const rows = await this.all(
      `SELECT r.repo_id AS repo, count(*) AS edits, sum(r.lines) AS lines FROM records r
       WHERE r.kind = 'edit' AND r.repo_id IS NOT NULL AND ${recordsInScope(scope, 'r.uploader_id')}
         AND NOT EXISTS (SELECT 1 FROM git_reviews g WHERE g.edit_id = r.id)
         AND NOT EXISTS (SELECT 1 FROM git_reviews g WHERE g.session_id = r.session_id)
       GROUP BY r.repo_id ORDER BY sum(r.lines) DESC LIMIT 200`,
    );
    return rows.map((r) => ({ repo: String(r.repo), edits: n(r.edits), lines: n(r.lines) }));
  }
}
