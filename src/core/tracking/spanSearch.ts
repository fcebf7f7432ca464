/**
 * Finds a snapshot span's text in a new text, and weighs the evidence for each place it is found: the
 * span's own non-whitespace characters, plus those of the context lines (the line before and the line
 * after the span) when they match too. Content is compared exactly: against the old text when the caller
 * has it (cheap string comparison), else by the span's SHA-256.
 */
import { contentHash, normaliseBreaks } from './hashing';
import { NumberTable } from './numberTable';
import { lineAfter, type SpanAnchor } from './snapshot';
import type { TextLines } from './textLines';

export interface OffsetRange {
  start: number;
  end: number;
}

/** One span being searched for: its anchor and, when known, its exact old text. */
export interface SpanProbe {
  anchor: SpanAnchor;
  oldText: string | null;
}

/** A key line found more often than this in the new text is too ambiguous to search from. */
const MAX_KEY_CANDIDATES = 16;

export class SpanSearch {
  private firstWithKey: NumberTable | undefined;
  private nextWithKey: Int32Array | undefined;

  constructor(private readonly lines: TextLines) {}

  /** Whether the text at `range` is the span's text. */
  matches(probe: SpanProbe, range: OffsetRange): boolean {
    const found = normaliseBreaks(this.lines.text.slice(range.start, range.end));
    return probe.oldText !== null ? found === probe.oldText : contentHash(found) === probe.anchor.contentHash;
  }

  /** The span placed with its first line on `startLine` (same columns and shape), if its text is there. */
  placeAt(probe: SpanProbe, startLine: number): { range: OffsetRange; evidence: number } | null {
    const anchor = probe.anchor;
    const range = rangeOfShape(this.lines, anchor, startLine);
    if (!range || !this.matches(probe, range)) return null;
    const shift = startLine - anchor.start.line;
    let evidence = anchor.nonWs;
    if (anchor.before && this.keyOf(anchor.start.line - 1 + shift) === anchor.before.key) evidence += anchor.before.nonWs;
    if (anchor.after && this.keyOf(lineAfter(anchor) + shift) === anchor.after.key) evidence += anchor.after.nonWs;
    return { range, evidence };
  }

  /**
   * The one place the span's text is, found through its key line, with at least `minEvidence`; null when
   * the key line was not unique in the old file, or the text is found nowhere or in several places.
   */
  findUnique(probe: SpanProbe, minEvidence: number): OffsetRange | null {
    const anchor = probe.anchor;
    if (!anchor.keyLineUnique) return null;
    this.buildIndex();
    const found: { range: OffsetRange; evidence: number }[] = [];
    let candidates = 0;
    for (let line = this.firstWithKey!.get(anchor.keyLineKey, -1); line >= 0; line = this.nextWithKey![line]!) {
      if (++candidates > MAX_KEY_CANDIDATES) return null;
      const placed = this.placeAt(probe, line - anchor.keyLine);
      if (placed) found.push(placed);
    }
    return found.length === 1 && found[0]!.evidence >= minEvidence ? found[0]!.range : null;
  }

  private keyOf(line: number): number | undefined {
    return line >= 0 && line < this.lines.count ? this.lines.keys()[line] : undefined;
  }

  /** Lines by key, as chains (first line per key, next line with the same key): no array per key. */
  private buildIndex(): void {
    if (this.firstWithKey) return;
    const keys = this.lines.keys();
    this.firstWithKey = new NumberTable(keys.length);
    this.nextWithKey = new Int32Array(keys.length).fill(-1);
    for (let line = keys.length - 1; line >= 0; line--) {
      this.nextWithKey[line] = this.firstWithKey.get(keys[line]!, -1);
      this.firstWithKey.set(keys[line]!, line);
    }
  }
}

/** The offsets of the anchor's shape (same columns, same number of lines) starting on `startLine`, if it fits. */
export function rangeOfShape(lines: TextLines, anchor: SpanAnchor, startLine: number): OffsetRange | null {
  const start = lines.offsetAt({ line: startLine, character: anchor.start.character });
  const end = lines.offsetAt({ line: startLine + anchor.end.line - anchor.start.line, character: anchor.end.character });
  return start === null || end === null || end <= start ? null : { start, end };
}
