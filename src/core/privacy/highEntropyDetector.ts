/**
 * The last resort: a random-looking value assigned to a name that does not say "secret"
 * (`STRIPE_WEBHOOK = "..."`, `AccountKey=...;`, `"sentry": "..."`).
 *
 * The pattern starts at a separator character (`=`, `:`, `>` of `=>`), which is rare in text compared with
 * letters, and takes the run of 20..512 base64/base64url/hex characters after it; the name is then read
 * backwards in plain code. This is five times faster than looking for long runs everywhere and
 * checking their left side afterwards (measured on the TypeScript lib: 9 ms vs 50 ms for 4 MB).
 *
 * Deliberately NOT redacted here (each a documented decision):
 * - 40 or 64 hex digits (git commits, SHA-1/SHA-256 digests) unless the name says secret (that is the
 *   named-secret rule's job: `GITHUB_TOKEN=<40 hex>` is still redacted);
 * - values under names that hold digests or identifiers: *hash, *sha*, digest, checksum, integrity,
 *   commit, rev, etag, fingerprint, h1 (go.sum), *id / *ids / uuid / guid, public keys, versions;
 * - UUIDs and ULIDs anywhere, identifiers and camelCase words, paths without random segments, URLs
 *   (their `:` and `.` end the run);
 * - the first word of a quoted sentence (a quoted value must be the whole string);
 * - an unquoted identifier-shaped value that does not end its line: in code that is a type or a
 *   variable (`state: RTCDtlsTransportState;`); config values (.env, YAML, ini) end their line;
 * - base64 runs longer than 512 characters (data, not keys) and the base64 of PNG/JPEG/GIF/WebP/SVG.
 */
import type { Detector } from './detector';
import { looksRandom } from './randomness';

const CANDIDATE = /[=:>][ \t]*\\?["'`]?([A-Za-z0-9+/_-]{20,512}={0,2})(?=[\s'"`;,)}\]&\\]|$)/g;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Subresource-integrity digests in lockfiles: `sha512-...`. */
const SRI_DIGEST = /^sha(?:1|256|384|512)-/;

/** Names whose values are digests, identifiers or public material, matched on any word of the name. */
const NOT_SECRET_WORD = /^(?:hash|sha\d*|md5|digest|checksum|integrity|commit|fingerprint|uuid|guid|public|pub|pubkey|etag|nonce)$/;
/** ... and on the last word only (`requestId`, `go.sum h1:`, `rev`). */
const NOT_SECRET_LAST_WORD = /^(?:id|ids|ref|rev|revision|sum|h1|oid|version|tag|salt|name|path|url|file|image|icon|data|href|src|boundary)$/;
/** 40 or 64 hex digits: a git commit or a SHA-1/SHA-256 digest far more often than a key. */
const GIT_OR_SHA256_DIGEST = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const IMAGE_BASE64 = /^(?:iVBORw0KGgo|\/9j\/|R0lGOD|UklGR|PHN2Zy)/;

/** The name assigned `text[valueStart...]`, or null when the value is not on the right of `=`/`:`/`=>`/`:=`. */
export function assignedName(text: string, valueStart: number): string | null {
  let i = valueStart - 1;
  if (text[i] === '"' || text[i] === "'" || text[i] === '`') i--;
  if (text[i] === '\\') i--;
  while (text[i] === ' ' || text[i] === '\t') i--;
  const c = text[i];
  if (c === '=') {
    const before = text[i - 1];
    if (before === '=' || before === '!' || before === '<' || before === '>') return null;
    i -= before === ':' ? 2 : 1;
  } else if (c === '>' && text[i - 1] === '=') {
    i -= 2;
  } else if (c === ':') {
    if (text[i - 1] === ':') return null;
    i--;
  } else {
    return null;
  }
  while (text[i] === ' ' || text[i] === '\t') i--;
  if (text[i] === '?' || text[i] === '!') i--; // TypeScript `name?:`
  if (text[i] === '"' || text[i] === "'" || text[i] === '`') i--;
  if (text[i] === '\\') i--;
  const end = i + 1;
  let start = end;
  while (start > 0 && start > end - 100 && /[\w.$/-]/.test(text[start - 1]!)) start--;
  return start < end ? text.slice(start, end) : null;
}

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Names repeat (every key of a config file, every line of a dump), so their verdicts are cached. */
const nonSecretNames = new Map<string, boolean>();

export function nameHoldsNonSecret(name: string): boolean {
  let verdict = nonSecretNames.get(name);
  if (verdict === undefined) {
    const words = nameWords(name);
    verdict = words.some((w) => NOT_SECRET_WORD.test(w)) || NOT_SECRET_LAST_WORD.test(words[words.length - 1] ?? '');
    if (nonSecretNames.size >= 4096) nonSecretNames.clear();
    nonSecretNames.set(name, verdict);
  }
  return verdict;
}

function quoteBefore(text: string, start: number): string | undefined {
  const c = text[start - 1];
  return c === '"' || c === "'" || c === '`' ? c : undefined;
}

const REST_IS_BLANK_OR_COMMENT = /[ \t]*(?:[\r\n]|$|#|\/\/)/y;

/**
 * An unquoted value shaped like an identifier is a config value (not a type or a variable in code) when
 * only whitespace or a comment follows it on its line (.env, YAML, ini), or when it is glued to its `=`
 * and ends at `;` `&` or a space (`AccountKey=...;EndpointSuffix=...`, `?sig=...&se=...`, `A=x cmd`).
 */
function endsConfigValue(text: string, start: number, end: number): boolean {
  REST_IS_BLANK_OR_COMMENT.lastIndex = end;
  if (REST_IS_BLANK_OR_COMMENT.test(text)) return true;
  const glued = text[start - 1] === '=' && text[start - 2] !== ' ' && text[start - 2] !== '\t';
  const next = text[end];
  return glued && (next === ';' || next === '&' || next === ' ' || next === '\t');
}

export function highEntropyDetector(): Detector {
  return {
    name: 'high-entropy',
    find(text, out) {
      // Values that an earlier detector already found (`api_key = "..."`) need no second look.
      const taken = new Set<number>();
      for (const f of out) taken.add(f.start);
      CANDIDATE.lastIndex = 0;
      for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
        const value = m[1]!;
        const start = m.index + m[0].length - value.length;
        if (taken.has(start)) continue;
        // Cheapest checks first: most candidates in code are type annotations and object keys.
        const quote = quoteBefore(text, start);
        if (quote ? text[start + value.length] !== quote : IDENTIFIER.test(value) && !endsConfigValue(text, start, start + value.length)) continue;
        if (IMAGE_BASE64.test(value) || SRI_DIGEST.test(value) || GIT_OR_SHA256_DIGEST.test(value)) continue;
        const name = assignedName(text, start);
        if (name === null || nameHoldsNonSecret(name)) continue;
        if (!looksRandom(value.charCodeAt(value.length - 1) === 61 ? value.replace(/=+$/, '') : value)) continue;
        out.push({ start, end: start + value.length, kind: 'high-entropy' });
      }
    },
  };
}
