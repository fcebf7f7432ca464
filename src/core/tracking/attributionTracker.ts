/**
 * The AI attribution of one open document, followed through every change.
 *
 * Model: every character has an origin, human or an AI record (plus a "modified" flag, see below).
 * Origins are stored as runs in character offsets, and line starts in a line index; both are
 * sequences of lengths with Fenwick-indexed chunks, so a keystroke costs O(log n) whatever the number
 * of AI spans, and a change costs O(log n + runs and lines it crosses). Nothing here reads the
 * document: changes carry their text, and classifying a line that mixes origins asks the caller for
 * that line's text (the editor has it; keeping a copy would cost O(n) per keystroke).
 *
 * Semantics of a change (offset, length, text) with an origin:
 * - characters after it shift; the deleted characters and their origins are gone (so deleting all
 *   of an AI span's text deletes the span); the inserted characters get the change's origin (an AI
 *   insertion adds a span; a human edit inside an AI span splits or shrinks it);
 * - a HUMAN change touches AI text when it deletes an AI character, or when the characters on both
 *   sides of it (before the change) are AI. Then every AI character on the lines the change's result
 *   spans (the lines holding offset .. offset + text.length, ends included) is flagged modified. AI
 *   changes never flag: an agent editing its own or another agent's code keeps the lines AI.
 * Lines are then classified by lineAttribution.ts.
 */
import { LineIndex } from './lineIndex';
import { LineTally } from './lineAttribution';
import { HUMAN_TAG, OriginTable } from './originTable';
import { OriginRuns } from './originRuns';

/** Who made a change: a human (or anything not vouched for), or the AI edit record with this id. */
export type ChangeOrigin = 'human' | { readonly ai: string };

/** One replacement, as in VS Code's TextDocumentContentChangeEvent: rangeOffset, rangeLength, text. */
export interface TextChange {
  readonly offset: number;
  readonly length: number;
  readonly text: string;
}

/** A maximal stretch of characters [start, end) from one AI record with one modified flag. */
export interface AiSpan {
  start: number;
  end: number;
  recordId: string;
  modified: boolean;
}

/** An AI line (see lineAttribution.ts), 0-based. */
export interface AiLine {
  line: number;
  recordId: string;
  modified: boolean;
}

export class AttributionTracker {
  private readonly origins = new OriginTable();
  private readonly runs: OriginRuns;
  private readonly lines: LineIndex;
  private readonly tally = new LineTally();
  private readonly toModified = (tag: number) => this.origins.modifiedTagOf(tag);

  private constructor(text: string, spans: readonly AiSpan[]) {
    this.lines = new LineIndex(text);
    const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
    this.runs = new OriginRuns(
      text.length,
      sorted.map((s) => ({ start: s.start, end: s.end, tag: this.origins.tagOf(s.recordId, s.modified) })),
    );
  }

  /** A tracker for a document with this text, human-written except for `spans` (which must not overlap). */
  static fromText(text: string, spans: readonly AiSpan[] = []): AttributionTracker {
    return new AttributionTracker(text, spans);
  }

  get length(): number {
    return this.lines.length;
  }

  get lineCount(): number {
    return this.lines.lineCount;
  }

  lineAt(offset: number): number {
    return this.lines.lineAt(offset);
  }

  /** Where `line` starts (the document length for line === lineCount). */
  offsetAt(line: number): number {
    return this.lines.offsetAt(line);
  }

  applyChange(change: TextChange, origin: ChangeOrigin): void {
    checkChange(change, this.length);
    this.apply(change, origin);
  }

  /**
   * Applies the changes of one document event in the order given, each relative to the document as the
   * previous ones left it. That is how VS Code's extension host applies contentChanges to its own copy;
   * it sends them sorted by descending offset, so this equals "all relative to the pre-event document".
   * All changes are checked before any is applied, so a bad event leaves the tracker untouched.
   */
  applyChanges(changes: readonly TextChange[], origin: ChangeOrigin): void {
    let length = this.length;
    for (const change of changes) {
      checkChange(change, length);
      length += change.text.length - change.length;
    }
    for (const change of changes) this.apply(change, origin);
  }

  /** Sets the origin of [start, end) without changing text (e.g. when an edit is classified as AI later). */
  setOrigin(start: number, end: number, origin: ChangeOrigin, modified = false): void {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= this.length)) {
      throw new RangeError(`range [${start}, ${end}) is outside the document (length ${this.length})`);
    }
    const tag = origin === 'human' ? HUMAN_TAG : this.origins.tagOf(origin.ai, modified);
    this.runs.retag(start, end, () => tag);
  }

  /** The AI spans in document order (maximal: neighbours differ in record or modified flag). */
  spans(start = 0, end = this.length): AiSpan[] {
    return this.runs
      .runsIn(start, end)
      .filter((r) => r.tag !== HUMAN_TAG)
      .map((r) => ({ start: r.start, end: r.end, recordId: this.origins.recordIdOf(r.tag), modified: this.origins.isModified(r.tag) }));
  }

  /**
   * The AI lines among lines [fromLine, toLine). `lineText(line)` must return the line's content without
   * its line break (VS Code: document.lineAt(line).text); it is only called for lines that mix origins.
   */
  classifyLines(fromLine: number, toLine: number, lineText: (line: number) => string): AiLine[] {
    const from = Math.max(0, fromLine);
    const to = Math.min(this.lineCount, toLine);
    if (from >= to) return [];
    const starts = this.lines.lineStarts(from, to);
    const runs = this.runs.runsIn(starts[0]!, starts[to - from]!);
    const out: AiLine[] = [];
    let r = 0;
    for (let k = 0; k < to - from; k++) {
      const lineStart = starts[k]!;
      const lineEnd = starts[k + 1]!;
      if (lineEnd === lineStart) continue; // the empty last line
      while (runs[r]!.end <= lineStart) r++;
      const run = runs[r]!;
      if (run.end >= lineEnd) {
        // The whole line has one origin: no need for its text.
        if (run.tag !== HUMAN_TAG) out.push({ line: from + k, recordId: this.origins.recordIdOf(run.tag), modified: this.origins.isModified(run.tag) });
        continue;
      }
      const content = lineText(from + k);
      const tally = this.tally;
      tally.reset();
      for (let q = r; q < runs.length && runs[q]!.start < lineEnd; q++) {
        const piece = runs[q]!;
        const human = piece.tag === HUMAN_TAG;
        tally.add(
          content,
          Math.max(piece.start, lineStart) - lineStart,
          Math.min(piece.end, lineEnd) - lineStart,
          human ? null : this.origins.recordIdOf(piece.tag),
          !human && this.origins.isModified(piece.tag),
        );
      }
      const verdict = tally.verdict();
      if (verdict) out.push({ line: from + k, ...verdict });
    }
    return out;
  }

  private apply(change: TextChange, origin: ChangeOrigin): void {
    const { offset, length, text } = change;
    if (length === 0 && text.length === 0) return;
    const end = offset + length;
    const touchesAi = origin === 'human' && this.runs.changeTouchesNonHuman(offset, end);
    const tag = origin === 'human' ? HUMAN_TAG : this.origins.tagOf(origin.ai, false);
    this.runs.replace(offset, length, text.length, tag);
    this.lines.applyChange(offset, length, text);
    if (touchesAi) this.flagLines(offset, offset + text.length);
  }

  /** Flags as modified every AI character on the lines holding offsets from..to. */
  private flagLines(from: number, to: number): void {
    this.runs.retag(this.lines.lineStartOf(from), this.lines.lineEndOf(to), this.toModified);
  }
}

function checkChange(change: TextChange, documentLength: number): void {
  const { offset, length } = change;
  if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= documentLength)) {
    throw new RangeError(`change at ${offset} (length ${length}) is outside the document (length ${documentLength}): the tracker is out of sync`);
  }
}
