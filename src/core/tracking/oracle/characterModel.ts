/**
 * Ground truth for the tracking tests and benchmark (the extension never uses it): the document as a
 * string plus one origin per character, transformed character by character with the same rules as
 * AttributionTracker (see its header). Deliberately naive, O(n) per change, so it is plainly right.
 */
import type { AiLine, AiSpan, ChangeOrigin, TextChange } from '../attributionTracker';
import { LineTally } from '../lineAttribution';

export interface CharOrigin {
  readonly recordId: string;
  readonly modified: boolean;
}

export class CharacterModel {
  text: string;
  /** One entry per character of `text`: null for human, else the AI record and its modified flag. */
  origins: (CharOrigin | null)[];

  constructor(text = '') {
    this.text = text;
    this.origins = new Array<CharOrigin | null>(text.length).fill(null);
  }

  apply(change: TextChange, origin: ChangeOrigin): void {
    const { offset, length, text } = change;
    if (offset < 0 || length < 0 || offset + length > this.text.length) throw new RangeError('change outside the document');
    if (length === 0 && text.length === 0) return;
    const end = offset + length;
    const touchesAi = origin === 'human' && this.touchesAi(offset, end);
    const inserted: CharOrigin | null = origin === 'human' ? null : { recordId: origin.ai, modified: false };
    this.text = this.text.slice(0, offset) + text + this.text.slice(end);
    this.origins = this.origins.slice(0, offset).concat(new Array<CharOrigin | null>(text.length).fill(inserted), this.origins.slice(end));
    if (touchesAi) {
      const from = offset === 0 ? 0 : this.text.lastIndexOf('\n', offset - 1) + 1; // lastIndexOf(x, -1) still looks at index 0
      const breakAfter = this.text.indexOf('\n', offset + text.length);
      const to = breakAfter < 0 ? this.text.length : breakAfter + 1;
      for (let i = from; i < to; i++) {
        const o = this.origins[i];
        if (o && !o.modified) this.origins[i] = { recordId: o.recordId, modified: true };
      }
    }
  }

  /** Sequentially, like AttributionTracker.applyChanges. */
  applyAll(changes: readonly TextChange[], origin: ChangeOrigin): void {
    for (const change of changes) this.apply(change, origin);
  }

  /** Maximal runs of characters with the same AI record and modified flag. */
  spans(): AiSpan[] {
    const out: AiSpan[] = [];
    for (let i = 0; i < this.origins.length; i++) {
      const o = this.origins[i];
      if (!o) continue;
      const last = out[out.length - 1];
      if (last && last.end === i && last.recordId === o.recordId && last.modified === o.modified) last.end++;
      else out.push({ start: i, end: i + 1, recordId: o.recordId, modified: o.modified });
    }
    return out;
  }

  lineStarts(): number[] {
    const starts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }

  /** A line's content without its line break (what VS Code's lineAt(line).text returns). */
  lineContent(line: number): string {
    const starts = this.lineStarts();
    return contentOf(this.text, starts[line]!, line + 1 < starts.length ? starts[line + 1]! : this.text.length);
  }

  /** Every line's content, for handing to AttributionTracker.classifyLines. */
  lineContents(): string[] {
    const starts = this.lineStarts();
    return starts.map((s, i) => contentOf(this.text, s, i + 1 < starts.length ? starts[i + 1]! : this.text.length));
  }

  /** The AI lines, character by character, by the shared definition in lineAttribution.ts. */
  aiLines(): AiLine[] {
    const starts = this.lineStarts();
    const tally = new LineTally();
    const out: AiLine[] = [];
    starts.forEach((start, line) => {
      const end = line + 1 < starts.length ? starts[line + 1]! : this.text.length;
      const content = contentOf(this.text, start, end);
      tally.reset();
      for (let i = start; i < end; i++) {
        const o = this.origins[i];
        tally.add(content, i - start, i - start + 1, o ? o.recordId : null, o ? o.modified : false);
      }
      const verdict = tally.verdict();
      if (verdict) out.push({ line, ...verdict });
    });
    return out;
  }

  private touchesAi(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.origins[i]) return true;
    return start > 0 && end < this.text.length && this.origins[start - 1] !== null && this.origins[end] !== null;
  }
}

function contentOf(text: string, start: number, end: number): string {
  let contentEnd = end;
  if (contentEnd > start && text.charCodeAt(contentEnd - 1) === 10) contentEnd--;
  if (contentEnd > start && text.charCodeAt(contentEnd - 1) === 13 && contentEnd < end) contentEnd--;
  return text.slice(start, contentEnd);
}
