/**
 * The lineage outbox (lineageOutbox.ts) on PostgreSQL. Several server processes may share the database:
 * one at a time indexes (a session advisory lock held while it works), because two indexers running at
 * once could each miss the other's uncommitted line hashes and so a derived-from edge.
 */
import type { Pool, PoolClient } from 'pg';
import type { ProvenanceRecord } from '../../core/model/schema';
import { inIdOrder, type LineageOutbox, type OutboxKind, type OutboxRow } from './lineageOutbox';

export const PG_LINEAGE_OUTBOX_MIGRATION = `
CREATE TABLE lineage_outbox (
  org_id integer NOT NULL DEFAULT 1,
  seq bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/** The advisory lock key of the lineage indexer ('LLin' as an integer). */
const INDEXER_LOCK = 0x4c4c696e;
const ORG = 1;

export class PgOutbox implements LineageOutbox {
  private holder: PoolClient | null = null;

  constructor(private readonly pool: Pool) {}

  async add(kind: OutboxKind, payload: string): Promise<void> {
    await this.pool.query('INSERT INTO lineage_outbox (org_id, kind, payload) VALUES ($1, $2, $3)', [ORG, kind, payload]);
  }

  async acquire(): Promise<boolean> {
    if (this.holder) return true;
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [INDEXER_LOCK]);
      if (rows[0]!.ok) {
        this.holder = client;
        return true;
      }
    } catch (err) {
      client.release();
      throw err;
    }
    client.release();
    return false;
  }

  async release(): Promise<void> {
    const client = this.holder;
    if (!client) return;
    this.holder = null;
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [INDEXER_LOCK]);
      client.release();
    } catch (err) {
      client.release(err as Error); // a broken connection is discarded; its session lock went with it
    }
  }

  async oldest(limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.pool.query<{ seq: string; kind: OutboxKind; payload: string; attempts: number }>(
      'SELECT seq, kind, payload, attempts FROM lineage_outbox WHERE org_id = $1 ORDER BY seq LIMIT $2',
      [ORG, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, payload: r.payload, attempts: r.attempts }));
  }

  async remove(seq: number): Promise<void> {
    await this.pool.query('DELETE FROM lineage_outbox WHERE seq = $1', [seq]);
  }

  async failed(seq: number, maxAttempts: number): Promise<'retry' | 'dropped'> {
    const { rows } = await this.pool.query<{ attempts: number }>('UPDATE lineage_outbox SET attempts = attempts + 1 WHERE seq = $1 RETURNING attempts', [seq]);
    if (rows[0] && rows[0].attempts < maxAttempts) return 'retry';
    await this.remove(seq);
    return 'dropped';
  }

  async pending(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM lineage_outbox WHERE org_id = $1', [ORG]);
    return rows[0]!.n;
  }

  async storedRecords(ids: readonly string[]): Promise<ProvenanceRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; json: string }>(
      `SELECT r.id, r.json FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
       WHERE m.org_id = $1 AND m.id = ANY($2::text[])`,
      [ORG, ids],
    );
    return inIdOrder(ids, rows);
  }
}
