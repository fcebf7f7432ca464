/**
 * The records a server export includes, in ingest order (rowid), page by page so an export of millions
 * holds one page at a time and the writer (ingest) is never blocked by an open read cursor. Simple filters
 * (tool, session, time window) narrow the SQL; the export filter itself (core/export/exportFilter.ts, the
 * CLI's) then decides, so the server and the CLI include exactly the same records.
 */
import { type ExportFilter, recordMatcher } from '../../core/export/exportFilter';
import type { GitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import { parseRecord } from '../../core/model/version';
import { type RecordScope, recordsInScope, usersInScope } from '../access/scopeSql';
import type { Db } from './serverDb';

export interface ExportRow {
  rid: number;
  record: ProvenanceRecord;
  /** The record as stored: canonical JSON (the bytes its upload chain hash covers). */
  json: string;
}

const PAGE = 500;

/** Every read is of one caller's scope (access/scope.ts): records, and review marks, of users in it. */
export class ExportRows {
  constructor(private readonly db: Db) {}

  /** The newest record row of the scope now: an export "as of" it includes nothing ingested later. */
  async latestRid(scope: RecordScope): Promise<number> {
    return this.db.prepare<[], { m: number | null }>(`SELECT max(rid) AS m FROM records WHERE ${recordsInScope(scope)}`).get()?.m ?? 0;
  }

  /** Pages of included records of the scope with rid <= asOf, oldest first. */
  async *pages(scope: RecordScope, filter: ExportFilter, asOf: number): AsyncGenerator<ExportRow[]> {
    const where = ['rid > ?', 'rid <= ?', recordsInScope(scope)];
    const args: (string | number)[] = [];
    if (filter.tool) {
      where.push('tool = ?');
      args.push(filter.tool);
    }
    if (filter.session) {
      where.push('session_id = ?');
      args.push(filter.session);
    }
    if (filter.since) {
      where.push('time >= ?');
      args.push(new Date(filter.since).toISOString());
    }
    const page = this.db.prepare<(string | number)[], { rid: number; json: string }>(`SELECT rid, json FROM records WHERE ${where.join(' AND ')} ORDER BY rid LIMIT ${PAGE}`);
    const matches = recordMatcher(filter);
    let after = 0;
    for (;;) {
      const rows = page.all(after, asOf, ...args);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rid;
      const out: ExportRow[] = [];
      for (const row of rows) {
        // Validated again on the way out, as the CLI's export does (and parsed to the schema's shape, so
        // derived formats such as Agent Trace come out byte-identical to the CLI's).
        const record = parseRecord(JSON.parse(row.json));
        if (matches(record)) out.push({ rid: row.rid, record, json: row.json });
      }
      yield out;
    }
  }

  recordNow(scope: RecordScope, rid: number): ProvenanceRecord | null {
    const row = this.db.prepare<[number], { json: string }>(`SELECT json FROM records WHERE rid = ? AND ${recordsInScope(scope)}`).get(rid);
    return row ? parseRecord(JSON.parse(row.json)) : null;
  }

  /** Review marks of edits and sessions uploaded in the scope (the markdown report shows the newest of each). */
  async reviewMarks(scope: RecordScope): Promise<GitRecord[]> {
    return this.db
      .prepare<[], { json: string }>(`SELECT json FROM git_reviews WHERE (edit_id IS NOT NULL OR session_id IS NOT NULL) AND ${usersInScope(scope)} ORDER BY rid`)
      .all()
      .map((r) => JSON.parse(r.json) as GitRecord);
  }

  /** Whether the scope holds a binding at this commit (full id) of the repository. */
  async hasCommit(scope: RecordScope, repo: string, commit: string): Promise<boolean> {
    return this.db.prepare(`SELECT 1 FROM git_bindings WHERE repo_id = ? AND commit_id = ? AND ${usersInScope(scope)} LIMIT 1`).get(repo, commit) !== undefined;
  }
}
