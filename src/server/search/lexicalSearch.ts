/**
 * Lexical search over `records` in PostgreSQL: full-text search on the weighted tsvector `search`
 * (path A, prompt B, code C; see searchDocument.ts), and pg_trgm word similarity on `search_words` for
 * identifiers and typos. The two scores are added into the lexical ranking.
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
}

/** ts_rank weights for D, C (code), B (prompt), A (path). */
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';
/** Words too common in questions to be worth a trigram lookup. */
const TRIGRAM_STOP = new Set(['that', 'this', 'with', 'from', 'what', 'which', 'where', 'when', 'have', 'code', 'file', 'function', 'make', 'does', 'into', 'using', 'some', 'them', 'they', 'their', 'there', 'about', 'should']);
/** Word similarity a trigram match needs (pg_trgm's default is 0.6; identifiers with a typo score lower). */
export const WORD_SIMILARITY_THRESHOLD = 0.5;
/** How much a trigram match's word similarity (0..1) adds to the full-text rank. */
const TRIGRAM_WEIGHT = 0.5;

export interface QueryTerms {
  /** For websearch_to_tsquery: the words and identifier parts joined by `or`. */
  tsText: string;
  /** The words themselves, for the bonus of records that contain all of them. */
  allText: string;
  /** Up to four longer words for the trigram index. */
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
  ftsRank?: number;
  similarity?: number;
}

export async function lexicalSearch(pool: Pool, text: string, opts: LexicalOptions): Promise<LexicalHit[]> {
  const { tsText, allText, trigram } = queryTerms(text);
  if (!tsText) return [];
  const candidates = Math.max(opts.limit, 100);
  const filter = (args: unknown[]) => {
    if (opts.repo === undefined) return '';
    args.push(opts.repo);
    return `AND r.repo_id = $${args.length}`;
  };
  // Any word matches; a record holding every word of the query ranks above those holding some
  // (ts_rank alone would put a record repeating one word above one containing all of them).
  const ftsArgs: unknown[] = [opts.orgId, tsText, candidates, allText];
  const ftsSql = `
    WITH q AS (SELECT websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2) AS q,
                      websearch_to_tsquery('english', $4) AS all_en, websearch_to_tsquery('simple', $4) AS all_simple)
    SELECT r.id, ts_rank('${WEIGHTS}', r.search, q.q, 1)
             + CASE WHEN r.search @@ q.all_en OR r.search @@ q.all_simple THEN 1 ELSE 0 END AS rank
    FROM records r, q WHERE r.org_id = $1 AND r.search @@ q.q ${filter(ftsArgs)}
    ORDER BY rank DESC, r.time DESC LIMIT $3`;
  const fts = pool.query<{ id: string; rank: number }>(ftsSql, ftsArgs);

  let trg: Promise<{ id: string; sim: number }[]> = Promise.resolve([]);
  if (trigram.length > 0) {
    const args: unknown[] = [opts.orgId, candidates];
    const params = trigram.map((t) => {
      args.push(t);
      return `$${args.length}`;
    });
    const sql = `
      SELECT r.id, greatest(${params.map((p) => `word_similarity(${p}, r.search_words)`).join(', ')}) AS sim
      FROM records r WHERE r.org_id = $1 AND (${params.map((p) => `${p} <% r.search_words`).join(' OR ')}) ${filter(args)}
      ORDER BY sim DESC, r.time DESC LIMIT $2`;
    trg = (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [String(WORD_SIMILARITY_THRESHOLD)]);
        const { rows } = await client.query<{ id: string; sim: number }>(sql, args);
        await client.query('COMMIT');
        return rows;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    })();
  }
  const [ftsRows, trgRows] = await Promise.all([fts.then((r) => r.rows), trg]);
  const rank = new Map(ftsRows.map((r) => [r.id, Number(r.rank)]));
  const sim = new Map(trgRows.map((r) => [r.id, Number(r.sim)]));
  // One score: the full-text rank (plus 1 for a record holding every query word) and half the best
  // word similarity. Trigrams rescue typos and partial identifiers; a record that merely contains
  // similar words does not outrank one the full-text index matched on every word.
  const ids = new Set([...rank.keys(), ...sim.keys()]);
  return [...ids]
    .map((id) => ({ id, ftsRank: rank.get(id), similarity: sim.get(id), score: (rank.get(id) ?? 0) + TRIGRAM_WEIGHT * (sim.get(id) ?? 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, opts.limit)
    .map(({ id, ftsRank, similarity }) => ({ id, ftsRank, similarity }));
}
