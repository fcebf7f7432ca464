/**
 * The one place the PostgreSQL backend wires search up: reads the embeddings configuration, prepares
 * the search schema, feature-detects pgvector, and returns the search service and the embedding queue
 * (started: it backfills what is missing). Without an endpoint or without pgvector the service is
 * lexical only and carries the reason.
 *
 * Configuration (admin): `LINEAGELENS_EMBEDDINGS_URL` (the full `.../v1/embeddings` URL),
 * `LINEAGELENS_EMBEDDINGS_MODEL`, optional `LINEAGELENS_EMBEDDINGS_API_KEY`; or the same as an object.
 */
import type { Pool } from 'pg';
import { PgRecordTextSource } from '../pg/recordTextSource';
import { detectVector, ensureSearchSchema } from '../pg/searchSchema';
import { SemanticIndex } from '../pg/semanticIndex';
import { EmbeddingClient, type EmbeddingConfig, EmbeddingConfigSchema } from './embeddingClient';
import { EmbeddingQueue } from './embeddingQueue';
import { SearchService } from './searchService';

export const EMBEDDINGS_ENV = { url: 'LINEAGELENS_EMBEDDINGS_URL', model: 'LINEAGELENS_EMBEDDINGS_MODEL', apiKey: 'LINEAGELENS_EMBEDDINGS_API_KEY' } as const;

/** The configured endpoint, or null when none is; a half or malformed configuration is an error. */
export function embeddingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbeddingConfig | null {
  const url = env[EMBEDDINGS_ENV.url]?.trim();
  const model = env[EMBEDDINGS_ENV.model]?.trim();
  const apiKey = env[EMBEDDINGS_ENV.apiKey]?.trim() || undefined;
  if (!url && !model) return null;
  if (!url || !model) throw new Error(`semantic search needs both ${EMBEDDINGS_ENV.url} and ${EMBEDDINGS_ENV.model}`);
  const parsed = EmbeddingConfigSchema.safeParse({ url, model, apiKey });
  if (!parsed.success) throw new Error(`${EMBEDDINGS_ENV.url}/${EMBEDDINGS_ENV.model}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export interface PlusSearch {
  service: SearchService;
  /** Null when semantic search is off; the ingest calls `queue?.enqueue(...)` after each stored batch. */
  queue: EmbeddingQueue | null;
  close(): Promise<void>;
}

export async function openPlusSearch(pool: Pool, config: EmbeddingConfig | null, log: (message: string) => void): Promise<PlusSearch> {
  await ensureSearchSchema(pool);
  if (!config) {
    log(`semantic search is off: no embeddings endpoint configured (set ${EMBEDDINGS_ENV.url} and ${EMBEDDINGS_ENV.model}): lexical search only`);
    return { service: new SearchService(pool, { semantic: null }), queue: null, close: async () => undefined };
  }
  const support = await detectVector(pool);
  if (!support.available) {
    log(`semantic search is off: ${support.reason}`);
    return { service: new SearchService(pool, { semantic: null, unavailableReason: `${support.reason}: lexical search only` }), queue: null, close: async () => undefined };
  }
  const client = new EmbeddingClient(config);
  const index = new SemanticIndex(pool, support);
  const queue = new EmbeddingQueue({ client, index, source: new PgRecordTextSource(pool), log });
  queue.start();
  log(`semantic search: model ${client.model} at ${client.endpoint} (pgvector ${support.version})`);
  return { service: new SearchService(pool, { semantic: { client, index } }), queue, close: () => queue.close() };
}
