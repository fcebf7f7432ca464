/**
 * What search sees of a record: the text pieces of the lexical index (path, prompt, code), the words of
 * the vocabulary that query typos are corrected against, and the text that is embedded.
 *
 * Identifiers are split (parseUserToken -> parse user token, MAX_RETRY_COUNT -> max retry count) next
 * to the identifier itself, so a search for "user token" finds `parseUserToken` and a search for the
 * identifier still matches it exactly.
 */
export interface SearchSource {
  path: string | null;
  prompt: string;
  code: string;
}

export interface SearchDocument {
  /** Weight B: the path, with its separators as word breaks. */
  path: string;
  /** Weight A: the prompt, stemmed as English (what was asked weighs most, as the API documents). */
  prompt: string;
  /** Weight C: the code, with identifiers split. */
  code: string;
  /** Distinct lower-case words, identifiers and their parts (the vocabulary typos are corrected against), at most MAX_WORDS_CHARS. */
  words: string;
}

/** Caps keep one huge paste from making a huge index entry (tsvector has a 1 MB limit). */
const MAX_TEXT_CHARS = 100_000;
const MAX_WORDS_CHARS = 4_000;
/** What an embedding model sees; longer texts are cut (embedding models have a token window). */
export const MAX_EMBED_CHARS = 6_000;

const IDENT = /[\p{L}\p{N}_$]+/gu;
/** The same for ASCII text (most code), which V8 matches several times faster than Unicode classes. */
const ASCII_IDENT = /[A-Za-z0-9_$]+/g;
const NON_ASCII = /[\u0080-\uffff]/;
const identPattern = (text: string): RegExp => (NON_ASCII.test(text) ? IDENT : ASCII_IDENT);

/**
 * Identifiers repeat across records (the ingest splits every word of every record), so their parts are
 * remembered; the cache is dropped whole when full, which bounds its memory.
 */
const partsCache = new Map<string, string[]>();
const PARTS_CACHE_MAX = 100_000;
const PLAIN = /^[a-z0-9]+$/;

/** The parts of an identifier: camelCase, PascalCase, snake_case, kebab and digits split, lower case. */
export function identifierParts(ident: string): string[] {
  return partsOf(ident).slice();
}

/** identifierParts without the copy (callers here do not change the array). */
function partsOf(ident: string): readonly string[] {
  if (PLAIN.test(ident)) return [ident]; // the common case: one lower-case word
  let parts = partsCache.get(ident);
  if (!parts) {
    if (partsCache.size >= PARTS_CACHE_MAX) partsCache.clear();
    parts = splitParts(ident);
    partsCache.set(ident, parts);
  }
  return parts;
}

function splitParts(ident: string): string[] {
  return ident
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .split(/[\s_$]+/u)
    .map((p) => p.toLowerCase())
    .filter((p) => p.length > 0);
}

/** Text with every compound identifier followed by its parts. */
export function splitIdentifiers(text: string): string {
  return text.replace(identPattern(text), (ident) => {
    if (PLAIN.test(ident)) return ident;
    const parts = partsOf(ident);
    return parts.length > 1 ? `${ident} ${parts.join(' ')}` : ident;
  });
}

function distinctWords(...texts: string[]): string {
  const seen = new Set<string>();
  const tokens = new Set<string>(); // code repeats its identifiers: each is split once per record
  let length = 0;
  const add = (w: string): boolean => {
    if (w.length < 3 || w.length > 64 || seen.has(w)) return true;
    if (length + w.length + 1 > MAX_WORDS_CHARS) return false;
    seen.add(w);
    length += w.length + 1;
    return true;
  };
  for (const text of texts) {
    for (const m of text.matchAll(identPattern(text))) {
      const ident = m[0];
      if (tokens.has(ident)) continue;
      tokens.add(ident);
      const parts = partsOf(ident);
      if (parts.length > 1 && !add(ident.toLowerCase())) return [...seen].join(' ');
      for (const w of parts) if (!add(w)) return [...seen].join(' ');
    }
  }
  return [...seen].join(' ');
}

export function searchDocument(src: SearchSource): SearchDocument {
  const prompt = src.prompt.slice(0, MAX_TEXT_CHARS);
  const code = src.code.slice(0, MAX_TEXT_CHARS);
  const path = (src.path ?? '').replace(/[/\\.-]+/g, ' ');
  return { path: splitIdentifiers(path), prompt: splitIdentifiers(prompt), code: splitIdentifiers(code), words: distinctWords(src.path ?? '', code, prompt) };
}

/** The text embedded for a record: what was asked, what was written, and where. */
export function embeddingText(src: SearchSource): string {
  const parts = [src.prompt.trim(), src.code.trim(), src.path ? `file: ${src.path}` : ''].filter((p) => p.length > 0);
  return parts.join('\n\n').slice(0, MAX_EMBED_CHARS);
}

/**
 * The SQL expression of the weighted tsvector, over three text parameters (path, prompt, code) of an
 * INSERT: `searchVectorSql('$18', '$19', '$20')`: prompt A, path B, code C (the ranking the PostgreSQL
 * backend has always documented and tested: words in the prompt first). Path and code use the `simple` configuration
 * (identifiers are not English), the prompt `english` (stemming: "parsing" finds "parse").
 */
export function searchVectorSql(path: string, prompt: string, code: string): string {
  return `setweight(to_tsvector('english', ${prompt}), 'A') || setweight(to_tsvector('simple', ${path}), 'B') || setweight(to_tsvector('simple', ${code}), 'C')`;
}
