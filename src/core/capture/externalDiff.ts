/**
 * What an external write (an agent or tool writing the file on disk) changed, as a bounded line diff
 * against the last known text. jsdiff gives up after `timeoutMs` (a pathological diff can take seconds):
 * then the whole file counts as one replaced block, so nothing is dropped, only coarser.
 */
import { diffLines } from 'diff';

export interface ExternalHunk {
  /** 0-based line where the change starts in the NEW text, and the lines it spans there. */
  startLine: number;
  newLineCount: number;
  removedLineCount: number;
  insertedText: string;
  removedText: string;
}

export function externalHunks(oldText: string, newText: string, timeoutMs = 50): { hunks: ExternalHunk[]; timedOut: boolean } {
  if (oldText === newText) return { hunks: [], timedOut: false };
  const parts = diffLines(oldText, newText, { timeout: timeoutMs });
  if (!parts) {
    return {
      hunks: [{ startLine: 0, newLineCount: countLines(newText), removedLineCount: countLines(oldText), insertedText: newText, removedText: oldText }],
      timedOut: true,
    };
  }
  const hunks: ExternalHunk[] = [];
  let line = 0;
  let current: ExternalHunk | undefined;
  for (const part of parts) {
    const n = part.count ?? countLines(part.value);
    if (!part.added && !part.removed) {
      if (current) hunks.push(current);
      current = undefined;
      line += n;
      continue;
    }
    current ??= { startLine: line, newLineCount: 0, removedLineCount: 0, insertedText: '', removedText: '' };
    if (part.added) {
      current.insertedText += part.value;
      current.newLineCount += n;
      line += n;
    } else {
      current.removedText += part.value;
      current.removedLineCount += n;
    }
  }
  if (current) hunks.push(current);
  return { hunks, timedOut: false };
}

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.endsWith('\n') ? n - 1 : n;
}
