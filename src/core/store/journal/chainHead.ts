/**
 * Finding the head of the chain (last seq and hash, newest segment and its size) before an append,
 * under the journal lock. This is also where a crash is cleaned up: bytes after the last newline of the
 * newest segment are a write that was interrupted before its fsync, so it was never acknowledged; they
 * are copied to the quarantine directory, reported, and cut off, so the next entry starts on a clean line.
 */
import * as path from 'node:path';
import { type ChainEntry, GENESIS_HASH, parseEntryLine } from '../../chain/chainEntry';
import type { ProblemSink } from '../storeErrors';
import { nodeStoreFs, type StoreFileHandle, type StoreFs, writeFully } from '../storeFs';
import type { StoreLayout } from '../storeHome';
import { segmentName, segmentsIn } from './segments';

export interface ChainHead {
  seq: number;
  hash: string;
  /** Newest segment number; 0 when the journal is empty. */
  segment: number;
  /** Size of the newest segment: where the next line goes. */
  size: number;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH, segment: 0, size: 0 };

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

export async function listSegments(fs: StoreFs, journalDir: string): Promise<number[]> {
  try {
    return segmentsIn(await fs.readdir(journalDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Reads the head, repairing a torn tail of the newest segment first. Call with the journal lock held. */
export async function readChainHead(layout: StoreLayout, onProblem: ProblemSink, fs: StoreFs = nodeStoreFs): Promise<ChainHead> {
  const segments = await listSegments(fs, layout.journalDir);
  const newest = segments.at(-1);
  if (newest === undefined) return EMPTY_HEAD;
  let size = 0;
  let last: ChainEntry | null = null;
  for (let i = segments.length - 1; i >= 0 && last === null; i--) {
    const handle = await fs.open(path.join(layout.journalDir, segmentName(segments[i]!)), i === segments.length - 1 ? 'r+' : 'r');
    try {
      let end = (await handle.stat()).size;
      if (i === segments.length - 1) {
        end = await cutTornTail(handle, end, segments[i]!, layout, onProblem, fs);
        size = end;
      }
      last = await lastEntry(handle, end);
    } finally {
      await handle.close();
    }
  }
  return last ? { seq: last.seq, hash: last.hash, segment: newest, size } : { ...EMPTY_HEAD, segment: newest, size };
}

async function cutTornTail(handle: StoreFileHandle, size: number, segment: number, layout: StoreLayout, onProblem: ProblemSink, fs: StoreFs): Promise<number> {
  if (size === 0 || (await byteAt(handle, size - 1)) === NEWLINE) return size;
  const start = await lineStart(handle, size);
  const torn = Buffer.alloc(size - start);
  await handle.read(torn, 0, torn.length, start);
  const name = segmentName(segment);
  const kept = await quarantine(fs, layout, `${name}-${start}.torn`, torn);
  onProblem({
    kind: 'torn_tail',
    segment: name,
    offset: start,
    message: `${name}: ${torn.length} bytes at offset ${start} are an append interrupted before it was acknowledged; removed${kept ? ' (copied to quarantine/)' : ''}`,
  });
  await handle.truncate(start);
  await handle.datasync();
  return start;
}

/** The last line of [0, end) that parses as an entry; corrupt lines are skipped here (the index reports them). */
async function lastEntry(handle: StoreFileHandle, end: number): Promise<ChainEntry | null> {
  let lineEnd = end;
  while (lineEnd > 0) {
    // [start, lineEnd - 1) is a line; lineEnd - 1 is its newline.
    const start = await lineStart(handle, lineEnd - 1);
    const bytes = Buffer.alloc(lineEnd - 1 - start);
    await handle.read(bytes, 0, bytes.length, start);
    const text = bytes.toString('utf8');
    if (text.trim() !== '') {
      try {
        return parseEntryLine(text);
      } catch {
        // a damaged line: keep looking backwards
      }
    }
    lineEnd = start;
  }
  return null;
}

/** Offset just after the last newline before `end` (0 when there is none). */
async function lineStart(handle: StoreFileHandle, end: number): Promise<number> {
  const chunk = Buffer.alloc(CHUNK);
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, pos - from, from);
    const nl = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (nl >= 0) return from + nl + 1;
    pos = from;
  }
  return 0;
}

async function byteAt(handle: StoreFileHandle, offset: number): Promise<number> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, offset);
  return one[0]!;
}

/** Keeps a copy of bytes that could not be used, for a human. Never throws: losing the copy must not block writes. */
export async function quarantine(fs: StoreFs, layout: StoreLayout, name: string, bytes: Uint8Array): Promise<boolean> {
  try {
    await fs.mkdir(layout.quarantineDir, { recursive: true });
    const handle = await fs.open(path.join(layout.quarantineDir, name), 'w');
    try {
      await writeFully(handle, bytes);
    } finally {
      await handle.close();
    }
    return true;
  } catch {
    return false;
  }
}
