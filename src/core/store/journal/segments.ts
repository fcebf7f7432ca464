/**
 * Journal segments: `<home>/journal/000001.jsonl`, `000002.jsonl`, ... Numbered, never renamed; a new
 * one starts when the newest passes the size limit. Offsets inside a segment never move (pruning blanks
 * lines in place), so a location (segment, offset, length) stays valid for as long as its entry exists.
 */
import { readdirSync } from 'node:fs';

const SEGMENT_NAME = /^(\d{6,})\.jsonl$/;

/** Rotate when the newest segment reaches this size (checked before each append). */
export const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

export function segmentName(n: number): string {
  return `${String(n).padStart(6, '0')}.jsonl`;
}

export function segmentNumber(name: string): number | null {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Segment numbers present in a directory listing, ascending. */
export function segmentsIn(names: readonly string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    const n = segmentNumber(name);
    if (n !== null) numbers.push(n);
  }
  return numbers.sort((a, b) => a - b);
}

/** Synchronous listing, for the index worker and one-shot CLI commands. A missing directory is an empty journal. */
export function listSegmentsSync(journalDir: string): number[] {
  try {
    return segmentsIn(readdirSync(journalDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
