/**
 * The search side of the PostgreSQL schema: pg_trgm and the vocabulary it corrects query words with,
 * and the feature detection of pgvector. Idempotent (IF NOT EXISTS), so it can run on every start or
 * become one versioned migration of postgres/migrations.ts as it is.
 *
 * `records.search` (the weighted tsvector, built at ingest with searchVectorSql) belongs to the records
 * migration. Typos and partial identifiers are handled through `search_vocab`: every distinct word and
 * identifier (and identifier part) of the stored records, under a GIN trigram index. A query word is
 * matched against this small table, not against every record (word similarity over each matching
 * record's text cost O(records): 0.9 s at 6,000 records), and the close words join the full-text query.
 */
import type { Pool, PoolClient } from 'pg';

export const SEARCH_SCHEMA_SQL = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS search_vocab (word text PRIMARY KEY);
CREATE INDEX IF NOT EXISTS search_vocab_trgm ON search_vocab USING gin (word gin_trgm_ops);
`;

/**
 * The statement the ingest runs per batch, after its records, with one parameter: the distinct
 * `words` of the batch's search documents (searchDocument(...).words split on spaces) as text[].
 */
export const VOCAB_INSERT_SQL = `INSERT INTO search_vocab (word) SELECT DISTINCT w FROM unnest($1::text[]) AS t(w) WHERE length(w) BETWEEN 4 AND 64 ORDER BY 1 ON CONFLICT DO NOTHING`;

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
