/**
 * An upload batch from its bytes to what the backends store: JSON, the zod schema, and each entry's
 * hash checked against its record as received (db/entryContent.ts). Pure CPU work with no database:
 * large batches run it in a background thread (threads/uploadPreparer.ts), small ones in place.
 */
import type { UploadEntry } from '../../core/sync/uploadChain';
import { verifyEntries } from '../db/entryContent';
import { parseJsonBytes } from '../http/body';
import { SessionUploadBatch, UploadBatch } from './apiSchemas';
import { parseBody } from './params';

export type UploadKind = 'records' | 'sessions';

export interface PreparedUpload {
  source: string;
  entries: UploadEntry[];
  /** Entry i's record JSON as chained, or null when the entry's hash does not match it (the ingest refuses the batch). */
  verified: (string | null)[];
}

/** Throws HttpError (415, 400) for a body that is not a valid upload batch. */
export function prepareUpload(kind: UploadKind, contentType: string | undefined, body: Uint8Array): PreparedUpload {
  const raw = parseJsonBytes(contentType, body);
  const batch = parseBody(kind === 'records' ? UploadBatch : SessionUploadBatch, raw, 'upload batch');
  const rawEntries = (raw as { entries: { record: unknown }[] }).entries;
  return { source: batch.source, entries: batch.entries, verified: verifyEntries(batch.entries, rawEntries) };
}
