/**
 * Monthly partitions of `records`, created on demand: before a batch is stored, every month it touches
 * must have its partition. Creation runs in its own short transaction under an advisory lock (two
 * servers ingesting the first record of a month at once), never inside the ingest transaction, where
 * the lock it needs on the parent table could deadlock with another batch's inserts.
 */
import type { Pool } from 'pg';

const PARTITION_LOCK = 0x4c4c_5041_5254; // "LLPART"

/** `2026-11` for a time; the partition name and its bounds. */
export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

export function partitionFor(month: string): { name: string; from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
  return { name: `records_${month.replace('-', '_')}`, from: `${month}-01T00:00:00Z`, to: `${next}-01T00:00:00Z` };
}

export class Partitions {
  private readonly known = new Set<string>();

  constructor(private readonly pool: Pool) {}

  /** Makes sure every month in `months` (as from monthOf) has its partition. */
  async ensure(months: Iterable<string>): Promise<void> {
    const missing = [...new Set(months)].filter((m) => !this.known.has(m));
    if (missing.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const month of missing) {
        if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`not a month: ${month}`);
        const p = partitionFor(month);
        const exists = (await client.query('SELECT to_regclass($1) IS NOT NULL AS e', [p.name])).rows[0] as { e: boolean };
        // Names and bounds come from the pattern checked above, never from a request's text.
        if (!exists.e) await client.query(`CREATE TABLE ${p.name} PARTITION OF records FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
      }
      await client.query('COMMIT');
      for (const m of missing) this.known.add(m);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
