/**
 * Reading transcript files safely: a binary file is refused with a clear error (never parsed as text), a
 * JSONL file yields one record per line with a warning for each line that cannot be used, and the line
 * an agent is still writing (no line break yet, not valid JSON yet) is skipped, not an error.
 */
import { MAX_RECORD_LINE_CHARS } from '../../model/validateJsonl';
import type { TranscriptWarning } from '../types';

/** Lines longer than this are skipped unparsed: no transcript record worth reading is that large. */
export const MAX_TRANSCRIPT_LINE_CHARS = MAX_RECORD_LINE_CHARS;

export class BinaryTranscriptError extends Error {
  constructor(readonly path: string) {
    super(`${path} is a binary file (it contains NUL bytes), not a text transcript`);
    this.name = 'BinaryTranscriptError';
  }
}

/** The text of a transcript given as text or bytes (UTF-8). Throws BinaryTranscriptError for binary content. */
export function transcriptText(input: string | Uint8Array, path: string): string {
  if (typeof input === 'string') {
    if (input.includes('\u0000')) throw new BinaryTranscriptError(path);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.indexOf(0) >= 0) throw new BinaryTranscriptError(path);
  const text = new TextDecoder('utf-8').decode(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface JsonlRecord {
  /** 1-based line number. */
  line: number;
  value: unknown;
}

export interface JsonlRead {
  records: JsonlRecord[];
  warnings: TranscriptWarning[];
}

/** Every JSON line of a JSONL text. Blank lines are ignored; bad lines are skipped with a warning naming them. */
export function readJsonlRecords(text: string): JsonlRead {
  const records: JsonlRecord[] = [];
  const warnings: TranscriptWarning[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    if (raw.length > MAX_TRANSCRIPT_LINE_CHARS) {
      warnings.push({ line, message: `line ${line} is ${raw.length} characters, over the ${MAX_TRANSCRIPT_LINE_CHARS} limit: skipped` });
      continue;
    }
    try {
      records.push({ line, value: JSON.parse(raw) });
    } catch {
      // The parser's message would quote the line (code, prompts): name the line only.
      const isLast = nl < 0;
      warnings.push({ line, message: isLast ? 'incomplete last line, skipped' : `line ${line} is not valid JSON: skipped` });
    }
  }
  return { records, warnings };
}

/** The last path segment without its extension (transcript files are named after their conversation). */
export function baseNameWithoutExtension(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The path's directory segments, last first. */
export function parentSegments(path: string): string[] {
  return path.split(/[\\/]/).slice(0, -1).reverse();
}

/** A time for transcripts without timestamps, with the warning that says so. */
export function fallbackTimeOf(fallbackTime: string | undefined, warnings: TranscriptWarning[]): string {
  if (fallbackTime) return fallbackTime;
  warnings.push({ message: 'the transcript has no timestamps and no fallback time was given: records are dated now' });
  return new Date().toISOString();
}
