/**
 * A hash table from line keys (non-negative safe integers) to int32 values, with open addressing in
 * typed arrays. Why not a Map: re-anchoring indexes every line of two 10,000-line texts, and a Map of
 * strings or of 53-bit numbers spent several milliseconds there, mostly allocating.
 */
const EMPTY = -1;

export class NumberTable {
  private readonly keys: Float64Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  /** Room for `capacity` distinct keys (the table is sized to stay at most half full). */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(EMPTY);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The value stored for `key`, or `missing`. */
  get(key: number, missing: number): number {
    const slot = this.find(key);
    return this.keys[slot] === key ? this.values[slot]! : missing;
  }

  set(key: number, value: number): void {
    const slot = this.find(key);
    this.keys[slot] = key;
    this.values[slot] = value;
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing). */
  private find(key: number): number {
    const low = key >>> 0; // key mod 2^32
    const high = (key - low) / 0x1_0000_0000;
    let slot = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    slot = (slot ^ (slot >>> 15)) & this.mask;
    while (this.keys[slot] !== EMPTY && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }
}
