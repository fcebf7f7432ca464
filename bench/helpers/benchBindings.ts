/** Synthetic git bindings for the blame benchmarks (SQLite and PostgreSQL fill their databases alike). */
import { createHash } from 'node:crypto';
import { type Binding, GIT_SCHEMA_ID } from '../../src/core/git/gitRecords';
import type { ProvenanceRecord } from '../../src/core/model/schema';
import { modelKey } from '../../src/core/store/index/indexRow';

/** A binding of a generated edit's lines in a synthetic commit (20 bindings per commit). */
export function benchBinding(r: Extract<ProvenanceRecord, { kind: 'edit' }>, commitNo: number): Binding {
  const repoId = r.file.repo?.id ?? 'none';
  const start = r.rangeAfter.start.line + 1;
  const count = Math.max(1, Math.min(40, r.rangeAfter.end.line - r.rangeAfter.start.line + 1));
  const lines = Array.from({ length: count }, (_, k) => createHash('sha256').update(`${r.id}:${k}`).digest('hex').slice(0, 16));
  return {
    schema: GIT_SCHEMA_ID,
    kind: 'binding',
    id: `gb_${createHash('sha256').update(r.id).digest('hex').slice(0, 32)}`,
    time: r.time,
    repoId,
    commit: createHash('sha1').update(`${repoId}:${commitNo}`).digest('hex'),
    path: r.file.path,
    via: 'commit',
    edit: { id: r.id, sessionId: r.sessionId, tool: r.tool.name, model: modelKey(r.model), time: r.time, disposition: r.disposition, acceptor: r.acceptor },
    ranges: [{ start, end: start + count - 1, sha256: createHash('sha256').update(lines.join('\n')).digest('hex'), lines }],
  };
}
