/**
 * Changes as blocks of whole lines: where removed lines were in the old file and where added lines are in
 * the new one. Agents describe changes as jsdiff-like hunks (Claude Code's structuredPatch, Cursor's diff
 * chunks, unified diffs) or as before/after texts; both become blocks, and each block becomes one edit,
 * so unchanged context lines are never attributed to the agent.
 */
import { diffArrays } from 'diff';

export interface ChangeBlock {
  /** 0-based first removed line in the old file (where the insertion happens when nothing is removed). */
  oldStart: number;
  /** 0-based first added line in the new file. */
  newStart: number;
  removedLines: number;
  addedLines: number;
  /** The removed and added lines with their line breaks ('' when none). */
  removedText: string;
  addedText: string;
}

/** A jsdiff-style hunk: 1-based starts, lines prefixed ' ', '-', '+' or '\' (no newline at end of file). */
export interface HunkLike {
  oldStart: number;
  oldLines?: number;
  newStart: number;
  newLines?: number;
  lines: readonly string[];
}

export class HunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HunkError';
  }
}

/** Lines of a text, each with its line break; a last line without one stays without. */
export function splitLinesKeepEnds(text: string): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) out.push(text.slice(start));
      return out;
    }
    out.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
}

/** How many lines a text occupies (a trailing line break does not start another line). */
export function lineCount(text: string): number {
  return splitLinesKeepEnds(text).length;
}

/** Blocks of the changed lines in hunks. Throws HunkError for a hunk whose line prefixes are not diff lines. */
export function blocksFromHunks(hunks: readonly HunkLike[]): ChangeBlock[] {
  const blocks: ChangeBlock[] = [];
  for (const [h, hunk] of hunks.entries()) {
    let oldLine = Math.max(0, hunk.oldStart - 1);
    let newLine = Math.max(0, hunk.newStart - 1);
    let current: ChangeBlock | undefined;
    let lastSide: 'old' | 'new' | 'both' | undefined;
    const close = () => {
      if (current) blocks.push(current);
      current = undefined;
    };
    for (const raw of hunk.lines) {
      const prefix = raw.charAt(0);
      const body = raw.slice(1);
      if (prefix === '\\') {
        // "\ No newline at end of file": the previous line has no line break.
        if (current && lastSide === 'new') current.addedText = current.addedText.replace(/\n$/, '');
        if (current && lastSide === 'old') current.removedText = current.removedText.replace(/\n$/, '');
        continue;
      }
      if (prefix === ' ' || (raw === '' && prefix === '')) {
        close();
        oldLine++;
        newLine++;
        lastSide = 'both';
        continue;
      }
      if (prefix !== '-' && prefix !== '+') throw new HunkError(`hunk ${h + 1} has a line that is not context, removal or addition`);
      current ??= { oldStart: oldLine, newStart: newLine, removedLines: 0, addedLines: 0, removedText: '', addedText: '' };
      if (prefix === '-') {
        current.removedLines++;
        current.removedText += body + '\n';
        oldLine++;
        lastSide = 'old';
      } else {
        current.addedLines++;
        current.addedText += body + '\n';
        newLine++;
        lastSide = 'new';
      }
    }
    close();
  }
  return blocks;
}

/**
 * Blocks between two texts. The common prefix and suffix are cut first (agents change small parts of large
 * files); if jsdiff runs out of time on the middle, the whole middle is one block: coarser, never wrong.
 */
export function blocksFromTexts(oldText: string, newText: string, timeoutMs = 200): ChangeBlock[] {
  if (oldText === newText) return [];
  const a = splitLinesKeepEnds(oldText);
  const b = splitLinesKeepEnds(newText);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const whole = (): ChangeBlock[] => [
    { oldStart: prefix, newStart: prefix, removedLines: midA.length, addedLines: midB.length, removedText: midA.join(''), addedText: midB.join('') },
  ];
  if (midA.length === 0 || midB.length === 0) return whole();
  const parts = diffArrays(midA, midB, { timeout: timeoutMs });
  if (!parts) return whole();
  const blocks: ChangeBlock[] = [];
  let oldLine = prefix;
  let newLine = prefix;
  let current: ChangeBlock | undefined;
  for (const part of parts) {
    const items = part.value as string[];
    if (!part.added && !part.removed) {
      if (current) blocks.push(current);
      current = undefined;
      oldLine += items.length;
      newLine += items.length;
      continue;
    }
    current ??= { oldStart: oldLine, newStart: newLine, removedLines: 0, addedLines: 0, removedText: '', addedText: '' };
    if (part.added) {
      current.addedLines += items.length;
      current.addedText += items.join('');
      newLine += items.length;
    } else {
      current.removedLines += items.length;
      current.removedText += items.join('');
      oldLine += items.length;
    }
  }
  if (current) blocks.push(current);
  return blocks;
}

/**
 * The lines of `fileText` where `text` occurs, when it occurs exactly once: lets a caller that can read the
 * file after an edit (a hook process) place an edit whose payload carries no position.
 */
export function rangeOfTextInFile(fileText: string, text: string): { startLine: number; endLine: number } | undefined {
  if (text === '') return undefined;
  const at = fileText.indexOf(text);
  if (at < 0 || fileText.indexOf(text, at + 1) >= 0) return undefined;
  let startLine = 0;
  for (let i = 0; i < at; i++) if (fileText.charCodeAt(i) === 10) startLine++;
  let breaks = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) breaks++;
  // A text ending with a line break does not reach into the next line.
  const endLine = startLine + breaks + (text.endsWith('\n') ? 0 : 1);
  return { startLine, endLine };
}
