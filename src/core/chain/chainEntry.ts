/**
 * One link of the provenance hash chain, as stored: one JSON line of a journal segment.
 *
 *   {"at":ISO,"hash":H,"op":"put","prev":P,"record":{...},"seq":N}
 *   {"at":ISO,"hash":H,"op":"prune","prev":P,"prune":{...},"seq":N}
 *
 * `hash` = SHA-256 hex of (`prev` + canonical JSON of the entry without `hash`). `prev` is the `hash` of
 * the entry before it, or 64 zeros for the first entry ever. `seq` counts from 1 without gaps. The line
 * itself is the canonical JSON of the whole entry, so the file is deterministic too.
 *
 * Why this shape: any edit of an entry changes its hash, any deletion or reordering breaks a `prev` link
 * or the `seq` sequence, and a later prune entry vouches (by count, seq range and last hash) for a prefix
 * that retention removed on purpose.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Sha256Hex } from '../model/schema';
import { canonicalJson } from './canonicalJson';

export const GENESIS_HASH = '0'.repeat(64);

/** What a prune entry says it removed: enough to vouch for the chain that now starts after it. */
export const PruneDetails = z
  .object({
    /** The retention setting that asked for it. */
    olderThanDays: z.number().nonnegative(),
    /** Entries appended before this instant were removed. */
    cutoff: z.iso.datetime({ offset: true }),
    removed: z
      .object({
        count: z.number().int().positive(),
        fromSeq: z.number().int().positive(),
        toSeq: z.number().int().positive(),
        /** `hash` of the entry `toSeq`: the `prev` of the first entry kept. */
        lastHash: Sha256Hex,
      })
      .strict(),
  })
  .strict();
export type PruneDetails = z.infer<typeof PruneDetails>;

const plainObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
  message: 'expected an object',
});

const envelope = {
  seq: z.number().int().positive(),
  prev: Sha256Hex,
  hash: Sha256Hex,
  at: z.iso.datetime({ offset: true }),
};

/** The record is validated separately (ProvenanceRecord) where it is used: the chain only needs its bytes. */
export const PutEntry = z.object({ ...envelope, op: z.literal('put'), record: plainObject }).strict();
export const PruneEntry = z.object({ ...envelope, op: z.literal('prune'), prune: PruneDetails }).strict();
export const ChainEntry = z.discriminatedUnion('op', [PutEntry, PruneEntry]);
export type PutEntry = z.infer<typeof PutEntry>;
export type PruneEntry = z.infer<typeof PruneEntry>;
export type ChainEntry = z.infer<typeof ChainEntry>;

export type UnhashedEntry = Omit<PutEntry, 'hash'> | Omit<PruneEntry, 'hash'>;

export function linkHash(prev: string, canonicalBody: string): string {
  return createHash('sha256').update(prev).update(canonicalBody).digest('hex');
}

/** The hash an entry must carry, recomputed from its content (the `hash` field itself is ignored). */
export function computeEntryHash(entry: ChainEntry | UnhashedEntry): string {
  const { hash: _ignored, ...body } = entry as ChainEntry;
  return linkHash(entry.prev, canonicalJson(body));
}

/** Any entry as its canonical line (without the newline), with its hash filled in. */
export function formatEntry(entry: UnhashedEntry): { line: string; hash: string } {
  const hash = computeEntryHash(entry);
  return { line: canonicalJson({ ...entry, hash }), hash };
}

/**
 * The hot path for puts: the record is already canonical JSON (as text or UTF-8 bytes), so the line is
 * assembled around it instead of re-serialising it: line = head + record + tail. Produces exactly
 * `formatEntry`'s bytes (a unit test holds it to that).
 */
export function putLineParts(seq: number, prev: string, at: string, record: string | Uint8Array): { head: string; tail: string; hash: string } {
  const atJson = canonicalJson(at);
  const tail = `,"seq":${seq}}`;
  const hash = createHash('sha256').update(prev).update(`{"at":${atJson},"op":"put","prev":"${prev}","record":`).update(record).update(tail).digest('hex');
  return { head: `{"at":${atJson},"hash":"${hash}","op":"put","prev":"${prev}","record":`, tail, hash };
}

export function formatPutLine(seq: number, prev: string, at: string, recordJson: string): { line: string; hash: string } {
  const { head, tail, hash } = putLineParts(seq, prev, at, recordJson);
  return { line: head + recordJson + tail, hash };
}

/** One-shot SHA-256 (Node >= 20.12); the streaming API where it is missing. */
const sha256Hex: (data: Uint8Array) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');

/** The parts of a put line around its hash and record: `{"at":A,"hash":"` H `","op":"put","prev":"P","record":` R `,"seq":N}`. */
function putLineFrame(seq: number, prev: string, atJson: string) {
  return { open: `{"at":${atJson},"hash":"`, middle: `","op":"put","prev":"${prev}","record":`, tail: `,"seq":${seq}}` };
}

/**
 * Bytes of a put line without its newline. `atJson`: canonical JSON of the entry's ISO timestamp (ASCII,
 * as toISOString writes it); `recordBytes`: the record's UTF-8 length.
 */
export function putLineLength(seq: number, atJson: string, recordBytes: number): number {
  const frame = putLineFrame(seq, GENESIS_HASH, atJson);
  return frame.open.length + 64 + frame.middle.length + recordBytes + frame.tail.length;
}

/**
 * The batch hot path: writes the put line of `record` (its canonical JSON as UTF-8) at `offset` of
 * `target`, which must have putLineLength() bytes free there, and returns its hash. The line is hashed
 * in one call: the hashed text
 * (prev + `{"at":A,` + `"op":"put",...` + record + tail) is laid out contiguously by first writing
 * prev + `{"at":A,` into the line's head, which is overwritten with the real head once the hash is known
 * (the head is 10 bytes longer than that prefix, whatever A). Same bytes and hash as formatPutLine (a
 * unit test holds it to that).
 */
export function writePutLine(target: Buffer, offset: number, seq: number, prev: string, atJson: string, record: Uint8Array): string {
  const { open, middle, tail } = putLineFrame(seq, prev, atJson);
  const hashAt = offset + open.length;
  const opAt = hashAt + 64 + 2; // after the hash and its closing `",`
  let at = hashAt + 64 + target.write(middle, hashAt + 64, 'latin1');
  target.set(record, at);
  at += record.length;
  at += target.write(tail, at, 'latin1');
  const prefix = `${prev}{"at":${atJson},`;
  const prefixAt = opAt - prefix.length;
  target.write(prefix, prefixAt, 'latin1');
  const hash = sha256Hex(target.subarray(prefixAt, at));
  target.write(open, offset, 'latin1');
  target.write(hash, hashAt, 'latin1');
  target.write('",', hashAt + 64, 'latin1');
  return hash;
}

export class EntryParseError extends Error {
  constructor(
    message: string,
    readonly reason: 'json' | 'shape',
  ) {
    super(message);
    this.name = 'EntryParseError';
  }
}

/** Parses and shape-checks one journal line. Does not check the hash (see chainVerifier). */
export function parseEntryLine(text: string): ChainEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error: it may be code or a prompt, so only the position is kept.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new EntryParseError(`not valid JSON${at ? ` (at character ${at})` : ''}`, 'json');
  }
  const result = ChainEntry.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new EntryParseError(`not a chain entry: ${issue ? `${issue.path.join('.') || '(entry)'}: ${issue.message}` : 'invalid'}`, 'shape');
  }
  return result.data;
}

/** Best effort, for reports about lines that do not parse: the `"seq":N` the line seems to carry. */
export function guessSeq(text: string): number | null {
  const m = /"seq":(\d{1,15})[,}]/.exec(text);
  return m ? Number(m[1]) : null;
}
