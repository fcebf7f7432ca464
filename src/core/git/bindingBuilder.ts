/**
 * Turning "these committed lines came from that edit" into binding records: consecutive lines of one
 * source become one range with its content hash and per-line hashes. Binding ids are derived from
 * (commit, path, edit), so binding the same commit twice (a hook run again, a rewrite and a post-commit
 * seeing the same lines) adds nothing.
 */
import { createHash } from 'node:crypto';
import type { EditEvent } from '../model/schema';
import { modelKey } from '../store/index/indexRow';
import { type Binding, type BoundEdit, type BoundRange, GIT_SCHEMA_ID } from './gitRecords';
import { lineHash, rangeHash } from './lineHashes';

export interface LineSource {
  edit: BoundEdit;
  via: Binding['via'];
  from?: Binding['from'];
}

export function boundEditOf(edit: EditEvent): BoundEdit {
  return {
    id: edit.id,
    sessionId: edit.sessionId,
    tool: edit.tool.name,
    model: modelKey(edit.model),
    time: edit.time,
    disposition: edit.disposition,
    acceptor: edit.acceptor,
  };
}

export function bindingId(commit: string, path: string, editId: string): string {
  return `gb_${createHash('sha256').update(`${commit}\0${path}\0${editId}`).digest('hex').slice(0, 32)}`;
}

/**
 * Bindings for one committed file. `assigned` maps 0-based line numbers of `lines` to where they came from.
 */
export function buildBindings(repoId: string, commit: string, path: string, lines: readonly string[], assigned: ReadonlyMap<number, LineSource>, time: string): Binding[] {
  const bySource = new Map<string, { source: LineSource; lines: number[] }>();
  for (const [line, source] of assigned) {
    const group = bySource.get(source.edit.id);
    if (group) group.lines.push(line);
    else bySource.set(source.edit.id, { source, lines: [line] });
  }
  const bindings: Binding[] = [];
  for (const { source, lines: owned } of bySource.values()) {
    owned.sort((a, b) => a - b);
    const ranges: BoundRange[] = [];
    let start = 0;
    for (let i = 1; i <= owned.length; i++) {
      if (i < owned.length && owned[i] === owned[i - 1]! + 1) continue;
      const text = lines.slice(owned[start]!, owned[i - 1]! + 1);
      ranges.push({ start: owned[start]! + 1, end: owned[i - 1]! + 1, sha256: rangeHash(text), lines: text.map(lineHash) });
      start = i;
    }
    bindings.push({
      schema: GIT_SCHEMA_ID,
      kind: 'binding',
      id: bindingId(commit, path, source.edit.id),
      time,
      repoId,
      commit,
      path,
      via: source.via,
      ...(source.from ? { from: source.from } : {}),
      edit: source.edit,
      ranges,
    });
  }
  return bindings;
}
