/**
 * Fold batches cross to the worker as one flat array of primitives instead of an object per entry:
 * copying between threads costs about a third as much, and a batch holds thousands of entries.
 */
import type { IndexOp } from '../index/indexRow';
import type { FoldBatch } from '../index/indexService';

const PUT = 0;
const PRUNE = 1;
const PUT_WIDTH = 20;

export type PackedFoldBatch = Omit<FoldBatch, 'ops'> & { packed: unknown[] };

export function packFoldBatch(batch: FoldBatch): PackedFoldBatch {
  const packed: unknown[] = [];
  for (const op of batch.ops) {
    if (op.op === 'prune') {
      packed.push(PRUNE, op.seq, op.toSeq);
      continue;
    }
    const f = op.fields;
    packed.push(PUT, op.seq, op.segment, op.offset, op.length, f.kind, f.id, f.repo, f.remote, f.path, f.session, f.tool, f.model, f.time, f.timeEnd, f.disposition, f.lineStart, f.lineEnd, f.contentHash, f.lin);
  }
  const { ops: _ops, ...rest } = batch;
  return { ...rest, packed };
}

export function unpackFoldBatch(batch: PackedFoldBatch): FoldBatch {
  const p = batch.packed as never[];
  const ops: IndexOp[] = [];
  for (let i = 0; i < p.length; ) {
    if (p[i] === PRUNE) {
      ops.push({ op: 'prune', seq: p[i + 1]!, toSeq: p[i + 2]! });
      i += 3;
      continue;
    }
    ops.push({
      op: 'put',
      seq: p[i + 1]!,
      segment: p[i + 2]!,
      offset: p[i + 3]!,
      length: p[i + 4]!,
      fields: {
        kind: p[i + 5]!,
        id: p[i + 6]!,
        repo: p[i + 7]!,
        remote: p[i + 8]!,
        path: p[i + 9]!,
        session: p[i + 10]!,
        tool: p[i + 11]!,
        model: p[i + 12]!,
        time: p[i + 13]!,
        timeEnd: p[i + 14]!,
        disposition: p[i + 15]!,
        lineStart: p[i + 16]!,
        lineEnd: p[i + 17]!,
        contentHash: p[i + 18]!,
        lin: p[i + 19]!,
      },
    });
    i += PUT_WIDTH;
  }
  const { packed: _packed, ...rest } = batch;
  return { ...rest, ops };
}
