/**
 * Where the server keeps what PR webhooks told it: the facts of each delivery (a PR's state, a review
 * verdict, pushed commits), stored once per delivery id (providers redeliver), and read back per
 * repository to fold into review status (core/reviews). Same behaviour on SQLite and PostgreSQL.
 */
import type { Pool } from 'pg';
import type { PrFact, Provider } from '../../core/reviews/prEvents';
import type { Db } from '../db/serverDb';
import { writeTransaction } from '../db/writeTransaction';
import { inTransaction } from '../postgres/pgClient';

export interface PrFactsStore {
  /** Stores the facts of one delivery; false when this delivery id was stored before (nothing changes). */
  add(provider: Provider, deliveryId: string, facts: readonly PrFact[], receivedAt: string): Promise<boolean>;
  /** Every fact about one repository, in the order received. */
  factsOf(repoId: string): Promise<PrFact[]>;
}

/** SQLite: table pr_facts (server migration 3). */
export class SqlitePrFacts implements PrFactsStore {
  constructor(private readonly db: Db) {}

  async add(provider: Provider, deliveryId: string, facts: readonly PrFact[], receivedAt: string): Promise<boolean> {
    const insertDelivery = this.db.prepare('INSERT INTO pr_deliveries (provider, delivery_id, received_at, facts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const insertFact = this.db.prepare('INSERT INTO pr_facts (provider, delivery_id, idx, repo_id, json) VALUES (?, ?, ?, ?, ?)');
    return writeTransaction(this.db, () => {
      if (insertDelivery.run(provider, deliveryId, receivedAt, facts.length).changes === 0) return false;
      facts.forEach((f, i) => insertFact.run(provider, deliveryId, i, f.repo.id, JSON.stringify(f)));
      return true;
    })();
  }

  async factsOf(repoId: string): Promise<PrFact[]> {
    return this.db
      .prepare<[string], { json: string }>('SELECT json FROM pr_facts WHERE repo_id = ? ORDER BY rowid')
      .all(repoId)
      .map((r) => JSON.parse(r.json) as PrFact);
  }
}

/** PostgreSQL: tables pr_deliveries / pr_facts (migration "pull request webhooks"), keyed by org first. */
export class PgPrFacts implements PrFactsStore {
  constructor(
    private readonly pool: Pool,
    private readonly org = 1,
  ) {}

  async add(provider: Provider, deliveryId: string, facts: readonly PrFact[], receivedAt: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const inserted = await c.query('INSERT INTO pr_deliveries (org_id, provider, delivery_id, received_at, facts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [this.org, provider, deliveryId, receivedAt, facts.length]);
      if (inserted.rowCount === 0) return false;
      if (facts.length > 0) {
        await c.query(
          'INSERT INTO pr_facts (org_id, provider, delivery_id, idx, repo_id, fact) SELECT $1, $2, $3, i - 1, r, f FROM unnest($4::text[], $5::jsonb[]) WITH ORDINALITY AS t(r, f, i)',
          [this.org, provider, deliveryId, facts.map((f) => f.repo.id), facts.map((f) => JSON.stringify(f))],
        );
      }
      return true;
    });
  }

  async factsOf(repoId: string): Promise<PrFact[]> {
    const r = await this.pool.query<{ fact: PrFact }>('SELECT fact FROM pr_facts WHERE org_id = $1 AND repo_id = $2 ORDER BY seq', [this.org, repoId]);
    return r.rows.map((row) => row.fact);
  }
}
