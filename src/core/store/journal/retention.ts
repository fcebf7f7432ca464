/**
 * Retention: removing entries older than N days, in a way verification accepts.
 *
 * Holding the journal lock: (1) find the longest prefix of the chain appended before the cutoff;
 * (2) append a prune entry naming it (count, seq range, hash of its last entry) and fdatasync it;
 * (3) delete the segments that lie wholly in the prefix and, in the segment where the prefix ends,
 * overwrite the pruned lines with spaces (written to a temp file, fsynced, renamed over). Offsets of
 * the kept lines never move, so index locations held by other processes stay valid.
 *
 * Age is the append time (`at`), which grows along the chain, so "older than the cutoff" is a prefix.
 * If the process dies between (2) and (3), the chain is still valid (nothing was removed yet) and the
 * next prune removes the leftovers, which are older than its cutoff too. Quarantined copies of damaged
 * lines older than the cutoff are deleted as well: retention covers every copy of the data.
 */
import * as path from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { nodeStoreFs, type StoreFs, writeFully } from '../storeFs';
import type { StoreLayout } from '../storeHome';
import { listSegments } from './chainHead';
import type { ExclusiveSession } from './journalWriter';
import { segmentName } from './segments';

const DAY_MS = 86_400_000;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const YIELD_BYTES = 4 * 1024 * 1024;

export interface PruneOptions {
  olderThanDays: number;
  now?: Date;
}

export interface PruneResult {
  /** Entries removed from the chain (0: nothing was old enough, and nothing was written). */
  removed: number;
  fromSeq: number | null;
  toSeq: number | null;
  /** Seq of the prune entry that records the removal. */
  pruneSeq: number | null;
  cutoff: string;
  segmentsDeleted: number;
  segmentsRewritten: number;
  quarantineFilesDeleted: number;
}

interface Facts {
  at: number;
  seq: number;
  hash: string;
}

/** at, hash and seq straight from a canonical line, without parsing the record. */
const CANONICAL_LINE = /^\{"at":"([^"\\]+)","hash":"([0-9a-f]{64})","op":"(?:put|prune)",.*"seq":(\d+)\}$/;

function factsOf(text: string): Facts | null {
  const m = CANONICAL_LINE.exec(text);
  if (!m) return null;
  const at = Date.parse(m[1]!);
  return Number.isNaN(at) ? null : { at, hash: m[2]!, seq: Number(m[3]) };
}

export async function pruneJournal(session: ExclusiveSession, layout: StoreLayout, options: PruneOptions, fs: StoreFs = nodeStoreFs): Promise<PruneResult> {
  if (!(options.olderThanDays >= 0)) throw new RangeError('olderThanDays must be a number of days, 0 or more');
  const cutoffMs = (options.now ?? new Date()).getTime() - options.olderThanDays * DAY_MS;
  const cutoff = new Date(cutoffMs).toISOString();
  const result: PruneResult = { removed: 0, fromSeq: null, toSeq: null, pruneSeq: null, cutoff, segmentsDeleted: 0, segmentsRewritten: 0, quarantineFilesDeleted: 0 };

  const segments = await listSegments(fs, layout.journalDir);
  const whollyOld: number[] = [];
  type Boundary = { segment: number; offset: number; atEnd: boolean };
  // Set inside the scan callback; boxed so the type checker does not assume it stays null.
  const found: { boundary: Boundary | null } = { boundary: null };
  let lastHash = '';
  for (const segment of segments) {
    const stop = await scanLines(fs, segmentPath(layout, segment), (text, offset) => {
      const facts = factsOf(text);
      if (!facts) return true; // a damaged line inside the old prefix goes with it
      if (facts.at >= cutoffMs) {
        found.boundary = { segment, offset, atEnd: false };
        return false;
      }
      result.removed++;
      result.fromSeq ??= facts.seq;
      result.toSeq = facts.seq;
      lastHash = facts.hash;
      return true;
    });
    if (found.boundary) break;
    if (segment === segments.at(-1)) found.boundary = { segment, offset: stop, atEnd: true };
    else whollyOld.push(segment);
  }
  const cut = found.boundary;
  if (result.removed > 0 && cut) {
    const entry = await session.appendPrune({
      olderThanDays: options.olderThanDays,
      cutoff,
      removed: { count: result.removed, fromSeq: result.fromSeq!, toSeq: result.toSeq!, lastHash },
    });
    result.pruneSeq = entry.seq;
    // The prune entry may have started a new segment; then the old newest one is wholly pruned too.
    if (cut.atEnd && entry.segment !== cut.segment) whollyOld.push(cut.segment);
    else if (cut.offset > 0) {
      await blankPrefix(fs, segmentPath(layout, cut.segment), cut.offset);
      result.segmentsRewritten++;
    }
    for (const segment of whollyOld) {
      await fs.unlink(segmentPath(layout, segment));
      result.segmentsDeleted++;
    }
    await fs.syncDir(layout.journalDir);
    session.invalidate();
  }
  result.quarantineFilesDeleted = await pruneQuarantine(fs, layout, cutoffMs);
  return result;
}

/** Calls `onLine(text, offset)` for each complete line until it returns false; returns the offset reached. */
async function scanLines(fs: StoreFs, file: string, onLine: (text: string, offset: number) => boolean): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    let buffer = Buffer.alloc(Math.min(4 * 1024 * 1024, Math.max(1, size)));
    let base = 0; // file offset of buffer[0]
    let filled = 0;
    while (base + filled < size) {
      if (filled === buffer.length) {
        const bigger = Buffer.alloc(buffer.length * 2);
        buffer.copy(bigger);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, Math.min(buffer.length - filled, size - base - filled), base + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      let from = 0;
      for (let nl = buffer.indexOf(NEWLINE, from); nl !== -1 && nl < filled; nl = buffer.indexOf(NEWLINE, from)) {
        if (buffer[from] !== SPACE && nl > from && !onLine(buffer.toString('utf8', from, nl), base + from)) return base + from;
        from = nl + 1;
      }
      buffer.copy(buffer, 0, from, filled);
      base += from;
      filled -= from;
    }
    return base;
  } finally {
    await handle.close();
  }
}

/**
 * Overwrites bytes [0, end) with spaces, keeping newlines (so offsets and line numbers stay), atomically.
 * Native fills between newlines, yielding every few MB: this runs on the caller's thread.
 */
async function blankPrefix(fs: StoreFs, file: string, end: number): Promise<void> {
  const bytes = await fs.readFile(file);
  let yieldAt = YIELD_BYTES;
  for (let from = 0; from < end; ) {
    const nl = bytes.indexOf(NEWLINE, from);
    const to = nl === -1 || nl > end ? end : nl;
    bytes.fill(SPACE, from, to);
    from = to + 1;
    if (from > yieldAt) {
      yieldAt += YIELD_BYTES;
      await nextMacrotask();
    }
  }
  const temp = `${file}.prune-${process.pid}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await writeFully(handle, bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
}

async function pruneQuarantine(fs: StoreFs, layout: StoreLayout, cutoffMs: number): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(layout.quarantineDir);
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    const file = path.join(layout.quarantineDir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && stat.mtimeMs < cutoffMs) {
      await fs.unlink(file).catch(() => undefined);
      deleted++;
    }
  }
  return deleted;
}

function segmentPath(layout: StoreLayout, segment: number): string {
  return path.join(layout.journalDir, segmentName(segment));
}

