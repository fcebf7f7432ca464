import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { FenwickTree } from '../../src/core/tracking/fenwick';
import { LineIndex } from '../../src/core/tracking/lineIndex';
import { SequenceCursor, WeightedSequence } from '../../src/core/tracking/weightedSequence';

/** The obvious model of a weighted sequence: two flat arrays. */
interface FlatItems {
  lens: number[];
  tags: number[];
}

function startOf(flat: FlatItems, index: number): number {
  return flat.lens.slice(0, index).reduce((a, b) => a + b, 0);
}

const sequenceOp = fc.oneof(
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), remove: fc.nat({ max: 300 }), insert: fc.array(fc.nat({ max: 5 }), { maxLength: 300 }) }),
  fc.record({ kind: fc.constant('setLength' as const), at: fc.nat(), length: fc.nat({ max: 9 }) }),
);

describe('FenwickTree', () => {
  it('agrees with plain prefix sums and finds the element holding a position', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5 }), { maxLength: 70 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 })), { maxLength: 20 }), (values, updates) => {
        const tree = new FenwickTree(values);
        const plain = values.slice();
        for (const [i, v] of updates) {
          if (plain.length === 0) break;
          const at = i % plain.length;
          tree.add(at, v - plain[at]!);
          plain[at] = v;
        }
        let sum = 0;
        for (let i = 0; i <= plain.length; i++) {
          assert.equal(tree.prefix(i), sum);
          sum += plain[i] ?? 0;
        }
        for (let target = 0; target <= sum; target++) {
          let expected = 0;
          let before = 0;
          while (expected < plain.length && before + plain[expected]! <= target) before += plain[expected++]!;
          assert.equal(tree.find(target), expected, `find(${target}) in ${plain}`);
          assert.equal(tree.foundPrefix, before);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('WeightedSequence', () => {
  it('agrees with flat arrays through random splices and length changes, across chunk splits and merges', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5 }), { maxLength: 400 }), fc.array(sequenceOp, { maxLength: 40 }), (initial, ops) => {
        const flat: FlatItems = { lens: initial.slice(), tags: initial.map((_, i) => i % 3) };
        const seq = new WeightedSequence(flat.lens, flat.tags);
        const cur = new SequenceCursor();
        for (const op of ops) {
          if (op.kind === 'splice') {
            const at = op.at % (flat.lens.length + 1);
            const remove = Math.min(op.remove, flat.lens.length - at);
            const tags = op.insert.map((len) => len % 4);
            flat.lens.splice(at, remove, ...op.insert);
            flat.tags.splice(at, remove, ...tags);
            seq.seekIndex(at, cur);
            seq.splice(cur, remove, op.insert, tags);
          } else if (flat.lens.length > 0) {
            const at = op.at % flat.lens.length;
            flat.lens[at] = op.length;
            seq.seekIndex(at, cur);
            seq.setLength(cur, op.length);
          }
          assert.deepEqual(seq.toArrays(), flat);
          assert.equal(seq.count, flat.lens.length);
          assert.equal(seq.length, startOf(flat, flat.lens.length));
        }
        // Every offset lands on the item that holds it; iteration visits every item in order.
        for (let offset = 0; offset < seq.length; offset += 1 + (offset % 7)) {
          seq.seekOffset(offset, cur);
          const index = seq.indexOf(cur);
          assert.ok(cur.start <= offset && offset < cur.start + seq.lengthAt(cur));
          assert.equal(cur.start, startOf(flat, index));
        }
        seq.seekOffset(seq.length, cur);
        assert.ok(seq.isEnd(cur));
        const visited: number[] = [];
        for (seq.seekIndex(0, cur); !seq.isEnd(cur); seq.next(cur)) visited.push(seq.lengthAt(cur));
        assert.deepEqual(visited, flat.lens);
      }),
      { numRuns: 300 },
    );
  });
});

describe('WeightedSequence, small edits on a long sequence', () => {
  it('agrees with flat arrays when windows of a few items cross chunk boundaries (the keystroke paths)', () => {
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 5 }), insert: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 50, maxLength: 400 }), (edits) => {
        const flat: FlatItems = { lens: Array.from({ length: 700 }, (_, i) => 1 + (i % 5)), tags: Array.from({ length: 700 }, (_, i) => i % 3) };
        const seq = new WeightedSequence(flat.lens, flat.tags);
        const cur = new SequenceCursor();
        for (const { at, remove, insert } of edits) {
          const index = at % (flat.lens.length + 1);
          const removeCount = Math.min(remove, flat.lens.length - index);
          const tags = insert.map((len) => len % 3);
          flat.lens.splice(index, removeCount, ...insert);
          flat.tags.splice(index, removeCount, ...tags);
          seq.seekIndex(index, cur);
          seq.splice(cur, removeCount, insert.concat([9, 9]), tags.concat([9, 9]), insert.length); // extra items beyond insertCount are ignored
        }
        assert.deepEqual(seq.toArrays(), flat);
        assert.equal(seq.count, flat.lens.length);
        for (let index = 0; index < flat.lens.length; index += 13) {
          seq.seekIndex(index, cur);
          assert.equal(cur.start, startOf(flat, index));
          seq.seekOffset(cur.start, cur);
          assert.equal(seq.indexOf(cur), index);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Line starts of a string, the slow way. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

describe('LineIndex', () => {
  it('keeps line starts equal to those of the edited text', () => {
    const piece = fc.array(fc.constantFrom('a', 'b', ' ', '\n', '\r\n'), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(piece, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), piece), { maxLength: 60 }), (initial, edits) => {
        let text = initial;
        const index = new LineIndex(text);
        for (const [at, len, insert] of edits) {
          const offset = at % (text.length + 1);
          const length = Math.min(len, text.length - offset);
          text = text.slice(0, offset) + insert + text.slice(offset + length);
          index.applyChange(offset, length, insert);
          const starts = lineStartsOf(text);
          assert.equal(index.lineCount, starts.length);
          assert.equal(index.length, text.length);
          assert.deepEqual(index.lineStarts(0, starts.length - 1), starts);
          for (let o = 0; o <= text.length; o++) {
            const line = index.lineAt(o);
            assert.ok(starts[line]! <= o && (line + 1 === starts.length || o < starts[line + 1]!), `lineAt(${o})`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
