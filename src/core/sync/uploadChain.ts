/**
 * The upload chain: how a client's records travel to a team server, linked so the server can check that
 * nothing was dropped, reordered or altered between one upload and the next.
 *
 *   entry = {seq, prev, hash, record}     hash = SHA-256(prev + canonicalJson({prev, record, seq}))
 *
 * It is a chain of its own, not the local journal's: the client may upload at a stricter privacy level
 * than it stores locally, which changes the record bytes, so the journal's hashes could not be checked
 * by the server. The client assigns seq/prev when a record enters its outbox, durably, so a resent entry
 * is byte-identical and the server recognises it as a duplicate. Server and client share this file.
 */
import { z } from 'zod';
import { canonicalJson } from '../chain/canonicalJson';
import { GENESIS_HASH, linkHash } from '../chain/chainEntry';
import { ProvenanceRecord, Sha256Hex } from '../model/schema';

export { GENESIS_HASH };

/** Most entries one upload request may carry. */
export const MAX_UPLOAD_BATCH = 1_000;

export const UploadEntry = z.object({
  seq: z.number().int().positive(),
  prev: Sha256Hex,
  hash: Sha256Hex,
  record: ProvenanceRecord,
});
export type UploadEntry = z.infer<typeof UploadEntry>;

/** A client's chain identity: one per local store (its store id), per server user. */
export const UploadSource = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'source must be letters, digits, ".", "_", ":" or "-"');

export const UploadBatch = z.object({
  source: UploadSource,
  entries: z.array(UploadEntry).min(1).max(MAX_UPLOAD_BATCH),
});
export type UploadBatch = z.infer<typeof UploadBatch>;

/** The hash an entry must carry. `record` is hashed as given (unknown optional fields included). */
export function uploadEntryHash(seq: number, prev: string, record: unknown): string {
  return linkHash(prev, canonicalJson({ prev, record, seq }));
}

export function makeUploadEntry(seq: number, prev: string, record: ProvenanceRecord): UploadEntry {
  return { seq, prev, hash: uploadEntryHash(seq, prev, record), record };
}

/**
 * An entry as the JSON text a client sends: the record in canonical form, so the server can check the
 * hash over `JSON.stringify` of what it parsed (cheap) instead of re-canonicalising it.
 */
export function uploadEntryJson(seq: number, prev: string, record: ProvenanceRecord): { json: string; hash: string } {
  const recordJson = canonicalJson(record);
  const hash = linkHash(prev, `{"prev":"${prev}","record":${recordJson},"seq":${seq}}`);
  return { json: `{"seq":${seq},"prev":"${prev}","hash":"${hash}","record":${recordJson}}`, hash };
}
