/**
 * A FIFO with a hard cap, for the editor's hot path: handlers push and return at once; a debounced
 * consumer drains. When the consumer falls behind, the oldest entries are dropped and counted, so
 * memory stays bounded and the loss is visible (logged), never silent.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Entries dropped because the queue was full, since construction. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    if (this.size >= this.capacity) {
      this.head++;
      this.droppedCount++;
    }
    this.items.push(item);
    // Compact now and then so the backing array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Removes and returns everything queued, oldest first. */
  drain(): T[] {
    const out = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}
