/**
 * VS Code text edits as chat sessions store them: `{text, range: {startLineNumber, startColumn,
 * endLineNumber, endColumn}}`, 1-based, one batch's ranges all referring to the document before the batch.
 * With the document's text the edits apply exactly (what they replaced, where their text landed); without
 * it their landing lines are still known from the ranges and the line counts of the edits before them.
 */
import { z } from 'zod';
import type { EditPart } from '../editBuilder';
import { fileUriToPath } from '../toRecords';
import type { LineRange } from '../types';

export const VscodeRange = z.looseObject({
  startLineNumber: z.number().int(),
  startColumn: z.number().int(),
  endLineNumber: z.number().int(),
  endColumn: z.number().int(),
});
export const VscodeTextEdit = z.looseObject({ text: z.string(), range: VscodeRange });
export type VscodeTextEdit = z.output<typeof VscodeTextEdit>;

/** The file path of a serialized VS Code URI (`{scheme, path, fsPath}` or a string); undefined for non-file URIs. */
export function vscodeUriPath(uri: unknown): string | undefined {
  if (typeof uri === 'string') return uri.startsWith('file:') ? fileUriToPath(uri) : /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? undefined : uri;
  if (typeof uri !== 'object' || uri === null) return undefined;
  const u = uri as { scheme?: unknown; fsPath?: unknown; path?: unknown; external?: unknown };
  if (u.scheme !== undefined && u.scheme !== 'file') return undefined;
  if (typeof u.fsPath === 'string' && u.fsPath !== '') return u.fsPath;
  if (typeof u.path === 'string' && u.path !== '') return /^\/[A-Za-z]:\//.test(u.path) ? u.path.slice(1) : u.path;
  return typeof u.external === 'string' ? fileUriToPath(u.external) : undefined;
}

/** A stable string for a serialized URI (to key files by). */
export function vscodeUriKey(uri: unknown): string | undefined {
  if (typeof uri === 'string') return uri;
  const p = vscodeUriPath(uri);
  return p === undefined ? undefined : `file://${p}`;
}

function breaksIn(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Lines an inserted text touches from its start line; a deletion touches none. */
function landing(startLine: number, text: string, startsAtLineStart: boolean): LineRange {
  if (text === '') return { startLine, endLine: startLine };
  const breaks = breaksIn(text);
  // Text that ends with a line break and started at a line's start does not reach into the next line.
  const endLine = startLine + breaks + (text.endsWith('\n') && startsAtLineStart ? 0 : 1);
  return { startLine, endLine };
}

function byPosition(a: VscodeTextEdit, b: VscodeTextEdit): number {
  return a.range.startLineNumber - b.range.startLineNumber || a.range.startColumn - b.range.startColumn;
}

/** Parts for one batch whose document text is not known: landing lines from the ranges, replaced text unknown. */
export function placeEditBatch(filePath: string, batch: readonly VscodeTextEdit[]): EditPart[] {
  let shift = 0;
  return [...batch].sort(byPosition).map((e) => {
    const oldStart = Math.max(0, e.range.startLineNumber - 1);
    const oldEnd = Math.max(oldStart, e.range.endLineNumber - (e.range.endColumn === 1 && e.range.endLineNumber > e.range.startLineNumber ? 1 : 0));
    const range = landing(oldStart + shift, e.text, e.range.startColumn === 1);
    shift += breaksIn(e.text) - (e.range.endLineNumber - e.range.startLineNumber);
    return { filePath, newText: e.text, range, rangeBefore: { startLine: oldStart, endLine: oldEnd } };
  });
}

export interface AppliedBatch {
  text: string;
  parts: EditPart[];
}

/** Applies one batch to the document text: exact replaced text and landing lines. */
export function applyEditBatch(filePath: string, before: string, batch: readonly VscodeTextEdit[]): AppliedBatch {
  const lineStarts = [0];
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const offsetOf = (line: number, column: number) => {
    const l = Math.min(Math.max(line, 1), lineStarts.length) - 1;
    const lineEnd = l + 1 < lineStarts.length ? lineStarts[l + 1] - 1 : before.length;
    return Math.min(lineStarts[l] + Math.max(column, 1) - 1, lineEnd);
  };
  const sorted = [...batch].sort(byPosition).map((e) => ({
    e,
    start: offsetOf(e.range.startLineNumber, e.range.startColumn),
    end: Math.max(offsetOf(e.range.startLineNumber, e.range.startColumn), offsetOf(e.range.endLineNumber, e.range.endColumn)),
  }));
  let text = '';
  let from = 0;
  const parts: EditPart[] = [];
  let lineShift = 0;
  for (const { e, start, end } of sorted) {
    if (start < from) continue; // overlapping edits are not valid in one batch: keep the first
    text += before.slice(from, start);
    const oldText = before.slice(start, end);
    const oldStartLine = e.range.startLineNumber - 1;
    const atLineStart = start === 0 || before.charCodeAt(start - 1) === 10;
    parts.push({
      filePath,
      oldText,
      newText: e.text,
      range: landing(oldStartLine + lineShift, e.text, atLineStart),
      rangeBefore: landing(oldStartLine, oldText, atLineStart),
    });
    lineShift += breaksIn(e.text) - breaksIn(oldText);
    text += e.text;
    from = end;
  }
  text += before.slice(from);
  return { text, parts };
}
