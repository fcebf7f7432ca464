/**
 * THE definition of an AI line, shared by the tracker and by the ground-truth model in the tests.
 *
 * A line's characters are its content plus its line break. Whitespace is what JavaScript's `\s`
 * matches (indentation, line breaks, Unicode spaces).
 * - A line with non-whitespace characters is an AI line when MORE THAN HALF of those characters came
 *   from AI. Whitespace does not count: auto-indentation and the Enter a human typed before accepting
 *   a completion do not make the completion's line human, and re-indenting AI code does not either.
 * - A line with only whitespace (a blank line) is an AI line when it has at least one character and
 *   every character on it came from AI (blank lines inside an AI block keep the bar continuous).
 * - An AI line is MODIFIED when it holds a non-whitespace character a human typed, or any AI character
 *   on it was marked modified (a human edit touched it; see AttributionTracker.applyChange).
 * - Its record is the AI record with the most non-whitespace characters on the line (for a blank line:
 *   the most characters); a tie goes to the record whose characters come first.
 */
export interface LineVerdict {
  recordId: string;
  modified: boolean;
}

/** Whether a UTF-16 code unit is whitespace, exactly as `/\s/` decides. */
export function isWhitespaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Counts one line's characters by origin; `verdict()` applies the definition above. */
export class LineTally {
  private chars = 0;
  private aiChars = 0;
  private humanNonWs = 0;
  private aiNonWs = 0;
  private anyModified = false;
  private readonly records: string[] = [];
  private readonly recordNonWs: number[] = [];
  private readonly recordChars: number[] = [];

  reset(): void {
    this.chars = this.aiChars = this.humanNonWs = this.aiNonWs = 0;
    this.anyModified = false;
    this.records.length = this.recordNonWs.length = this.recordChars.length = 0;
  }

  /**
   * Adds the characters at columns [from, to) of a line whose content (without its line break) is
   * `content`; columns at or past content.length are the line break. `recordId` null means human.
   */
  add(content: string, from: number, to: number, recordId: string | null, modified: boolean): void {
    let nonWs = 0;
    const contentEnd = Math.min(to, content.length);
    for (let i = from; i < contentEnd; i++) if (!isWhitespaceCode(content.charCodeAt(i))) nonWs++;
    const count = to - from;
    this.chars += count;
    if (recordId === null) {
      this.humanNonWs += nonWs;
      return;
    }
    this.aiChars += count;
    this.aiNonWs += nonWs;
    if (modified) this.anyModified = true;
    let r = this.records.indexOf(recordId);
    if (r < 0) {
      r = this.records.push(recordId) - 1;
      this.recordNonWs.push(0);
      this.recordChars.push(0);
    }
    this.recordNonWs[r]! += nonWs;
    this.recordChars[r]! += count;
  }

  /** The line's attribution, or null when it is not an AI line. */
  verdict(): LineVerdict | null {
    const nonWs = this.humanNonWs + this.aiNonWs;
    const isAi = nonWs > 0 ? this.aiNonWs * 2 > nonWs : this.chars > 0 && this.aiChars === this.chars;
    if (!isAi) return null;
    const weights = nonWs > 0 ? this.recordNonWs : this.recordChars;
    let best = 0;
    for (let r = 1; r < weights.length; r++) if (weights[r]! > weights[best]!) best = r;
    return { recordId: this.records[best]!, modified: this.humanNonWs > 0 || this.anyModified };
  }
}
