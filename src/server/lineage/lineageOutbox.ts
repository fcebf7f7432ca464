/**
 * What the lineage indexer still has to do, kept in the database (a transactional-outbox table): every
 * upload of records, ledger records or PR facts adds one row before it is answered, and the indexer
 * (indexRunner.ts) removes a row once its nodes and edges are written. Nothing of it lives only in memory,
 * so a crash or a restart loses no lineage: the next start indexes what was left.
 *
 * Indexing is idempotent, so a row indexed twice (a crash between indexing and removal, or a resent
 * batch) changes nothing. A client that got no answer resends its batch, so a crash between the ingest's
 * commit and the row's insert is covered too.
 */
import type { ProvenanceRecord } from '../../core/model/schema';

export type OutboxKind = 'records' | 'ledger' | 'pr';

export interface OutboxRow {
  seq: number;
  kind: OutboxKind;
  /** records: JSON array of record ids; ledger: JSON array of git records; pr: JSON array of repository ids. */
  payload: string;
  attempts: number;
}

export interface LineageOutbox {
  add(kind: OutboxKind, payload: string): Promise<void>;
  /**
   * Becomes the one indexer of this database (PostgreSQL: an advisory lock, as several server processes
   * may share it; SQLite: always). False: another process indexes; this one only waits for it.
   */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  /** The oldest rows, oldest first. */
  oldest(limit: number): Promise<OutboxRow[]>;
  remove(seq: number): Promise<void>;
  /** Counts a failed attempt; past `maxAttempts` the row is removed (and the caller logs it). */
  failed(seq: number, maxAttempts: number): Promise<'retry' | 'dropped'>;
  pending(): Promise<number>;
  /** The stored form of these records (after the capture policy), in the order asked; unknown ids are skipped. */
  storedRecords(ids: readonly string[]): Promise<ProvenanceRecord[]>;
}

/** Orders stored JSON by the ids asked for (databases return rows in their own order). */
export function inIdOrder(ids: readonly string[], rows: readonly { id: string; json: string }[]): ProvenanceRecord[] {
  const byId = new Map(rows.map((r) => [r.id, r.json]));
  const out: ProvenanceRecord[] = [];
  for (const id of ids) {
    const json = byId.get(id);
    if (json !== undefined) out.push(JSON.parse(json) as ProvenanceRecord);
  }
  return out;
}
