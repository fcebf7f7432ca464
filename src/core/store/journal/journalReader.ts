/**
 * Reading journal lines in order from a position, synchronously (the index worker and one-shot CLI
 * commands are the callers; the editor's thread never reads here).
 *
 * An incomplete last line of the newest segment is NOT an error here: it may be an append another
 * process is making right now. The reader stops before it and reports it as the tail; only a writer,
 * holding the lock, may decide it is torn (chainHead.ts). An incomplete line at the end of an older
 * segment can only be a crash remnant, so it is handed out marked `unterminated` for the caller to report.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { listSegmentsSync, segmentName } from './segments';

/** The next byte to read: segment number, byte offset in it, and how many lines of it were read. */
export interface JournalPosition {
  segment: number;
  offset: number;
  line: number;
}

export const START_POSITION: JournalPosition = { segment: 0, offset: 0, line: 0 };

export interface JournalLine {
  /** The line without its newline. */
  text: string;
  segment: number;
  offset: number;
  /** Bytes, without the newline. */
  length: number;
  /** 1-based line number in its segment. */
  line: number;
  /** True for bytes at the end of an older segment with no newline (a crash remnant). */
  unterminated: boolean;
}

export interface JournalReadResult {
  /** Where to continue next time. */
  position: JournalPosition;
  /** Non-blank lines handed out. */
  lines: number;
  /** Bytes left unread at the end of the newest segment because their line is not complete yet. */
  pendingTailBytes: number;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

export interface ReadJournalOptions {
  chunkBytes?: number;
}

/** Reads every complete line after `from`, in order, calling `onLine` for each non-blank one. */
export function readJournal(
  journalDir: string,
  from: JournalPosition,
  onLine: (line: JournalLine) => void,
  options: ReadJournalOptions = {},
): JournalReadResult {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const segments = listSegmentsSync(journalDir).filter((n) => n >= from.segment);
  let position = from;
  let lines = 0;
  let pendingTailBytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const isNewest = i === segments.length - 1;
    const start = segment === from.segment ? from : { segment, offset: 0, line: 0 };
    const result = readSegment(path.join(journalDir, segmentName(segment)), start, isNewest, chunkBytes, onLine);
    if (result === null) continue; // removed by a prune meanwhile
    position = result.position;
    lines += result.lines;
    pendingTailBytes = result.pendingTailBytes;
  }
  return { position, lines, pendingTailBytes };
}

function readSegment(
  file: string,
  start: JournalPosition,
  isNewest: boolean,
  chunkBytes: number,
  onLine: (line: JournalLine) => void,
): JournalReadResult | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    let offset = start.offset; // start of the first unconsumed line
    let line = start.line;
    let lines = 0;
    let buffer: Buffer = Buffer.alloc(Math.min(chunkBytes, Math.max(1, size - offset)));
    let filled = 0; // bytes of `buffer` holding data from `offset`
    while (offset + filled < size) {
      if (filled === buffer.length) buffer = grow(buffer); // a line longer than the buffer
      const n = readSync(fd, buffer, filled, Math.min(buffer.length - filled, size - offset - filled), offset + filled);
      if (n === 0) break;
      filled += n;
      let from = 0;
      for (let nl = buffer.indexOf(NEWLINE, from); nl !== -1 && nl < filled; nl = buffer.indexOf(NEWLINE, from)) {
        line++;
        if (!isBlank(buffer, from, nl)) {
          lines++;
          onLine({ text: buffer.toString('utf8', from, nl), segment: start.segment, offset: offset + from, length: nl - from, line, unterminated: false });
        }
        from = nl + 1;
      }
      // Keep the incomplete rest at the front of the buffer.
      buffer.copy(buffer, 0, from, filled);
      offset += from;
      filled -= from;
    }
    if (filled > 0 && !isNewest) {
      line++;
      lines++;
      onLine({ text: buffer.toString('utf8', 0, filled), segment: start.segment, offset, length: filled, line, unterminated: true });
      offset += filled;
      filled = 0;
    }
    return { position: { segment: start.segment, offset, line }, lines, pendingTailBytes: filled };
  } finally {
    closeSync(fd);
  }
}

function grow(buffer: Buffer): Buffer {
  const bigger = Buffer.alloc(buffer.length * 2);
  buffer.copy(bigger);
  return bigger;
}

/** Pruned entries are overwritten with spaces in place (offsets never move): such lines are skipped. */
function isBlank(buffer: Buffer, from: number, to: number): boolean {
  if (from === to) return true;
  if (buffer[from] !== SPACE) return false;
  for (let i = from + 1; i < to; i++) if (buffer[i] !== SPACE) return false;
  return true;
}

/** Reads exactly one line by its location (an index lookup for a record body). */
export function readLineAt(journalDir: string, segment: number, offset: number, length: number): string | null {
  let fd: number;
  try {
    fd = openSync(path.join(journalDir, segmentName(segment)), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, offset);
    return n === length ? buffer.toString('utf8') : null;
  } finally {
    closeSync(fd);
  }
}
