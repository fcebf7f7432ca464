/**
 * A redacted lineage node keeps its place in the path, but its id would still name the record (edit ids,
 * session ids): every occurrence of such an id in an answer (the node, the edges, the chain) is replaced
 * by an opaque one, the same within one answer so the path still connects. The key lives as long as the
 * process, so a caller cannot confirm a guessed id by hashing it.
 */
import { createHmac, randomBytes } from 'node:crypto';

const KEY = randomBytes(32);

function redactedIds(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) redactedIds(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.kind === 'redacted' && typeof o.id === 'string') out.add(o.id);
    for (const v of Object.values(o)) redactedIds(v, out);
  }
}

function replaced(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return ids.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => replaced(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaced(v, ids)]));
  return value;
}

export function obscureRedacted<T>(answer: T): T {
  const found = new Set<string>();
  redactedIds(answer, found);
  if (found.size === 0) return answer;
  const ids = new Map([...found].map((id) => [id, `redacted:${createHmac('sha256', KEY).update(id).digest('hex').slice(0, 16)}`]));
  return replaced(answer, ids) as T;
}
