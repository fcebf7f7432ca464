/**
 * Moves new records from the local journal into the outbox, at the upload privacy level. The level is
 * never more revealing than the store's own (what the journal holds already is; restricting again is
 * one-way), and records of repositories not chosen are left out.
 */
import { parseEntryLine } from '../chain/chainEntry';
import { parseRecord } from '../model/version';
import type { ProvenanceRecord } from '../model/schema';
import { applyPrivacy, type PrivacyLevel, stricterLevel } from '../privacy/privacyLevel';
import { readJournal, START_POSITION } from '../store/journal/journalReader';
import { storeLayout } from '../store/storeHome';
import type { Outbox } from './outbox';

export interface FeedOptions {
  /** The level the local store keeps. */
  localPrivacy: PrivacyLevel;
  /** The level asked for the upload; the stricter of the two applies. */
  uploadPrivacy?: PrivacyLevel;
  /** Only records of these repository ids (default: all). */
  repos?: readonly string[];
}

export interface FeedResult {
  enqueued: number;
  skipped: number;
  /** Journal lines that were not valid records (reported by `lineagelens verify`; never uploaded). */
  unreadable: number;
}

const ENQUEUE_CHUNK = 2_000;

function repoOf(record: ProvenanceRecord): string | null {
  return record.kind === 'edit' ? (record.file.repo?.id ?? null) : (record.repo?.id ?? null);
}

export function feedOutbox(home: string, outbox: Outbox, options: FeedOptions): FeedResult {
  const level = stricterLevel(options.uploadPrivacy ?? options.localPrivacy, options.localPrivacy);
  const repos = options.repos && options.repos.length > 0 ? new Set(options.repos) : null;
  const result: FeedResult = { enqueued: 0, skipped: 0, unreadable: 0 };
  let batch: { record: ProvenanceRecord; journalSeq: number }[] = [];
  const after = outbox.journalSeq;
  const read = readJournal(storeLayout(home).journalDir, outbox.position ?? START_POSITION, (line) => {
    let entry;
    try {
      entry = parseEntryLine(line.text);
    } catch {
      result.unreadable++;
      return;
    }
    if (entry.seq <= after || entry.op !== 'put') return;
    let record: ProvenanceRecord;
    try {
      record = parseRecord(entry.record);
    } catch {
      result.unreadable++;
      return;
    }
    if (repos && !repos.has(repoOf(record) ?? '')) {
      result.skipped++;
      return;
    }
    batch.push({ record: applyPrivacy(record, level), journalSeq: entry.seq });
    if (batch.length >= ENQUEUE_CHUNK) {
      result.enqueued += outbox.enqueue(batch, null);
      batch = [];
    }
  });
  result.enqueued += outbox.enqueue(batch, read.position);
  return result;
}
