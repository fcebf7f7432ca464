/**
 * A sequence of items, each with a length (>= 0) and a small integer tag, kept in chunks of at most
 * MAX_CHUNK_ITEMS items with a Fenwick tree over the chunk totals and one over the chunk item counts.
 *
 * Why this shape: the tracker must follow every keystroke. Storing absolute offsets would make an edit
 * near the top of a file shift every item after it (O(n)); storing lengths makes an edit change one
 * item, and the Fenwick trees find "the item holding offset x" or "item number k" in O(log chunks +
 * chunk size). Structural edits (insert or remove items) touch one chunk; only when a chunk splits,
 * merges or disappears are the two Fenwick trees rebuilt, which is O(chunks) and happens once per
 * tens of structural edits. The same structure holds the document's lines and its origin runs.
 */
import { FenwickTree } from './fenwick';

const MAX_CHUNK_ITEMS = 48;
const SPLIT_CHUNK_ITEMS = 24;
const MERGE_BELOW_ITEMS = 6;

interface Chunk {
  lens: number[];
  tags: number[];
  total: number;
}

/** A position in a WeightedSequence. Any `splice` invalidates every cursor of that sequence. */
export class SequenceCursor {
  chunk = 0;
  index = 0;
  /** The offset where the item starts: the sum of the lengths of the items before it. */
  start = 0;
}

export class WeightedSequence {
  private chunks: Chunk[] = [];
  private readonly weights = new FenwickTree();
  private readonly counts = new FenwickTree();
  /** Scratch for reindex (reused: no allocation when chunks split on a keystroke). */
  private readonly chunkTotals: number[] = [];
  private readonly chunkSizes: number[] = [];
  private totalLength = 0;
  private itemCount = 0;

  constructor(lens: readonly number[] = [], tags: readonly number[] = lens.map(() => 0)) {
    if (tags.length !== lens.length) throw new RangeError('lens and tags must have the same length');
    this.chunks = toChunks(lens, tags);
    if (this.chunks.length === 0) this.chunks.push(makeChunk([], []));
    this.reindex();
  }

  /** The sum of all item lengths. */
  get length(): number {
    return this.totalLength;
  }

  get count(): number {
    return this.itemCount;
  }

  /** Moves `cur` to the item holding `offset` (zero-length items hold nothing), or to the end when offset >= length. */
  seekOffset(offset: number, cur: SequenceCursor): void {
    const c = this.weights.find(offset);
    if (c >= this.chunks.length) return this.seekEnd(cur);
    const lens = this.chunks[c]!.lens;
    let start = this.weights.foundPrefix;
    let i = 0;
    while (start + lens[i]! <= offset) start += lens[i++]!;
    cur.chunk = c;
    cur.index = i;
    cur.start = start;
  }

  /** Moves `cur` to item number `index`, or to the end when index >= count. */
  seekIndex(index: number, cur: SequenceCursor): void {
    const c = this.counts.find(index);
    if (c >= this.chunks.length) return this.seekEnd(cur);
    const i = index - this.counts.foundPrefix;
    const lens = this.chunks[c]!.lens;
    let start = this.weights.prefix(c);
    for (let k = 0; k < i; k++) start += lens[k]!;
    cur.chunk = c;
    cur.index = i;
    cur.start = start;
  }

  seekEnd(cur: SequenceCursor): void {
    cur.chunk = this.chunks.length - 1;
    cur.index = this.chunks[cur.chunk]!.lens.length;
    cur.start = this.totalLength;
  }

  isEnd(cur: SequenceCursor): boolean {
    return cur.index >= this.chunks[cur.chunk]!.lens.length;
  }

  /** The item number of the cursor's item (count when at the end). */
  indexOf(cur: SequenceCursor): number {
    return this.counts.prefix(cur.chunk) + cur.index;
  }

  lengthAt(cur: SequenceCursor): number {
    return this.chunks[cur.chunk]!.lens[cur.index]!;
  }

  tagAt(cur: SequenceCursor): number {
    return this.chunks[cur.chunk]!.tags[cur.index]!;
  }

  /** Moves `cur` to the next item (or the end). */
  next(cur: SequenceCursor): void {
    const chunk = this.chunks[cur.chunk]!;
    cur.start += chunk.lens[cur.index]!;
    cur.index++;
    if (cur.index >= chunk.lens.length && cur.chunk < this.chunks.length - 1) {
      cur.chunk++;
      cur.index = 0;
    }
  }

  /** Moves `cur` to the previous item; returns false (and stays) at the first item. */
  previous(cur: SequenceCursor): boolean {
    if (cur.index === 0) {
      if (cur.chunk === 0) return false;
      cur.chunk--;
      cur.index = this.chunks[cur.chunk]!.lens.length;
    }
    cur.index--;
    cur.start -= this.chunks[cur.chunk]!.lens[cur.index]!;
    return true;
  }

  copy(from: SequenceCursor, to: SequenceCursor): void {
    to.chunk = from.chunk;
    to.index = from.index;
    to.start = from.start;
  }

  /** Changes one item's length in O(log chunks); cursors stay valid (later items' starts move). */
  setLength(cur: SequenceCursor, length: number): void {
    const chunk = this.chunks[cur.chunk]!;
    const delta = length - chunk.lens[cur.index]!;
    if (delta === 0) return;
    chunk.lens[cur.index] = length;
    chunk.total += delta;
    this.totalLength += delta;
    this.weights.add(cur.chunk, delta);
  }

  /**
   * Removes `deleteCount` items from the cursor's item on and inserts the first `insertCount` of the given
   * items there (callers with reused buffers pass a count instead of trimming them).
   */
  splice(at: SequenceCursor, deleteCount: number, lens: readonly number[], tags: readonly number[], insertCount = lens.length): void {
    if (insertCount > lens.length || insertCount > tags.length) throw new RangeError('fewer items given than insertCount');
    const c = at.chunk;
    const i = at.index;
    const size = this.chunks[c]!.lens.length;
    const next = this.chunks[c + 1];
    if (i + deleteCount <= size && size - deleteCount + insertCount <= MAX_CHUNK_ITEMS) {
      // Inside one chunk: the keystroke case.
      this.editInPlace(c, i, deleteCount, lens, tags, insertCount);
      if (this.canShrinkAt(c)) this.rebalance(c);
    } else if (
      next &&
      i + deleteCount > size &&
      i + deleteCount < size + next.lens.length &&
      i + insertCount <= MAX_CHUNK_ITEMS &&
      i + insertCount >= MERGE_BELOW_ITEMS &&
      size + next.lens.length - i - deleteCount >= MERGE_BELOW_ITEMS
    ) {
      // Across the boundary of two chunks that both stay in shape: edit both in place, no reindexing.
      this.editInPlace(c + 1, 0, i + deleteCount - size, lens, tags, 0);
      this.editInPlace(c, i, size - i, lens, tags, insertCount);
    } else {
      this.spliceAcrossChunks(c, i, deleteCount, lens.slice(0, insertCount), tags.slice(0, insertCount));
    }
  }

  /** Every item, in order (for tests and diagnostics). */
  toArrays(): { lens: number[]; tags: number[] } {
    return { lens: this.chunks.flatMap((c) => c.lens), tags: this.chunks.flatMap((c) => c.tags) };
  }

  /**
   * Replaces items of one chunk in place, without allocating (Array.prototype.splice would build arrays)
   * and with point updates of the indexes: this runs on keystrokes. The caller keeps the chunk in shape.
   */
  private editInPlace(c: number, i: number, deleteCount: number, lens: readonly number[], tags: readonly number[], insertCount: number): void {
    const chunk = this.chunks[c]!;
    const cl = chunk.lens;
    const ct = chunk.tags;
    const oldCount = cl.length;
    const shift = insertCount - deleteCount;
    let delta = 0;
    for (let k = i; k < i + deleteCount; k++) delta -= cl[k]!;
    if (shift > 0) {
      for (let k = 0; k < shift; k++) {
        cl.push(0);
        ct.push(0);
      }
      for (let k = oldCount - 1; k >= i + deleteCount; k--) {
        cl[k + shift] = cl[k]!;
        ct[k + shift] = ct[k]!;
      }
    } else if (shift < 0) {
      for (let k = i + deleteCount; k < oldCount; k++) {
        cl[k + shift] = cl[k]!;
        ct[k + shift] = ct[k]!;
      }
      cl.length = oldCount + shift;
      ct.length = oldCount + shift;
    }
    for (let k = 0; k < insertCount; k++) {
      cl[i + k] = lens[k]!;
      ct[i + k] = tags[k]!;
      delta += lens[k]!;
    }
    chunk.total += delta;
    this.totalLength += delta;
    this.itemCount += shift;
    this.weights.add(c, delta);
    this.counts.add(c, shift);
  }

  private spliceAcrossChunks(c: number, i: number, deleteCount: number, lens: readonly number[], tags: readonly number[]): void {
    const first = this.chunks[c]!;
    let remaining = deleteCount - (first.lens.length - i);
    let last = c;
    let tailLens: number[];
    let tailTags: number[];
    if (remaining <= 0) {
      tailLens = first.lens.slice(i + deleteCount);
      tailTags = first.tags.slice(i + deleteCount);
    } else {
      // Whole chunks the deletion covers go away; the chunk where it ends keeps its tail.
      while (remaining > 0) {
        last++;
        const chunk = this.chunks[last];
        if (!chunk) throw new RangeError('splice past the end of the sequence');
        if (remaining < chunk.lens.length) break;
        remaining -= chunk.lens.length;
      }
      const end = this.chunks[last]!;
      tailLens = remaining > 0 ? end.lens.slice(remaining) : [];
      tailTags = remaining > 0 ? end.tags.slice(remaining) : [];
    }
    const merged = toChunks(
      first.lens.slice(0, i).concat(lens, tailLens),
      first.tags.slice(0, i).concat(tags, tailTags),
    );
    this.chunks = this.chunks.slice(0, c).concat(merged, this.chunks.slice(last + 1));
    if (this.chunks.length === 0) this.chunks.push(makeChunk([], []));
    this.rebalance(Math.min(c, this.chunks.length - 1));
  }

  /** Whether chunk c is empty (and not the only one) or small enough to merge into a neighbour. */
  private canShrinkAt(c: number): boolean {
    const size = this.chunks[c]!.lens.length;
    if (this.chunks.length === 1 || size >= MERGE_BELOW_ITEMS) return false;
    return size === 0 || this.chunks[this.mergeNeighbour(c)]!.lens.length + size <= MAX_CHUNK_ITEMS;
  }

  private mergeNeighbour(c: number): number {
    return c + 1 < this.chunks.length ? c + 1 : c - 1;
  }

  /** Drops an empty chunk or merges a small one into a neighbour, then rebuilds the indexes. */
  private rebalance(c: number): void {
    if (this.canShrinkAt(c)) {
      const chunk = this.chunks[c]!;
      const neighbour = this.mergeNeighbour(c);
      const other = this.chunks[neighbour]!;
      const [a, b] = neighbour > c ? [chunk, other] : [other, chunk];
      this.chunks.splice(Math.min(c, neighbour), 2, makeChunk(a.lens.concat(b.lens), a.tags.concat(b.tags)));
    }
    this.reindex();
  }

  private reindex(): void {
    let total = 0;
    let items = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      this.chunkTotals[c] = chunk.total;
      this.chunkSizes[c] = chunk.lens.length;
      total += chunk.total;
      items += chunk.lens.length;
    }
    this.weights.rebuild(this.chunkTotals, this.chunks.length);
    this.counts.rebuild(this.chunkSizes, this.chunks.length);
    this.totalLength = total;
    this.itemCount = items;
  }
}

function makeChunk(lens: number[], tags: number[]): Chunk {
  let total = 0;
  for (const len of lens) total += len;
  return { lens, tags, total };
}

/** Items cut into chunks of even size (about SPLIT_CHUNK_ITEMS), so no tiny chunk is left over at the end. */
function toChunks(lens: readonly number[], tags: readonly number[]): Chunk[] {
  if (lens.length <= MAX_CHUNK_ITEMS) return lens.length === 0 ? [] : [makeChunk(lens.slice(), tags.slice())];
  const count = Math.ceil(lens.length / SPLIT_CHUNK_ITEMS);
  const size = Math.ceil(lens.length / count);
  const chunks: Chunk[] = [];
  for (let i = 0; i < lens.length; i += size) chunks.push(makeChunk(lens.slice(i, i + size), tags.slice(i, i + size)));
  return chunks;
}
