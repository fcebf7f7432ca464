/** The lineage outbox (lineageOutbox.ts) on SQLite: one server process writes and indexes. */
import type { ProvenanceRecord } from '../../core/model/schema';
import type { Db } from '../db/serverDb';
import { inIdOrder, type LineageOutbox, type OutboxKind, type OutboxRow } from './lineageOutbox';

export const SQLITE_LINEAGE_OUTBOX_MIGRATION = `
  CREATE TABLE lineage_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
`;

export class SqliteOutbox implements LineageOutbox {
  private readonly insert;
  private readonly select;
  private readonly del;
  private readonly bump;
  private readonly count;
  private readonly records;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO lineage_outbox (kind, payload, created_at) VALUES (?, ?, ?)');
    this.select = db.prepare<[number], OutboxRow>('SELECT seq, kind, payload, attempts FROM lineage_outbox ORDER BY seq LIMIT ?');
    this.del = db.prepare('DELETE FROM lineage_outbox WHERE seq = ?');
    this.bump = db.prepare<[number], { attempts: number }>('UPDATE lineage_outbox SET attempts = attempts + 1 WHERE seq = ? RETURNING attempts');
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM lineage_outbox');
    this.records = db.prepare<[string], { id: string; json: string }>('SELECT id, json FROM records WHERE id IN (SELECT value FROM json_each(?))');
  }

  async add(kind: OutboxKind, payload: string): Promise<void> {
    this.insert.run(kind, payload, Date.now());
  }

  async acquire(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}

  async oldest(limit: number): Promise<OutboxRow[]> {
    return this.select.all(limit);
  }

  async remove(seq: number): Promise<void> {
    this.del.run(seq);
  }

  async failed(seq: number, maxAttempts: number): Promise<'retry' | 'dropped'> {
    const row = this.bump.get(seq);
    if (row && row.attempts < maxAttempts) return 'retry';
    this.del.run(seq);
    return 'dropped';
  }

  async pending(): Promise<number> {
    return this.count.get()!.n;
  }

  async storedRecords(ids: readonly string[]): Promise<ProvenanceRecord[]> {
    return ids.length === 0 ? [] : inIdOrder(ids, this.records.all(JSON.stringify(ids)));
  }
}
