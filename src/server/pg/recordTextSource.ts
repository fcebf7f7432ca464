/**
 * Reads the text of stored records for (re-)embedding, a page at a time in (org, id) order, from the
 * PostgreSQL backend's tables: `record_ids` (org_id, id) -> (time, rid) and `records` (json).
 * Used by the embedding queue's backfill: after a start, a model change, or a queue overflow.
 */
import type { Pool } from 'pg';
import { parseRecordJson } from '../../core/model/version';
import { toRow } from '../db/recordRow';
import type { SearchSource } from '../search/searchDocument';

export interface TextRecord {
  orgId: number;
  id: string;
  repoId: string | null;
  source: SearchSource;
}

export interface RecordTextSource {
  /** Up to `limit` records after `after` in (orgId, id) order. */
  page(after: { orgId: number; id: string } | null, limit: number): Promise<TextRecord[]>;
}

export class PgRecordTextSource implements RecordTextSource {
  constructor(private readonly pool: Pool) {}

  async page(after: { orgId: number; id: string } | null, limit: number): Promise<TextRecord[]> {
    const { rows } = await this.pool.query<{ org_id: number; id: string; json: string }>(
      `SELECT i.org_id, i.id, r.json FROM record_ids i
       JOIN records r ON r.org_id = i.org_id AND r.time = i.time AND r.rid = i.rid
       WHERE (i.org_id, i.id) > ($1, $2) ORDER BY i.org_id, i.id LIMIT $3`,
      [after?.orgId ?? -2147483648, after?.id ?? '', limit],
    );
    const out: TextRecord[] = [];
    for (const r of rows) {
      let row;
      try {
        row = toRow(parseRecordJson(r.json));
      } catch {
        continue; // stored records were validated on ingest; one this build cannot read is not embedded
      }
      out.push({ orgId: r.org_id, id: r.id, repoId: row.repoId, source: { path: row.path, prompt: row.prompt, code: row.code } });
    }
    return out;
  }
}
