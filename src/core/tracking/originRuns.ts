/**
 * Who wrote each character of a document, as runs: maximal stretches of characters with the same
 * origin tag (see OriginTable), kept in a WeightedSequence so a keystroke costs O(log n) and a change
 * that crosses k runs costs O(log n + k). Neighbouring runs always have different tags.
 */
import { HUMAN_TAG } from './originTable';
import { SequenceCursor, WeightedSequence } from './weightedSequence';

export interface Run {
  start: number;
  end: number;
  tag: number;
}

export class OriginRuns {
  private readonly runs: WeightedSequence;
  private readonly cursor = new SequenceCursor();
  private readonly pieces = new PieceBuffer();
  private readonly windowStart = new SequenceCursor();

  /** A document of `length` characters, all with `tags` given by runs (human when none are given). */
  constructor(length: number, runs: readonly Run[] = []) {
    const lens: number[] = [];
    const tags: number[] = [];
    let at = 0;
    for (const run of runs) {
      if (run.start < at || run.end > length || run.start >= run.end) throw new RangeError('runs must be sorted, non-empty, not overlapping and inside the document');
      if (run.start > at) pushRun(lens, tags, run.start - at, HUMAN_TAG);
      pushRun(lens, tags, run.end - run.start, run.tag);
      at = run.end;
    }
    if (length > at) pushRun(lens, tags, length - at, HUMAN_TAG);
    this.runs = new WeightedSequence(lens, tags);
  }

  get length(): number {
    return this.runs.length;
  }

  /**
   * Whether a change of [start, end) touches non-human text: it removes a non-human character, or the
   * characters on both sides of it are non-human. One seek, then a walk over the runs involved.
   */
  changeTouchesNonHuman(start: number, end: number): boolean {
    const cur = this.cursor;
    const length = this.runs.length;
    let before = HUMAN_TAG;
    let after = HUMAN_TAG;
    for (this.runs.seekOffset(Math.max(0, start - 1), cur); !this.runs.isEnd(cur) && cur.start <= end; this.runs.next(cur)) {
      const runEnd = cur.start + this.runs.lengthAt(cur);
      const tag = this.runs.tagAt(cur);
      if (tag !== HUMAN_TAG && cur.start < end && runEnd > start) return true; // removes such a character
      if (start > 0 && cur.start <= start - 1 && runEnd > start - 1) before = tag;
      if (end < length && cur.start <= end && runEnd > end) after = tag;
    }
    return before !== HUMAN_TAG && after !== HUMAN_TAG;
  }

  /** The runs overlapping [start, end), clipped to it. */
  runsIn(start: number, end: number): Run[] {
    const out: Run[] = [];
    const cur = this.cursor;
    for (this.runs.seekOffset(start, cur); !this.runs.isEnd(cur) && cur.start < end; this.runs.next(cur)) {
      const runEnd = cur.start + this.runs.lengthAt(cur);
      out.push({ start: Math.max(start, cur.start), end: Math.min(end, runEnd), tag: this.runs.tagAt(cur) });
    }
    return out;
  }

  /** Replaces `deleteLength` characters at `offset` with `insertLength` characters of origin `tag`. */
  replace(offset: number, deleteLength: number, insertLength: number, tag: number): void {
    if (this.tryResizeRun(offset, deleteLength, insertLength, tag)) return;
    this.rewrite(offset, offset + deleteLength, insertLength, tag, null);
  }

  /** Re-tags every character in [start, end) with `retag(tag)`. */
  retag(start: number, end: number, retag: (tag: number) => number): void {
    if (start < end) this.rewrite(start, end, 0, HUMAN_TAG, retag);
  }

  /**
   * The keystroke case, without rewriting runs: the change lies inside one run that has its tag, or is
   * an insertion right after such a run (typing at the end of a word, or just before AI text).
   */
  private tryResizeRun(offset: number, deleteLength: number, insertLength: number, tag: number): boolean {
    const cur = this.cursor;
    if (deleteLength === 0 && offset > 0) {
      this.runs.seekOffset(offset - 1, cur);
      if (this.runs.tagAt(cur) === tag) {
        this.runs.setLength(cur, this.runs.lengthAt(cur) + insertLength);
        return true;
      }
    }
    this.runs.seekOffset(offset, cur);
    if (this.runs.isEnd(cur) || this.runs.tagAt(cur) !== tag) return false;
    const len = this.runs.lengthAt(cur);
    const newLen = len - deleteLength + insertLength;
    if (offset + deleteLength > cur.start + len || newLen === 0) return false;
    this.runs.setLength(cur, newLen);
    return true;
  }

  /**
   * Rewrites the runs around [start, end): the characters there are replaced by `insertLength` characters
   * of `insertTag`, or, when `retag` is given, keep their length and get `retag(tag)`. The window is the
   * runs touching the range plus one neighbour on each side, so merges across its edges happen here.
   * Pieces go into reused arrays: this runs on keystrokes inside AI text, where garbage means GC pauses.
   */
  private rewrite(start: number, end: number, insertLength: number, insertTag: number, retag: ((tag: number) => number) | null): void {
    const cur = this.cursor;
    this.runs.seekOffset(start, cur);
    this.runs.previous(cur); // from the left neighbour, to merge with it
    const windowStart = this.windowStart;
    this.runs.copy(cur, windowStart);
    const out = this.pieces;
    out.clear();
    let count = 0;
    let inserted = retag !== null;
    let tookRightNeighbour = false;
    for (; !this.runs.isEnd(cur); this.runs.next(cur)) {
      const runStart = cur.start;
      const runEnd = runStart + this.runs.lengthAt(cur);
      const tag = this.runs.tagAt(cur);
      if (runStart >= end) {
        if (tookRightNeighbour) break;
        tookRightNeighbour = true; // the first run after the range, to merge with
      }
      count++;
      if (runStart < start) out.push(Math.min(runEnd, start) - runStart, tag);
      if (!inserted && runEnd >= start) {
        out.push(insertLength, insertTag);
        inserted = true;
      }
      if (retag && runEnd > start && runStart < end) out.push(Math.min(runEnd, end) - Math.max(runStart, start), retag(tag));
      if (runEnd > end) out.push(runEnd - Math.max(runStart, end), tag);
    }
    if (!inserted) out.push(insertLength, insertTag);
    this.runs.splice(windowStart, count, out.lens, out.tags, out.count);
  }
}

/**
 * Runs being assembled, in arrays that are reused and never shrunk (setting an array's length to 0
 * would release its storage): empty pieces are dropped and neighbours with the same tag merged.
 */
class PieceBuffer {
  readonly lens: number[] = [];
  readonly tags: number[] = [];
  count = 0;

  clear(): void {
    this.count = 0;
  }

  push(len: number, tag: number): void {
    if (len === 0) return;
    const last = this.count - 1;
    if (last >= 0 && this.tags[last] === tag) {
      this.lens[last]! += len;
    } else if (this.count < this.lens.length) {
      this.lens[this.count] = len;
      this.tags[this.count++] = tag;
    } else {
      this.lens.push(len);
      this.tags.push(tag);
      this.count++;
    }
  }
}

function pushRun(lens: number[], tags: number[], len: number, tag: number): void {
  if (tags.length > 0 && tags[tags.length - 1] === tag) lens[lens.length - 1]! += len;
  else {
    lens.push(len);
    tags.push(tag);
  }
}
