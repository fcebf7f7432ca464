/**
 * Lexical search over `records` in PostgreSQL: full-text search on the weighted tsvector `search`
 * (prompt A, path B, code C; see searchDocument.ts), ranked by ts_rank plus a bonus for records holding
 * every query word. Typos and partial identifiers: each longer query word is also searched as the
 * closest words of the vocabulary (pg_trgm similarity over `search_vocab`).
 *
 * Query words are ORed: ranking, not filtering, decides the order, so a record matching most of a long
 * question still comes up. Only letters, digits and `_` reach the query parsers, so no input is a syntax
 * error.
 */
import type { Pool } from 'pg';
import { identifierParts } from './searchDocument';

export interface LexicalOptions {
  orgId: number;
  limit: number;
  repo?: string;
  /** A SQL predicate on the records row `r` (the caller's read scope). */
  within?: string;
}

/** ts_rank weights for D, C (code), B (path), A (prompt). */
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';
/** Words too common in questions to be worth a trigram lookup. */
const TRIGRAM_STOP = new Set(['that', 'this', 'with', 'from', 'what', 'which', 'where', 'when', 'have', 'code', 'file', 'function', 'make', 'does', 'into', 'using', 'some', 'them', 'they', 'their', 'there', 'about', 'should']);
/** Trigram similarity a vocabulary word needs to count as a correction (pg_trgm's default is 0.3). */
export const SIMILARITY_THRESHOLD = 0.45;
const CORRECTIONS_PER_WORD = 2;

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

/** Vocabulary words close to each query word (typos, partial identifiers), best first. */
async function correctedWords(pool: Pool, words: string[]): Promise<string[]> {
  if (words.length === 0) return [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(SIMILARITY_THRESHOLD)]);
    const { rows } = await client.query<{ word: string }>(
      `SELECT c.word FROM unnest($1::text[]) AS q(w)
       CROSS JOIN LATERAL (SELECT v.word FROM search_vocab v WHERE v.word % q.w AND v.word <> q.w ORDER BY similarity(v.word, q.w) DESC, v.word LIMIT $2) c`,
      [words, CORRECTIONS_PER_WORD],
    );
    await client.query('COMMIT');
    return rows.map((r) => r.word);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function lexicalSearch(pool: Pool, text: string, opts: LexicalOptions): Promise<LexicalHit[]> {
  const { tsText, allText, trigram } = queryTerms(text);
  if (!tsText) return [];
  const corrected = await correctedWords(pool, trigram);
  // Any word matches (corrections too); a record holding every word of the query ranks above those
  // holding some (ts_rank alone would put a record repeating one word above one containing all).
  const args: unknown[] = [opts.orgId, [tsText, ...corrected].join(' or '), opts.limit, allText];
  let repo = '';
  if (opts.repo !== undefined) {
    args.push(opts.repo);
    repo = `AND r.repo_id = $${args.length}`;
  }
  const { rows } = await pool.query<{ id: string; rank: number }>(
    `WITH q AS (SELECT websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2) AS q,
                       websearch_to_tsquery('english', $4) AS all_en, websearch_to_tsquery('simple', $4) AS all_simple)
     SELECT r.id, ts_rank('${WEIGHTS}', r.search, q.q, 1)
              + CASE WHEN r.search @@ q.all_en OR r.search @@ q.all_simple THEN 1 ELSE 0 END AS rank
     FROM records r, q WHERE r.org_id = $1 AND r.search @@ q.q ${repo} ${opts.within ? `AND ${opts.within}` : ''}
     ORDER BY rank DESC, r.time DESC LIMIT $3`,
    args,
  );
  return rows.map((r) => ({ id: r.id, ftsRank: Number(r.rank), corrected: corrected.length > 0 ? corrected : undefined }));
}
