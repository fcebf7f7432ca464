/**
 * Where each line of an open document starts, kept up to date through every change in O(log n) for an
 * edit inside one line (the keystroke case) and O(log n + lines touched) otherwise.
 *
 * A line is everything up to and including its '\n' ('\r\n' is a '\r' at the end of the line's
 * content plus the '\n'); the last line has no terminator and may be empty. This matches VS Code,
 * whose open documents only ever contain '\n' or '\r\n' line breaks.
 */
import { SequenceCursor, WeightedSequence } from './weightedSequence';

export class LineIndex {
  private readonly lines: WeightedSequence;
  private readonly cursor = new SequenceCursor();
  private readonly endCursor = new SequenceCursor();

  constructor(text: string) {
    this.lines = new WeightedSequence(lineLengths(text, 0, 0));
  }

  get lineCount(): number {
    return this.lines.count;
  }

  /** The document length in characters (UTF-16 code units). */
  get length(): number {
    return this.lines.length;
  }

  /** The line holding `offset`; the last line for offset === length. */
  lineAt(offset: number): number {
    this.seekLine(offset, this.cursor);
    return this.lines.indexOf(this.cursor);
  }

  /** Where `line` starts; the document length for line === lineCount. */
  offsetAt(line: number): number {
    this.lines.seekIndex(line, this.cursor);
    return this.cursor.start;
  }

  /** Where the line holding `offset` starts. */
  lineStartOf(offset: number): number {
    this.seekLine(offset, this.cursor);
    return this.cursor.start;
  }

  /** Where the line holding `offset` ends, its line break included. */
  lineEndOf(offset: number): number {
    this.seekLine(offset, this.cursor);
    return this.cursor.start + this.lines.lengthAt(this.cursor);
  }

  /** The start offsets of lines from..to (both included; to may be lineCount, giving the length). */
  lineStarts(from: number, to: number): number[] {
    const starts: number[] = [];
    const cur = this.cursor;
    this.lines.seekIndex(from, cur);
    for (let line = from; line <= to; line++) {
      starts.push(cur.start);
      if (!this.lines.isEnd(cur)) this.lines.next(cur);
    }
    return starts;
  }

  /** Replaces `length` characters at `offset` with `text`. */
  applyChange(offset: number, length: number, text: string): void {
    const startCur = this.cursor;
    const endCur = this.endCursor;
    this.seekLine(offset, startCur);
    const prefix = offset - startCur.start;
    const firstBreak = text.indexOf('\n');
    const end = offset + length;
    const startLineEnd = startCur.start + this.lines.lengthAt(startCur);
    // The keystroke case: the change stays inside one line and adds no line break.
    if (firstBreak < 0 && (end < startLineEnd || (end === startLineEnd && this.isLastLine(startCur)))) {
      this.lines.setLength(startCur, this.lines.lengthAt(startCur) - length + text.length);
      return;
    }
    this.seekLine(end, endCur);
    const suffix = endCur.start + this.lines.lengthAt(endCur) - end;
    const replaced = this.lines.indexOf(endCur) - this.lines.indexOf(startCur) + 1;
    const lens = lineLengths(text, prefix, suffix);
    this.lines.splice(startCur, replaced, lens, new Array<number>(lens.length).fill(0));
  }

  private isLastLine(cur: SequenceCursor): boolean {
    return this.lines.indexOf(cur) === this.lines.count - 1;
  }

  /** Like seekOffset, but the end of the document belongs to the last line. */
  private seekLine(offset: number, cur: SequenceCursor): void {
    this.lines.seekOffset(offset, cur);
    if (this.lines.isEnd(cur)) this.lines.seekIndex(this.lines.count - 1, cur);
  }
}

/** The lengths of the lines of `text`, with `prefix` added to the first and `suffix` to the last. */
function lineLengths(text: string, prefix: number, suffix: number): number[] {
  const lens: number[] = [];
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    lens.push(nl + 1 - lineStart);
    lineStart = nl + 1;
  }
  lens.push(text.length - lineStart + suffix);
  lens[0]! += prefix;
  return lens;
}
