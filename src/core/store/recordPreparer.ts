/**
 * Turning records into what the journal stores: validated (zod), privacy applied (secrets redacted,
 * or content reduced to hashes, per the level), serialised as canonical JSON. This runs BEFORE anything
 * is written: text the privacy level removes never reaches the disk, not even in a torn line.
 *
 * It runs on the caller's thread, in slices of a few milliseconds separated by a macrotask, so a large
 * batch never blocks that thread for long; the I/O itself is asynchronous.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { canonicalJson } from '../chain/canonicalJson';
import { formatIssues } from '../model/version';
import { ProvenanceRecord } from '../model/schema';
import { applyPrivacy, type PrivacyLevel } from '../privacy/privacyLevel';
import type { PreparedPut } from './journal/journalWriter';
import { LIN_FROM_JOURNAL, rowFieldsOf } from './index/indexRow';

/** Longest stretch of preparation work before yielding to the event loop. */
export const PREPARE_SLICE_MS = 4;

export class RecordValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordValidationError';
  }
}

/**
 * `alreadyValidated`: the caller has just parsed these records with the zod schema at its own boundary
 * (an import reading JSONL, a hook reading a payload), so parsing again would only double the cost.
 */
export function prepareRecord(input: unknown, level: PrivacyLevel, position = 0, alreadyValidated = false, lineage = true): PreparedPut {
  let valid: ProvenanceRecord;
  if (alreadyValidated) valid = input as ProvenanceRecord;
  else {
    const parsed = ProvenanceRecord.safeParse(input);
    if (!parsed.success) throw new RecordValidationError(`record ${position} is not a valid provenance record: ${formatIssues(parsed.error)}`);
    valid = parsed.data;
  }
  const record = applyPrivacy(valid, level);
  // Kept as bytes and index fields only: the record objects and the text die young, and the bytes live
  // outside the JavaScript heap until the commit, which keeps GC pauses short (holding the text instead
  // grew the caller's heap by hundreds of MB during a large import, with 200 ms collections).
  // Lineage facts are not computed here: the index reads them from the journal line when it folds its
  // lineage queue (before a lineage question or a prune), which takes ~10 us per record off this thread.
  return { json: Buffer.from(canonicalJson(record), 'utf8'), fields: rowFieldsOf(record, lineage ? LIN_FROM_JOURNAL : false) };
}

export interface PrepareOptions {
  alreadyValidated?: boolean;
  sliceMs?: number;
  /** Compute the lineage facts the index keeps edges from (default true; false only to measure their cost). */
  lineage?: boolean;
}

/** Prepares all records or none (the first invalid one rejects the batch, naming its position). */
export async function prepareRecords(records: readonly unknown[], level: PrivacyLevel, options: PrepareOptions = {}): Promise<PreparedPut[]> {
  const sliceMs = options.sliceMs ?? PREPARE_SLICE_MS;
  const prepared: PreparedPut[] = new Array(records.length);
  let sliceStart = performance.now();
  for (let i = 0; i < records.length; i++) {
    prepared[i] = prepareRecord(records[i], level, i, options.alreadyValidated, options.lineage ?? true);
    if ((i & 15) === 15 && performance.now() - sliceStart > sliceMs) {
      await nextMacrotask();
      sliceStart = performance.now();
    }
  }
  return prepared;
}
