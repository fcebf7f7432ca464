/**
 * Lines of a plain string (a file as read from disk), for snapshots and re-anchoring: line starts,
 * contents without line breaks, and (line, character) <-> offset. Same line rule as LineIndex.
 */
import { lineKey } from './hashing';
import { isWhitespaceCode } from './lineAttribution';

/** Zero-based, in UTF-16 code units, like VS Code's Position. */
export interface Position {
  line: number;
  character: number;
}

export class TextLines {
  readonly starts: number[] = [0];
  private lineKeys: Float64Array | undefined;

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Where the line ends, its line break included. */
  lineEnd(line: number): number {
    return line + 1 < this.starts.length ? this.starts[line + 1]! : this.text.length;
  }

  /** Where the line's content ends (before '\n' or '\r\n'). */
  contentEnd(line: number): number {
    const start = this.starts[line]!;
    let end = this.lineEnd(line);
    if (end > start && this.text.charCodeAt(end - 1) === 10) {
      end--;
      if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    }
    return end;
  }

  content(line: number): string {
    return this.text.slice(this.starts[line]!, this.contentEnd(line));
  }

  /** The line key (hashing.ts) of every line's content, computed once. */
  keys(): Float64Array {
    if (!this.lineKeys) {
      this.lineKeys = new Float64Array(this.starts.length);
      for (let line = 0; line < this.starts.length; line++) this.lineKeys[line] = lineKey(this.text, this.starts[line]!, this.contentEnd(line));
    }
    return this.lineKeys;
  }

  /** Whether line a of this text and line b of `other` have the same content (no substrings built). */
  sameContent(a: number, other: TextLines, b: number): boolean {
    const start = this.starts[a]!;
    const otherStart = other.starts[b]!;
    const length = this.contentEnd(a) - start;
    if (other.contentEnd(b) - otherStart !== length) return false;
    for (let i = 0; i < length; i++) if (this.text.charCodeAt(start + i) !== other.text.charCodeAt(otherStart + i)) return false;
    return true;
  }

  nonWhitespace(line: number): number {
    let count = 0;
    for (let i = this.starts[line]!, end = this.contentEnd(line); i < end; i++) if (!isWhitespaceCode(this.text.charCodeAt(i))) count++;
    return count;
  }

  /** The offset of a position, or null when the position is not inside the text. */
  offsetAt(pos: Position): number | null {
    if (!Number.isInteger(pos.line) || pos.line < 0 || pos.line >= this.starts.length || pos.character < 0) return null;
    const offset = this.starts[pos.line]! + pos.character;
    return offset <= this.lineEnd(pos.line) ? offset : null;
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  positionAt(offset: number): Position {
    const line = this.lineAt(offset);
    return { line, character: offset - this.starts[line]! };
  }
}
