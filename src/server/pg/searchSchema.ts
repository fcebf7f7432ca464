/**
 * The search side of the PostgreSQL schema: pg_trgm and the trigram column over `records`, and the
 * feature detection of pgvector. Idempotent (IF NOT EXISTS), so it can run on every start or become one
 * versioned migration of postgres/migrations.ts as it is.
 *
 * `records.search` (the weighted tsvector, built at ingest with searchVectorSql) belongs to the records
 * migration; `records.search_words` (distinct words and identifiers of path, code and prompt) is added
 * here with its GIN trigram index, which finds identifiers by part and survives typos.
 */
import type { Pool, PoolClient } from 'pg';

export const SEARCH_SCHEMA_SQL = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE records ADD COLUMN IF NOT EXISTS search_words text NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS records_search_words ON records USING gin (search_words gin_trgm_ops);
`;

export async function ensureSearchSchema(db: Pool | PoolClient): Promise<void> {
  await db.query(SEARCH_SCHEMA_SQL);
}

export type VectorSupport = { available: true; version: string; iterativeScan: boolean } | { available: false; reason: string };

/**
 * Whether pgvector can be used: installed in this database, or installable (CREATE EXTENSION needs the
 * extension's files on the server and the right to create it). Never throws: a missing extension is a
 * reason, shown to users as "lexical only".
 */
export async function detectVector(db: Pool | PoolClient): Promise<VectorSupport> {
  try {
    let installed = (await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.v;
    if (!installed) {
      const offered = (await db.query<{ v: string }>(`SELECT default_version AS v FROM pg_available_extensions WHERE name = 'vector'`)).rows[0]?.v;
      if (!offered) return { available: false, reason: 'the pgvector extension is not installed on the PostgreSQL server (see docs/server.md, "pgvector")' };
      try {
        await db.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch (err) {
        return { available: false, reason: `pgvector is on the server but could not be enabled in this database: ${(err as Error).message}` };
      }
      installed = (await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.v ?? offered;
    }
    const [major = 0, minor = 0] = installed.split('.').map(Number);
    return { available: true, version: installed, iterativeScan: major > 0 || minor >= 8 };
  } catch (err) {
    return { available: false, reason: `could not check for pgvector: ${(err as Error).message}` };
  }
}
