/**
 * Telling a random-looking value (a key, a token) from an ordinary one (an identifier, a path, a
 * constant name). Used where the context alone does not prove a value is secret: the high-entropy rule,
 * bearer tokens in prose, and prefixes that also occur in ordinary words (sk-).
 *
 * Shannon entropy alone separates badly at these lengths (a 20-char random base62 string scores about
 * 4.0 bits/char; `thisIsAVeryLongIdentifierName` scores 4.07), so the main signal is the share of
 * "gibberish": characters that are not part of a pronounceable word once the value is split at
 * separators, letter/digit and camelCase boundaries. Identifiers score 0-0.28; random base62 has a
 * median of 0.55 and 95% of 20-char samples score above 0.25. Entropy is kept as a floor that rejects
 * padding and repeats (`AAAAAAAAAAAAAAAAAAAAAAAA==`).
 *
 * Tuned against the 16,700 distinct 20+ char identifiers of the TypeScript lib (lib.dom.d.ts,
 * typescript.js) and random strings: about 9% of random 20-char base62 strings and 4% of 32-char ones
 * pass as ordinary (the price of not redacting `RTCDTMFToneChangeEvent` or
 * `COMPRESSED_SRGB8_ALPHA8_ASTC_4x4_KHR`). Secrets under a secret-like name or with a vendor prefix do
 * not depend on this; it only decides for values under arbitrary names.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Trace and span ids, dashed digests (`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`). */
const HEX_WITH_DASHES = /^[0-9a-f]+(?:-[0-9a-f]+)+$/i;

const asciiCounts = new Int32Array(128);
const touched = new Uint8Array(128);
/** c * log2(c) for the counts a value can have (values are at most 512 characters here). */
const C_LOG2_C = Float64Array.from({ length: 1025 }, (_, c) => (c === 0 ? 0 : c * Math.log2(c)));

const cLog2c = (c: number) => (c < C_LOG2_C.length ? C_LOG2_C[c]! : c * Math.log2(c));

/** Bits per character of the character distribution of `s`: log2(n) - (1/n) Σ c·log2(c). */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  // Counting in reused arrays keeps this allocation-free for ASCII, which is all it sees in practice.
  let distinct = 0;
  let other: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
    else if (asciiCounts[c]!++ === 0) touched[distinct++] = c;
  }
  let sum = 0;
  for (let k = 0; k < distinct; k++) {
    const c = touched[k]!;
    sum += cLog2c(asciiCounts[c]!);
    asciiCounts[c] = 0;
  }
  other?.forEach((count) => (sum += cLog2c(count)));
  return Math.log2(n) - sum / n;
}

/** UUIDs and ULIDs: identifiers by construction. */
export function isUuidOrUlid(s: string): boolean {
  return UUID.test(s) || ULID.test(s);
}

/** PascalCase/camelCase with acronyms (`RTCDTMFToneChangeEvent`, `HTMLOrSVGImageElement`): both cases,
 * and at least 80% of the lowercase letters sit in runs of three or more (in random text most are alone). */
function isCamelCaseWords(s: string): boolean {
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s)) return false;
  let lower = 0;
  let inLongRuns = 0;
  for (const run of s.match(/[a-z]+/g) ?? []) {
    lower += run.length;
    if (run.length >= 3) inLongRuns += run.length;
  }
  return inLongRuns >= 0.8 * lower;
}

/** `SOME_LONG_CONSTANT_4x4_KHR`, `a-kebab-case-name`, `some/path/of/parts`: four or more short parts. */
function isShortPartsJoined(s: string): boolean {
  let parts = 0;
  let length = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = s.charCodeAt(i); // NaN past the end: closes the last part
    if (c === 95 || c === 45 || c === 47 || Number.isNaN(c)) {
      if (length > 12) return false;
      if (length > 0) parts++;
      length = 0;
    } else {
      length++;
    }
  }
  return parts >= 4;
}

/** A lowercase word of seven or more letters (`application/x-sv4crc`): rare by chance in random text. */
function hasLongWord(s: string): boolean {
  return (s.match(/[a-z]{7,}/g) ?? []).some((w) => isPronounceable(w));
}

/** `ABCDEFGHIJ...`, `0123456789...`: alphabets and counters, not randomness. */
function isMostlySequential(s: string): boolean {
  let steps = 0;
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) === s.charCodeAt(i - 1) + 1) steps++;
  return steps >= 0.5 * (s.length - 1);
}

const enum CharClass {
  Other,
  Upper,
  Lower,
  Digit,
}

function classOf(c: number): CharClass {
  if (c >= 97 && c <= 122) return CharClass.Lower;
  if (c >= 65 && c <= 90) return CharClass.Upper;
  if (c >= 48 && c <= 57) return CharClass.Digit;
  return CharClass.Other;
}

function isVowel(c: number): boolean {
  const l = c | 0x20; // ASCII lower case
  return l === 97 || l === 101 || l === 105 || l === 111 || l === 117 || l === 121; // a e i o u y
}

/** A word a person could have written: has a vowel, no triple letter, and no more consonants in a row
 * than words have (four; seven in long words: German compounds such as `Ausgabehilfsprogramme`). */
function isPronounceable(s: string, start = 0, end = s.length): boolean {
  const length = end - start;
  if (length < 2) return false;
  const maxConsonants = length >= 8 ? 7 : 4;
  let vowels = 0;
  let consonantRun = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (i >= start + 2 && c === s.charCodeAt(i - 1) && c === s.charCodeAt(i - 2)) return false;
    if (isVowel(c)) {
      vowels++;
      consonantRun = 0;
    } else if (++consonantRun > maxConsonants) {
      return false;
    }
  }
  return vowels > 0;
}

/**
 * Share (0..1) of the alphanumeric characters of `s` that are not in pronounceable words or short
 * numbers (at most two numbers of up to four digits count as ordinary: `x509`, `v2`, `lang3`).
 * Words are split like an identifier reader would: `getHTTPResponse2xx_v1` → get, HTTP, Response, 2,
 * xx, v, 1 (an upper-case run followed by lower case gives its last letter to the next word).
 */
export function gibberishRatio(s: string): number {
  let total = 0;
  let gibberish = 0;
  let numbers = 0;
  let i = 0;
  while (i < s.length) {
    const cls = classOf(s.charCodeAt(i));
    if (cls === CharClass.Other) {
      i++;
      continue;
    }
    const start = i;
    let end = i + 1;
    if (cls === CharClass.Digit) {
      while (end < s.length && classOf(s.charCodeAt(end)) === CharClass.Digit) end++;
      numbers++;
      if (end - start > 4 || numbers > 2) gibberish += end - start;
      total += end - start;
      i = end;
      continue;
    }
    if (cls === CharClass.Upper) {
      while (end < s.length && classOf(s.charCodeAt(end)) === CharClass.Upper) end++;
      if (end < s.length && classOf(s.charCodeAt(end)) === CharClass.Lower) {
        if (end - start > 1) end--; // `HTTPResponse`: HTTP, then Response
        else while (end < s.length && classOf(s.charCodeAt(end)) === CharClass.Lower) end++;
      }
    } else {
      while (end < s.length && classOf(s.charCodeAt(end)) === CharClass.Lower) end++;
    }
    total += end - start;
    if (!isPronounceable(s, start, end)) gibberish += end - start;
    i = end;
  }
  return total === 0 ? 0 : gibberish / total;
}

/**
 * True when `value` looks like a machine-generated secret rather than something a person named.
 * Hex needs 32+ characters (shorter hex is too often a colour, a short SHA, an id); other values need
 * `minLength`+ characters, two of lower/upper/digit, and a gibberish ratio of at least 0.3.
 * UUIDs, ULIDs and dashed hex (trace ids) are never random-looking here: they are overwhelmingly identifiers (request, conversation and
 * record ids); a UUID used as a key is still caught when its name says so (api_key = "...").
 */
export function looksRandom(value: string, minLength = 20): boolean {
  if (value.length < minLength) return false;
  // One pass for the character classes; the regex checks below only run when they can apply.
  let lower = false;
  let upper = false;
  let digit = false;
  let letters = 0;
  let dash = false;
  let hexLower = true;
  let hexUpper = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      lower = true;
      letters++;
      hexUpper = false;
      if (c > 102) hexLower = false;
    } else if (c >= 65 && c <= 90) {
      upper = true;
      letters++;
      hexLower = false;
      if (c > 70) hexUpper = false;
    } else if (c >= 48 && c <= 57) {
      digit = true;
    } else {
      if (c === 45) dash = true;
      hexLower = hexUpper = false;
    }
  }
  if ((value.length === 36 || value.length === 26) && isUuidOrUlid(value)) return false;
  if (dash && HEX_WITH_DASHES.test(value)) return false;
  if ((hexLower || hexUpper) && value.length >= 32) return digit && (lower || upper) && shannonEntropy(value) >= 3;
  // A number with a suffix or an exponent (`18446744069414584320n`, `a+-6077100506506192e-26`) is not a key.
  if (letters < 4 || Number(lower) + Number(upper) + Number(digit) < 2 || isShortPartsJoined(value)) return false;
  const gibberish = gibberishRatio(value);
  if (gibberish < 0.3) return false;
  if (gibberish < 0.5 && (isCamelCaseWords(value) || hasLongWord(value))) return false;
  return shannonEntropy(value) >= 3 && !isMostlySequential(value);
}
