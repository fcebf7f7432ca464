/**
 * One search, as the API (`GET /api/v1/search`) and the dashboard's search page answer it, on either
 * backend: the records found, and which methods ran and why the others did not.
 *
 * - SQLite (Lite): full-text search (FTS5), lexical only, and the answer says so.
 * - PostgreSQL (Plus): the search service (search/searchService.ts): lexical (full-text + trigram),
 *   semantic (pgvector) and hybrid (reciprocal rank fusion). Without `mode` it is hybrid when semantic
 *   search can run, else lexical. Semantic never runs on a pretend basis: when it cannot run (no
 *   endpoint configured, pgvector missing, nothing embedded yet, the endpoint down), the answer is
 *   lexical and the reason is given; embeddings still waiting in the queue are counted.
 *
 * Plus results are a ranked list, not a keyset: the cursor is an offset into it, up to MAX_DEPTH hits.
 */
import type { RecordScope } from '../access/scopeSql';
import type { ServerBackend } from '../backend/backend';
import { CursorError } from '../db/queries';
import type { PgBackend } from '../postgres/pgBackend';
import { uploadersInScope } from '../postgres/pgScope';
import { RANKED_CANDIDATES } from './lexicalSearch';
import type { SearchHit, SearchMode } from './searchService';

export type MethodReport = { ran: true; what: string } | { ran: false; reason: string };

export interface SearchReport {
  /** The mode asked for (null: none, the default). */
  requested: SearchMode | null;
  /** What actually ran. */
  mode: SearchMode;
  methods: { lexical: MethodReport; semantic: MethodReport };
  /** Records stored but not embedded yet (Plus with an endpoint only): found lexically meanwhile. */
  embeddingsPending?: number;
  /** Per record of this page, in order: its ranks in each list and the fused score (Plus only). */
  hits?: SearchHit[];
}

export interface SearchAnswer {
  records: unknown[];
  nextCursor: string | null;
  search: SearchReport;
}

export interface SearchAsk {
  q: string;
  mode?: SearchMode;
  limit: number;
  cursor?: string;
}

/** Hits a client can page through (offset + limit). */
export const MAX_DEPTH = 1000;

const LITE_LEXICAL = 'full-text (SQLite FTS5: every word, whole words, word* as a prefix)';
const LITE_NO_SEMANTIC = 'the SQLite (Lite) backend has lexical search only: semantic search needs the PostgreSQL backend (Plus) with an embeddings endpoint';
const PLUS_LEXICAL = 'full-text (PostgreSQL, ranked: prompt, then path, then code) + trigram corrections (pg_trgm) for typos and identifiers';

const LEXICAL_BOUNDED = `more records matched than are ranked: the newest ${RANKED_CANDIDATES.toLocaleString('en')} matching any word and the newest ${RANKED_CANDIDATES.toLocaleString('en')} holding every word were ranked (add words or a repository to reach older ones)`;

function offsetOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v[0] === 'o' && Number.isSafeInteger(v[1]) && (v[1] as number) > 0 && (v[1] as number) < MAX_DEPTH) return v[1] as number;
  } catch {
    // falls through to the error below
  }
  throw new CursorError('cursor is not one this server handed out');
}

const offsetCursor = (offset: number) => Buffer.from(JSON.stringify(['o', offset])).toString('base64url');

/** `within`: the caller's read scope; nothing outside it is ranked, counted or returned. */
export async function searchRecords(backend: ServerBackend, within: RecordScope, ask: SearchAsk): Promise<SearchAnswer> {
  const plus = backend.kind === 'postgres' ? (backend as PgBackend).search : null;
  if (!plus) {
    const page = await backend.queries.search(within, ask.q, ask.limit, ask.cursor);
    const reason = backend.kind === 'sqlite' ? LITE_NO_SEMANTIC : 'Plus search is not open in this process: lexical only';
    return { records: page.items, nextCursor: page.nextCursor, search: { requested: ask.mode ?? null, mode: 'lexical', methods: { lexical: { ran: true, what: LITE_LEXICAL }, semantic: { ran: false, reason } } } };
  }

  const offset = offsetOf(ask.cursor);
  const want = Math.min(MAX_DEPTH, offset + ask.limit);
  const result = await plus.service.search({ orgId: 1, text: ask.q, mode: ask.mode ?? 'hybrid', limit: want + 1, within: await uploadersInScope((backend as PgBackend).pool, within, 'r.uploader_id') });
  const more = result.hits.length > want;
  const hits = result.hits.slice(offset, want);
  const records = await (backend as PgBackend).queries.recordsByIds(within, hits.map((h) => h.id));

  const queue = plus.queue?.status();
  const pending = queue ? queue.pending : undefined;
  const pendingNote = queue && (queue.pending > 0 || queue.backfilling) ? `embeddings pending for ${queue.pending} records${queue.backfilling ? ' (and a backfill pass over stored records is running)' : ''}: they are found lexically until embedded` : null;
  let semantic: MethodReport;
  if (result.mode !== 'lexical' && result.semantic.available) {
    semantic = { ran: true, what: `nearest neighbours by cosine distance (pgvector HNSW), model ${result.semantic.model}${pendingNote ? `; ${pendingNote}` : ''}` };
  } else if (ask.mode === 'lexical') {
    semantic = { ran: false, reason: `not asked for (mode=lexical)${result.semantic.available ? '' : `; it is unavailable anyway: ${result.semantic.reason}`}` };
  } else {
    semantic = { ran: false, reason: result.semantic.available ? 'unavailable' : `${result.semantic.reason}${pendingNote ? `; ${pendingNote}` : ''}` };
  }
  const lexical: MethodReport =
    result.mode === 'semantic' ? { ran: false, reason: 'not asked for (mode=semantic)' } : { ran: true, what: result.lexicalBounded ? `${PLUS_LEXICAL}; ${LEXICAL_BOUNDED}` : PLUS_LEXICAL };
  return {
    records,
    nextCursor: more && want < MAX_DEPTH ? offsetCursor(want) : null,
    search: { requested: ask.mode ?? null, mode: result.mode, methods: { lexical, semantic }, embeddingsPending: pending, hits },
  };
}

/** One line for people (the dashboard): what ran, and why not the rest. */
export function describeSearch(r: SearchReport): string {
  const ran = r.mode === 'hybrid' ? 'hybrid: lexical and semantic results fused (reciprocal rank fusion)' : r.mode;
  const why = (['lexical', 'semantic'] as const).flatMap((m) => {
    const x = r.methods[m];
    return x.ran ? [] : [`${m} did not run: ${x.reason}`];
  });
  return [`Search mode: ${ran}.`, ...why.map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}.`)].join(' ');
}
