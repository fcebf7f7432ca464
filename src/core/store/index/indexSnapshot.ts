/**
 * Snapshots of the index: `<home>/index.snapshot`, one file written atomically (temp file, fsync,
 * rename, fsync of the directory), so a crash leaves either the old snapshot or the new one.
 *
 * Layout: 8 bytes magic `LLINDEX1`, 4 bytes big-endian header length, the header as JSON, then the
 * SQLite database. The header says which journal position the database covers (to replay from), the
 * last entry folded (seq, hash, location: checked against the journal on load) and a SHA-256 of the
 * database bytes. Anything that does not check out makes the snapshot unusable, and the index is
 * rebuilt from the journal, which is the source of truth.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Sha256Hex } from '../../model/schema';

const MAGIC = Buffer.from('LLINDEX1', 'ascii');
const PREFIX_BYTES = MAGIC.length + 4;
const MAX_HEADER_BYTES = 64 * 1024;

const Location = z.object({ segment: z.number().int().positive(), offset: z.number().int().nonnegative(), length: z.number().int().positive() });

export const SnapshotHeader = z.object({
  storeId: z.string(),
  schemaVersion: z.number().int().positive(),
  position: z.object({ segment: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() }),
  lastSeq: z.number().int().nonnegative(),
  lastHash: Sha256Hex,
  /** Where the entry `lastSeq` is in the journal; null when nothing was folded. */
  lastLocation: Location.nullable(),
  dbBytes: z.number().int().nonnegative(),
  dbSha256: Sha256Hex,
  createdAt: z.string(),
});
export type SnapshotHeader = z.infer<typeof SnapshotHeader>;

export type SnapshotRead = { ok: true; header: SnapshotHeader; db: Uint8Array } | { ok: false; reason: string } | null;

/** Reads and checks a snapshot; null when there is none. */
export function readSnapshot(file: string): SnapshotRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, reason: `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const header = parseHeader(bytes);
  if (!('header' in header)) return { ok: false, reason: header.reason };
  const db = bytes.subarray(header.end);
  if (db.length !== header.header.dbBytes) return { ok: false, reason: `it is truncated (${db.length} of ${header.header.dbBytes} database bytes)` };
  if (createHash('sha256').update(db).digest('hex') !== header.header.dbSha256) return { ok: false, reason: 'its checksum does not match (the file is damaged)' };
  return { ok: true, header: header.header, db };
}

/** Only the header (cheap): used to avoid replacing a newer snapshot by an older one. */
export function readSnapshotHeader(file: string): SnapshotHeader | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES + MAX_HEADER_BYTES);
    const n = readSync(fd, prefix, 0, prefix.length, 0);
    const parsed = parseHeader(prefix.subarray(0, n));
    return 'header' in parsed ? parsed.header : null;
  } finally {
    closeSync(fd);
  }
}

function parseHeader(bytes: Buffer): { header: SnapshotHeader; end: number } | { reason: string } {
  if (bytes.length < PREFIX_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { reason: 'it is not an index snapshot (bad magic)' };
  const length = bytes.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_BYTES || PREFIX_BYTES + length > bytes.length) return { reason: 'its header is truncated' };
  try {
    const header = SnapshotHeader.parse(JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + length)));
    return { header, end: PREFIX_BYTES + length };
  } catch {
    return { reason: 'its header is damaged' };
  }
}

/**
 * Writes a snapshot atomically. Returns false (and writes nothing) when the snapshot on disk already
 * covers a later entry: several processes may snapshot the same store, and the newest must win.
 */
export function writeSnapshot(file: string, header: Omit<SnapshotHeader, 'dbBytes' | 'dbSha256' | 'createdAt'>, db: Uint8Array): boolean {
  const existing = readSnapshotHeader(file);
  if (existing && existing.storeId === header.storeId && existing.lastSeq > header.lastSeq) return false;
  const full: SnapshotHeader = { ...header, dbBytes: db.length, dbSha256: createHash('sha256').update(db).digest('hex'), createdAt: new Date().toISOString() };
  const headerBytes = Buffer.from(JSON.stringify(full), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix);
  prefix.writeUInt32BE(headerBytes.length, MAGIC.length);
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    for (const part of [prefix, headerBytes, db]) writeAll(fd, part);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // nothing more to undo
    }
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  syncDirectory(path.dirname(file));
  return true;
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
