/**
 * Lexical search over `records` in PostgreSQL: full-text search on the weighted tsvector `search`
 * (prompt A, path B, code C; see searchDocument.ts), ranked by ts_rank plus a bonus for records holding
 * every query word. Typos and partial identifiers: each longer query word is also searched as the
 * closest words of the vocabulary (pg_trgm similarity over `search_vocab`).
 *
 * Query words are ORed: ranking, not filtering, decides the order, so a record matching most of a long
 * question still comes up. Only letters, digits and `_` reach the query parsers, so no input is a syntax
 * error.
 *
 * Ranking is bounded: ts_rank reads every candidate's tsvector, and a common word (`return`, `async`)
 * matches half of a million records, which took 1.5 s. The candidates are the newest RANKED_CANDIDATES
 * records matching any word plus the newest RANKED_CANDIDATES holding every word, so a record with all
 * the words is found however old it is unless more than that many newer records hold them all too.
 * A search whose candidates hit either bound says so (`bounded`): older matches are reached by more
 * words, a repository filter, or semantic search.
 */
import type { Pool, PoolClient } from 'pg';
import { identifierParts } from './searchDocument';

export interface LexicalOptions {
  orgId: number;
  limit: number;
  repo?: string;
  /** A SQL predicate on the records row `r` (the caller's read scope). */
  within?: string;
  /** Records ranked per candidate list; default RANKED_CANDIDATES. */
  candidates?: number;
}

/** ts_rank weights for D, C (code), B (path), A (prompt). */
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';
/** Words too common in questions to be worth a trigram lookup. */
const TRIGRAM_STOP = new Set(['that', 'this', 'with', 'from', 'what', 'which', 'where', 'when', 'have', 'code', 'file', 'function', 'make', 'does', 'into', 'using', 'some', 'them', 'they', 'their', 'there', 'about', 'should']);
/** Trigram similarity a vocabulary word needs to count as a correction (pg_trgm's default is 0.3). */
export const SIMILARITY_THRESHOLD = 0.45;
const CORRECTIONS_PER_WORD = 2;
/** Records ranked per candidate list (any word / every word), newest first. */
export const RANKED_CANDIDATES = 2_000;

export interface QueryTerms {
  /** For websearch_to_tsquery: the words and identifier parts joined by `or`. */
  tsText: string;
  /** The words themselves, for the bonus of records that contain all of them. */
  allText: string;
  /** Up to four longer words to correct against the vocabulary. */
  trigram: string[];
}

export function queryTerms(text: string): QueryTerms {
  const words = (text.match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
  const terms = new Set<string>();
  for (const w of words) {
    terms.add(w.toLowerCase());
    for (const p of identifierParts(w)) terms.add(p);
  }
  terms.delete('or'); // websearch_to_tsquery's operator word
  const trigram = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => w.length >= 4 && !TRIGRAM_STOP.has(w)).slice(0, 4);
  const all = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => w !== 'or');
  return { tsText: [...terms].join(' or '), allText: all.join(' '), trigram };
}

export interface LexicalHit {
  id: string;
  ftsRank: number;
  /** Vocabulary words the query's words were also searched as (typos, partial identifiers). */
  corrected?: string[];
}

export interface LexicalResult {
  hits: LexicalHit[];
  /** True when more records matched than were ranked (see RANKED_CANDIDATES): older matches were left out. */
  bounded: boolean;
}

/** Vocabulary words close to each query word (typos, partial identifiers), best first. */
async function correctedWords(client: PoolClient, words: string[]): Promise<string[]> {
  if (words.length === 0) return [];
  await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(SIMILARITY_THRESHOLD)]);
  const { rows } = await client.query<{ word: string }>(
    `SELECT c.word FROM unnest($1::text[]) AS q(w)
     CROSS JOIN LATERAL (SELECT v.word FROM search_vocab v WHERE v.word % q.w AND v.word <> q.w ORDER BY similarity(v.word, q.w) DESC, v.word LIMIT $2) c`,
    [words, CORRECTIONS_PER_WORD],
  );
  return rows.map((r) => r.word);
}

export async function lexicalSearch(pool: Pool, text: string, opts: LexicalOptions): Promise<LexicalResult> {
  const { tsText, allText, trigram } = queryTerms(text);
  if (!tsText) return { hits: [], bounded: false };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // JIT compiling this statement costs more (~160 ms) than running it; the candidates' tsvectors are
    // sorted in memory rather than spilled.
    await client.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
    const corrected = await correctedWords(client, trigram);
    const anyText = [tsText, ...corrected].join(' or ');
    const result = await rankCandidates(client, anyText, allText, anyText === allText, opts);
    await client.query('COMMIT');
    return { bounded: result.bounded, hits: result.hits.map((h) => (corrected.length > 0 ? { ...h, corrected } : h)) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The first window back from the newest record; each next one at least twice as long (see lexicalSearch). */
const FIRST_WINDOW_MS = 31 * 24 * 3600 * 1000;

interface Candidate {
  id: string;
  timeMs: number;
  rid: number;
  rank: number;
}

/**
 * The newest `cap` records matching `match`, ranked, read window by window back in time (a month,
 * then at least twice as long each time, and long enough for what is missing at the rate matches were
 * found so far), stopping once `cap` are found. One statement over the whole table cannot stop
 * early for a word in a few percent of the records: its GIN lookup finds every match and each is read
 * to sort by time (0.4 s for 20,000 matches at 1,000,000 records). A window has constant bounds the
 * planner prunes partitions by and estimates with: a common word is a backward scan of the primary
 * key (org_id, time, rid), a rarer one a GIN lookup in the window's partitions.
 */
async function newestMatches(client: PoolClient, match: string, filter: string, args: unknown[], span: { lo: number; hi: number }, cap: number): Promise<Candidate[]> {
  const found: Candidate[] = [];
  let end = span.hi + 1;
  let width = FIRST_WINDOW_MS;
  while (found.length < cap && end > span.lo) {
    const start = Math.max(span.lo, end - width);
    const n = args.length;
    const { rows } = await client.query<{ id: string; t: string; rid: string; rank: number }>(
      `SELECT m.id, m.t, m.rid, ts_rank('${WEIGHTS}', m.search, ${ANY_WORD}, 1) + CASE WHEN ${EVERY_WORD('m.search')} THEN 1 ELSE 0 END AS rank
       FROM (SELECT r.id, (extract(epoch FROM r.time) * 1000)::float8 AS t, r.rid, r.search FROM records r
             WHERE r.time >= $${n + 1} AND r.time < $${n + 2} AND ${match} AND ${filter}
             ORDER BY r.time DESC, r.rid DESC LIMIT $${n + 3}) m`,
      [...args, new Date(start), new Date(end), cap - found.length],
    );
    for (const r of rows) found.push({ id: r.id, timeMs: Number(r.t), rid: Number(r.rid), rank: Number(r.rank) });
    if (found.length >= cap || start <= span.lo) break;
    // The next window ends at the newest record before this one (a gap in the history costs no window).
    const before = (await client.query<{ t: string | null }>(
      `SELECT (extract(epoch FROM max(time)) * 1000)::float8 AS t FROM records WHERE org_id = $1 AND time < $2`, [args[0], new Date(start)],
    )).rows[0]?.t;
    if (before === null || before === undefined) break;
    // Twice as long, or long enough for what is missing at the rate this window found matches: a
    // rare word (few or no matches yet) takes the whole rest of the history in one statement.
    const missing = cap - found.length;
    const perMs = rows.length / (end - start);
    width = Math.max(width * 2, perMs > 0 ? (2 * missing) / perMs : Number.POSITIVE_INFINITY);
    end = Math.floor(Number(before)) + 1;
  }
  return found;
}

/** Both query texts as tsqueries: $2 any word (English stems and plain words), $3 every word. */
const ANY_WORD = `(websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2))`;
const EVERY_WORD = (v: string) => `(${v} @@ websearch_to_tsquery('english', $3) OR ${v} @@ websearch_to_tsquery('simple', $3))`;

/** `oneWord`: the query is a single word with no parts or corrections, so both lists are the same. */
async function rankCandidates(client: PoolClient, anyText: string, allText: string, oneWord: boolean, opts: LexicalOptions): Promise<LexicalResult> {
  // Any word matches (corrections too); a record holding every word of the query ranks above those
  // holding some (ts_rank alone would put a record repeating one word above one containing all).
  const args: unknown[] = [opts.orgId, anyText, allText];
  let repo = '';
  if (opts.repo !== undefined) {
    args.push(opts.repo);
    repo = `AND r.repo_id = $${args.length}`;
  }
  const filter = `r.org_id = $1 ${repo} ${opts.within ? `AND ${opts.within}` : ''}`;
  const bounds = (await client.query<{ lo: string | null; hi: string | null }>(
    `SELECT (extract(epoch FROM min(time)) * 1000)::float8 AS lo, (extract(epoch FROM max(time)) * 1000)::float8 AS hi FROM records WHERE org_id = $1`,
    [opts.orgId],
  )).rows[0];
  if (!bounds?.lo || !bounds.hi) return { hits: [], bounded: false };
  const span = { lo: Math.floor(Number(bounds.lo)), hi: Math.ceil(Number(bounds.hi)) };
  const cap = opts.candidates ?? RANKED_CANDIDATES;
  const anyList = await newestMatches(client, `r.search @@ ${ANY_WORD}`, filter, args, span, cap);
  const everyList = oneWord ? [] : await newestMatches(client, EVERY_WORD('r.search'), filter, args, span, cap);
  const byId = new Map<string, Candidate>();
  for (const c of [...anyList, ...everyList]) byId.set(c.id, c);
  const ranked = [...byId.values()].sort((a, b) => b.rank - a.rank || b.timeMs - a.timeMs || b.rid - a.rid).slice(0, opts.limit);
  return { hits: ranked.map((c) => ({ id: c.id, ftsRank: c.rank })), bounded: anyList.length >= cap || everyList.length >= cap };
}
