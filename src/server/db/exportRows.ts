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
import type { Db } from './serverDb';

export interface ExportRow {
  rid: number;
  record: ProvenanceRecord;
  /** The record as stored: canonical JSON (the bytes its upload chain hash covers). */
  json: string;
}

const PAGE = 500;

export class ExportRows {
  private readonly maxRid;
  private readonly byRid;
  private readonly reviews;

  constructor(private readonly db: Db) {
    this.maxRid = db.prepare<[], { m: number | null }>('SELECT max(rid) AS m FROM records');
    this.byRid = db.prepare<[number], { json: string }>('SELECT json FROM records WHERE rid = ?');
    this.reviews = db.prepare<[], { json: string }>('SELECT json FROM git_reviews WHERE edit_id IS NOT NULL OR session_id IS NOT NULL ORDER BY rid');
  }

  /** The newest record row now: an export "as of" it includes nothing ingested later. */
  async latestRid(): Promise<number> {
    return this.maxRid.get()?.m ?? 0;
  }

  /** Pages of included records with rid <= asOf, oldest first. */
  async *pages(filter: ExportFilter, asOf: number): AsyncGenerator<ExportRow[]> {
    const where = ['rid > ?', 'rid <= ?'];
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

  recordNow(rid: number): ProvenanceRecord | null {
    const row = this.byRid.get(rid);
    return row ? parseRecord(JSON.parse(row.json)) : null;
  }

  /** Review marks of edits and sessions (the markdown report shows the newest of each). */
  async reviewMarks(): Promise<GitRecord[]> {
    return this.reviews.all().map((r) => JSON.parse(r.json) as GitRecord);
  }
}
