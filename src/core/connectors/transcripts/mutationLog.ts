/**
 * VS Code's chat session `.jsonl` files are an append-only mutation log (its ObjectMutationLog): `kind` 0 is
 * the whole state `v`; 1 sets the value at key path `k`; 2 pushes the items `v` onto the array at `k`,
 * first truncating it to length `i` when `i` is given; 3 deletes the value at `k`. Replaying the log gives
 * the same state as the `.json` form. A line that does not fit (an unknown kind, a path that does not exist)
 * is skipped with a warning; the rest still applies.
 */
import type { TranscriptWarning } from '../types';
import type { JsonlRecord } from './transcriptText';

type Container = Record<string, unknown> | unknown[];

export function replayMutationLog(records: readonly JsonlRecord[], warnings: TranscriptWarning[]): Record<string, unknown> | undefined {
  let state: Record<string, unknown> | undefined;
  let missingInitial = false;
  for (const { line, value } of records) {
    if (typeof value !== 'object' || value === null) {
      warnings.push({ line, message: `line ${line} is not a mutation-log entry: skipped` });
      continue;
    }
    const entry = value as { kind?: unknown; k?: unknown; v?: unknown; i?: unknown };
    if (entry.kind === 0) {
      if (typeof entry.v === 'object' && entry.v !== null && !Array.isArray(entry.v)) state = entry.v as Record<string, unknown>;
      else warnings.push({ line, message: `line ${line}: the initial state is not an object: skipped` });
      continue;
    }
    if (!state) {
      // Once is enough: every later line would say the same.
      if (!missingInitial) warnings.push({ line, message: `line ${line} changes a state that has no initial entry (kind 0) yet: it and the lines like it are skipped` });
      missingInitial = true;
      continue;
    }
    const path = Array.isArray(entry.k) && entry.k.every((s) => typeof s === 'string' || typeof s === 'number') ? (entry.k as (string | number)[]) : undefined;
    if (!path || path.length === 0) {
      warnings.push({ line, message: `line ${line} has no key path: skipped` });
      continue;
    }
    const ok =
      entry.kind === 1 ? setAt(state, path, entry.v) : entry.kind === 2 ? pushAt(state, path, entry.v, entry.i) : entry.kind === 3 ? deleteAt(state, path) : undefined;
    if (ok === undefined) warnings.push({ line, message: `line ${line} has an unknown mutation kind: skipped` });
    else if (!ok) warnings.push({ line, message: `line ${line} changes a path that does not exist: skipped` });
  }
  return state;
}

function parentOf(root: Container, path: readonly (string | number)[]): Container | undefined {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return typeof node === 'object' && node !== null ? (node as Container) : undefined;
}

function setAt(root: Container, path: readonly (string | number)[], value: unknown): boolean {
  const parent = parentOf(root, path);
  if (!parent) return false;
  (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
  return true;
}

function pushAt(root: Container, path: readonly (string | number)[], items: unknown, truncateTo: unknown): boolean {
  const parent = parentOf(root, path);
  if (!parent) return false;
  const key = path[path.length - 1];
  let target = (parent as Record<string | number, unknown>)[key];
  if (target === undefined) {
    target = [];
    (parent as Record<string | number, unknown>)[key] = target;
  }
  if (!Array.isArray(target)) return false;
  if (typeof truncateTo === 'number' && truncateTo >= 0) target.length = Math.min(target.length, truncateTo);
  if (Array.isArray(items)) target.push(...items);
  return true;
}

function deleteAt(root: Container, path: readonly (string | number)[]): boolean {
  const parent = parentOf(root, path);
  if (!parent) return false;
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else delete (parent as Record<string | number, unknown>)[key];
  return true;
}
