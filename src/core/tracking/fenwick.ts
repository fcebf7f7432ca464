/**
 * A Fenwick (binary indexed) tree over non-negative numbers: point updates, prefix sums and "which
 * element holds position p" in O(log n). The weighted sequence keeps two of them over its chunks
 * (characters per chunk, items per chunk), so locating an offset or a line never scans every chunk.
 * `rebuild` reuses the storage: it runs whenever chunks split or merge, sometimes on a keystroke.
 */
export class FenwickTree {
  /** 1-based; tree[0] is unused. A plain array: cheaper to grow than a typed array is to allocate. */
  private readonly tree: number[] = [0];
  private count = 0;
  private topStep = 0;
  /** After `find`: the sum of the elements before the one found. */
  foundPrefix = 0;

  constructor(values: ArrayLike<number> = []) {
    this.rebuild(values, values.length);
  }

  get size(): number {
    return this.count;
  }

  /** Replaces the contents with values[0, count), in O(count). */
  rebuild(values: ArrayLike<number>, count: number): void {
    const tree = this.tree;
    for (let i = 0; i < count; i++) tree[i + 1] = values[i]!;
    tree.length = count + 1;
    // Linear-time build: push each node's sum up to its parent once.
    for (let i = 1; i <= count; i++) {
      const parent = i + (i & -i);
      if (parent <= count) tree[parent]! += tree[i]!;
    }
    this.count = count;
    let step = 1;
    while (step * 2 <= count) step *= 2;
    this.topStep = count === 0 ? 0 : step;
  }

  add(index: number, delta: number): void {
    for (let i = index + 1; i <= this.count; i += i & -i) this.tree[i]! += delta;
  }

  /** The sum of the first `count` elements. */
  prefix(count: number): number {
    let sum = 0;
    for (let i = count; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  /**
   * The index of the element that holds position `target` (the smallest i with prefix(i + 1) > target),
   * skipping zero elements; `size` when target is at or past the total. Sets `foundPrefix`.
   */
  find(target: number): number {
    let pos = 0;
    let rest = target;
    for (let step = this.topStep; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.count && this.tree[next]! <= rest) {
        pos = next;
        rest -= this.tree[next]!;
      }
    }
    this.foundPrefix = target - rest;
    return pos;
  }
}
