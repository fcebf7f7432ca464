/**
 * Full-text search on PostgreSQL, behaving like the SQLite FTS5 search: a word matches whole words
 * (letters and digits; everything else separates words), every word of the query must occur, and
 * `word*` matches words starting with it. Both the indexed text and the query are split into words
 * here, in one way, so PostgreSQL's parser never sees punctuation (it would read `a.b` as a host name
 * or `x-y` as a hyphenated word and index different tokens than the query asks for).
 */

/** Longest text indexed per field: a tsvector holds at most 1 MB. */
const MAX_INDEXED = 200_000;

/** Text as space-separated words, lowercased later by the `simple` configuration. */
export function searchWords(text: string): string {
  if (!text) return '';
  return text.slice(0, MAX_INDEXED).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * A user's search text as a `to_tsquery('simple', ...)` argument, or null when it has no word. Words are
 * what FTS5 would see: `[\p{L}\p{N}_]+` with an optional `*`; a word with underscores becomes a phrase of
 * its parts (FTS5 splits it the same way). Only letters and digits reach the query, so no input is a
 * tsquery syntax error.
 */
export function tsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+\*?/gu)?.slice(0, 20) ?? [];
  const terms: string[] = [];
  for (const w of words) {
    const prefix = w.endsWith('*');
    const parts = (prefix ? w.slice(0, -1) : w).split('_').filter(Boolean).map((p) => p.toLowerCase());
    if (parts.length === 0) continue;
    const quoted = parts.map((p, i) => `'${p}'${prefix && i === parts.length - 1 ? ':*' : ''}`);
    terms.push(quoted.length > 1 ? `(${quoted.join(' <-> ')})` : quoted[0]!);
  }
  return terms.length ? terms.join(' & ') : null;
}
