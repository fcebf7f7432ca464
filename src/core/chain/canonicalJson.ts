/**
 * Canonical JSON (RFC 8785 style): the one byte sequence a JSON value hashes as, whoever serialises it.
 * Object keys sorted by UTF-16 code units, no whitespace, strings escaped and numbers written exactly as
 * ECMAScript's JSON.stringify does (which is what RFC 8785 specifies).
 *
 * Deliberate deviations, both deterministic: a lone surrogate is escaped as `\udXXX` (JSON.stringify's
 * behaviour) instead of being refused, because editor text can contain one and refusing would drop an
 * edit; `undefined` object members are omitted (as JSON.stringify does), so optional fields hash the same
 * whether absent or undefined. Non-finite numbers, bigints, functions and symbols are refused.
 *
 * Hot path: every record written to the journal goes through here once, so the code sorts the keys of
 * an object shape once (not once per object) and never re-quotes a key it has seen before.
 */

/** Characters JSON.stringify must escape: quote, backslash, controls, and surrogates (lone ones). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be detected here
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

const quotedKeys = new Map<string, string>();
const MAX_CACHED_KEYS = 10_000;

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const out = serialize(value);
  if (out === undefined) throw new CanonicalJsonError('a top-level value of type undefined has no JSON form');
  return out;
}

function quoteString(s: string): string {
  return NEEDS_ESCAPING.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** `"key":`, cached: records reuse a small vocabulary of keys. */
function keyPrefix(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${quoteString(key)}:`;
    if (quotedKeys.size < MAX_CACHED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function serialize(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} has no JSON form`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return serializeArray(value);
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return serialize((value as { toJSON(): unknown }).toJSON());
      return serializeObject(value as Record<string, unknown>);
    default:
      throw new CanonicalJsonError(`a value of type ${typeof value} has no JSON form`);
  }
}

function serializeArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += serialize(items[i]) ?? 'null';
  }
  return `${out}]`;
}

/**
 * Key order of one object shape: its own keys as Object.keys lists them, and the same keys in canonical
 * order with their `"key":` prefixes. Records of one kind share a few shapes, so sorting is done once
 * per shape instead of once per object.
 */
interface KeyOrder {
  keys: string[];
  sorted: string[];
  /** `"key":` per sorted key, and the same after a comma. */
  prefixes: string[];
  commaPrefixes: string[];
}

/** Shapes seen so far, by first key; bounded, since a shape is only an optimisation. */
const keyOrders = new Map<string, KeyOrder[]>();
const MAX_KEY_ORDERS = 2_000;
let keyOrderCount = 0;

function keyOrderOf(keys: string[]): KeyOrder {
  const candidates = keyOrders.get(keys[0]!);
  if (candidates) {
    for (const order of candidates) if (sameKeys(order.keys, keys)) return order;
  }
  let sorted = keys;
  for (let i = 1; i < keys.length; i++) {
    // Default sort compares UTF-16 code units, which is RFC 8785's order.
    if (keys[i - 1]! > keys[i]!) {
      sorted = [...keys].sort();
      break;
    }
  }
  const prefixes = sorted.map(keyPrefix);
  const order = { keys, sorted, prefixes, commaPrefixes: prefixes.map((p) => `,${p}`) };
  if (keyOrderCount < MAX_KEY_ORDERS) {
    keyOrderCount++;
    if (candidates) candidates.push(order);
    else keyOrders.set(keys[0]!, [order]);
  }
  return order;
}

/** Property names of objects of one shape are the same (internalised) strings: cheap comparisons. */
function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function serializeObject(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  const { sorted, prefixes, commaPrefixes } = keyOrderOf(keys);
  let out = '{';
  let first = true;
  for (let i = 0; i < sorted.length; i++) {
    const member = serialize(obj[sorted[i]!]);
    if (member === undefined) continue;
    out += (first ? prefixes[i]! : commaPrefixes[i]!) + member;
    first = false;
  }
  return `${out}}`;
}
