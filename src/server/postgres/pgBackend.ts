/**
 * The Plus backend: PostgreSQL through a `pg` connection pool. Opening it applies pending migrations
 * (refusing a database from a newer version) before anything else touches the schema.
 */
import type { ServerBackend } from '../backend/backend';
import { OrgViews } from '../db/orgViews';
import { migrate, type MigrationReport } from './migrations';
import { PgAccounts } from './pgAccounts';
import { createPool, redactUrl, type Pool } from './pgClient';
import { PgGit } from './pgGit';
import { PgIngest } from './pgIngest';
import { PgQueries } from './pgQueries';
import { Partitions } from './partitions';
import { embeddingConfigFromEnv, openPlusSearch, type PlusSearch } from '../search/plusSearch';

export class PgBackend implements ServerBackend {
  readonly kind = 'postgres' as const;
  readonly accounts: PgAccounts;
  readonly ingest: PgIngest;
  readonly queries: PgQueries;
  readonly git: PgGit;
  /** Plus search (lexical, semantic, hybrid), when opened for a server (`openPgBackend(..., { search: true })`). */
  search: PlusSearch | null = null;
  readonly views: OrgViews;
  private closing: Promise<void> | null = null;

  constructor(
    readonly pool: Pool,
    readonly description: string,
    /** Where the export signing key lives (`<dir>/keys/`); null: a key for this process only. */
    keyDir: string | null = null,
  ) {
    this.accounts = new PgAccounts(pool);
    this.ingest = new PgIngest(pool, new Partitions(pool));
    this.queries = new PgQueries(pool);
    this.git = new PgGit(pool, keyDir);
    this.views = new OrgViews('postgres', async (sql) => (await pool.query(sql)).rows as Record<string, unknown>[]);
  }

  close(): Promise<void> {
    // The embedding queue stops first: it must not use the pool while it ends.
    return (this.closing ??= (this.search?.close() ?? Promise.resolve()).then(() => this.pool.end()));
  }
}

/** Connects, migrates, and returns the backend (and what the migration did). */
export async function openPgBackend(
  url: string,
  options: { poolSize?: number; keyDir?: string | null; search?: boolean; env?: NodeJS.ProcessEnv; log?: (message: string) => void } = {},
): Promise<{ backend: PgBackend; migration: MigrationReport }> {
  // A half or malformed embeddings configuration stops the start, before anything is opened.
  const embeddings = options.search ? embeddingConfigFromEnv(options.env) : null;
  const pool = createPool(url, options.poolSize);
  try {
    const client = await pool.connect();
    let migration: MigrationReport;
    try {
      migration = await migrate(client);
    } finally {
      client.release();
    }
    const backend = new PgBackend(pool, redactUrl(url), options.keyDir ?? null);
    if (options.search) {
      // Semantic search is wired here: the ingest hands each stored batch to the embedding queue.
      backend.search = await openPlusSearch(pool, embeddings, options.log ?? ((m) => process.stderr.write(`lineagelens server: ${m}\n`)));
      const queue = backend.search.queue;
      if (queue) backend.ingest.onStored = (records) => queue.enqueue(records);
    }
    return { backend, migration };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
}
