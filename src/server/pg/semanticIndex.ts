/**
 * Record embeddings in pgvector: one row per record (per organisation), with the model name and the
 * dimension it was made with and a hash of the embedded text, in a `vector(N)` column under an HNSW
 * cosine index.
 *
 * One dimension per table (an HNSW index needs a fixed N): the first embedding answer fixes it. When the
 * configured model changes, rows of the old model are ignored by queries and re-embedded by the queue;
 * when the new model has another dimension the table is recreated (old vectors cannot be compared with
 * new ones anyway). `semantic_index_state` holds the current model and dimension.
 */
import type { Pool, PoolClient } from 'pg';
import type { VectorSupport } from './searchSchema';

export interface EmbeddingRow {
  orgId: number;
  recordId: string;
  repoId: string | null;
  contentHash: string;
  vector: number[];
}

export interface IndexState {
  model: string;
  dims: number;
}

export interface NearestOptions {
  orgId: number;
  model: string;
  limit: number;
  repo?: string;
  /**
   * A SQL predicate on the records row `r` (the caller's read scope): checked per candidate through the
   * record's id, so the iterative scan keeps going until `limit` readable records are found.
   */
  within?: string;
}

/** Serialises table (re)creation across servers sharing a database. */
const INDEX_LOCK = 0x4c4c_5645_4354; // "LLVECT"

export const toVectorLiteral = (v: readonly number[]): string => `[${v.join(',')}]`;

export class SemanticIndex {
  private state: IndexState | null = null;

  constructor(
    private readonly pool: Pool,
    readonly support: Extract<VectorSupport, { available: true }>,
  ) {}

  /** The model and dimension the table holds, or null before the first embedding. */
  async currentState(): Promise<IndexState | null> {
    if (this.state) return this.state;
    const exists = (await this.pool.query<{ t: string | null }>(`SELECT to_regclass('semantic_index_state')::text AS t`)).rows[0]!.t;
    if (!exists) return null;
    const row = (await this.pool.query<{ model: string; dims: number }>('SELECT model, dims FROM semantic_index_state WHERE id = 1')).rows[0];
    this.state = row ? { model: row.model, dims: row.dims } : null;
    return this.state;
  }

  /**
   * Makes the table hold `model` vectors of `dims` dimensions: creates it, records a model change (same
   * dimension: old rows stay until re-embedded) or recreates it (another dimension). Returns whether
   * the model changed (the caller then re-embeds everything).
   */
  async prepare(model: string, dims: number): Promise<{ modelChanged: boolean }> {
    const known = await this.currentState();
    if (known && known.model === model && known.dims === dims) return { modelChanged: false };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [INDEX_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS semantic_index_state (id integer PRIMARY KEY CHECK (id = 1), model text NOT NULL, dims integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
      const row = (await client.query<{ model: string; dims: number }>('SELECT model, dims FROM semantic_index_state WHERE id = 1')).rows[0];
      if (!row || row.dims !== dims) {
        await client.query('DROP TABLE IF EXISTS record_embeddings');
        await createTable(client, dims);
      }
      await client.query(
        `INSERT INTO semantic_index_state (id, model, dims) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, dims = EXCLUDED.dims, updated_at = now()`,
        [model, dims],
      );
      await client.query('COMMIT');
      this.state = { model, dims };
      return { modelChanged: !row || row.model !== model || row.dims !== dims };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Of the given records, the ones with no vector of `model` for exactly this content. */
  async stale(model: string, items: { orgId: number; recordId: string; contentHash: string }[]): Promise<Set<number>> {
    const stale = new Set<number>(items.map((_, i) => i));
    if (!(await this.currentState()) || items.length === 0) return stale;
    const { rows } = await this.pool.query<{ i: number }>(
      `SELECT t.i FROM unnest($1::int[], $2::text[], $3::text[]) WITH ORDINALITY AS t(org_id, record_id, hash, i)
       JOIN record_embeddings e ON e.org_id = t.org_id AND e.record_id = t.record_id AND e.content_hash = t.hash AND e.model = $4`,
      [items.map((x) => x.orgId), items.map((x) => x.recordId), items.map((x) => x.contentHash), model],
    );
    for (const r of rows) stale.delete(Number(r.i) - 1);
    return stale;
  }

  async upsert(model: string, rows: EmbeddingRow[]): Promise<void> {
    const state = await this.currentState();
    if (!state || state.model !== model) throw new Error(`the semantic index holds ${state ? state.model : 'nothing'}, not ${model}: prepare() first`);
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO record_embeddings (org_id, record_id, repo_id, model, dims, content_hash, embedding)
       SELECT t.org_id, t.record_id, t.repo_id, $6, $7, t.hash, t.v::vector
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(org_id, record_id, repo_id, hash, v)
       ON CONFLICT (org_id, record_id) DO UPDATE SET repo_id = EXCLUDED.repo_id, model = EXCLUDED.model, dims = EXCLUDED.dims,
         content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding, embedded_at = now()`,
      [rows.map((r) => r.orgId), rows.map((r) => r.recordId), rows.map((r) => r.repoId), rows.map((r) => r.contentHash), rows.map((r) => toVectorLiteral(r.vector)), model, state.dims],
    );
  }

  /** Vectors of the current model for an organisation (for status pages and tests). */
  async count(orgId: number, model: string): Promise<number> {
    if (!(await this.currentState())) return 0;
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM record_embeddings WHERE org_id = $1 AND model = $2', [orgId, model]);
    return Number(rows[0]!.n);
  }

  /**
   * The records nearest to `vector` by cosine distance, nearest first. The HNSW scan is iterative
   * (pgvector 0.8, relaxed order): when the filters (organisation, model, repository) drop rows, the
   * scan goes on past ef_search until `limit` rows pass, instead of returning too few. Relaxed order
   * can yield rows slightly out of order, so the outer query sorts the candidates again.
   */
  async nearest(vector: readonly number[], opts: NearestOptions): Promise<{ recordId: string; distance: number }[]> {
    const state = await this.currentState();
    if (!state || state.model !== opts.model) return [];
    if (vector.length !== state.dims) throw new Error(`query vector has ${vector.length} dimensions, the index ${state.dims}`);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.min(1000, Math.max(40, opts.limit * 2)))]);
      if (this.support.iterativeScan) await client.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      await client.query('SET LOCAL jit = off'); // compiling costs more than this short, index-driven query runs
      const args: unknown[] = [toVectorLiteral(vector), opts.orgId, opts.model, opts.limit];
      let repo = '';
      if (opts.repo !== undefined) {
        args.push(opts.repo);
        repo = `AND repo_id = $${args.length}`;
      }
      // A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a semi-join, and with it chose a
      // scan of every vector and a sort over the HNSW index (13 s instead of 20 ms at 1,000,000 vectors).
      // As a subquery the scope is a filter on each candidate the index scan yields (NULL: record gone).
      const scoped = opts.within
        ? `AND (SELECT ${opts.within} FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
                WHERE m.org_id = record_embeddings.org_id AND m.id = record_embeddings.record_id)`
        : '';
      const { rows } = await client.query<{ record_id: string; d: number }>(
        `WITH c AS MATERIALIZED (
           SELECT record_id, embedding <=> $1::vector AS d FROM record_embeddings
           WHERE org_id = $2 AND model = $3 ${repo} ${scoped} ORDER BY embedding <=> $1::vector LIMIT $4)
         SELECT record_id, d FROM c ORDER BY d, record_id`,
        args,
      );
      await client.query('COMMIT');
      return rows.map((r) => ({ recordId: r.record_id, distance: Number(r.d) }));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

async function createTable(client: PoolClient, dims: number): Promise<void> {
  if (!Number.isSafeInteger(dims) || dims < 1 || dims > 2000) {
    // HNSW indexes vectors of up to 2,000 dimensions.
    throw new Error(`an HNSW index holds vectors of 1 to 2000 dimensions; the model answered ${dims}`);
  }
  await client.query(`
    CREATE TABLE record_embeddings (
      org_id integer NOT NULL,
      record_id text NOT NULL,
      repo_id text,
      model text NOT NULL,
      dims integer NOT NULL,
      content_hash text NOT NULL,
      embedding vector(${dims}) NOT NULL,
      embedded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, record_id)
    )`);
  await client.query(VECTOR_INDEX_SQL);
}

/**
 * The HNSW index over the vectors. Bulk loads (a first import of a large history) are far faster with
 * the index dropped and built once after (an HNSW insert is a graph search; a build with enough
 * maintenance_work_mem keeps the graph in memory); the search bench fills a million records that way.
 */
export const VECTOR_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS record_embeddings_hnsw ON record_embeddings USING hnsw (embedding vector_cosine_ops)';
