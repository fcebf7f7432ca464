/**
 * Moves new records from the local journal into the outbox, at the upload privacy level. The level is
 * never more revealing than the store's own (what the journal holds already is; restricting again is
 * one-way), and records of repositories not chosen are left out.
 */
import { parseEntryLine } from '../chain/chainEntry';
import { parseRecord } from '../model/version';
import type { ProvenanceRecord } from '../model/schema';
import { applyPrivacy, type PrivacyLevel, stricterLevel } from '../privacy/privacyLevel';
import { type JournalLine, readJournal, START_POSITION } from '../store/journal/journalReader';
import { storeLayout } from '../store/storeHome';
import type { JournalPositionState, Outbox } from './outbox';

export interface FeedOptions {
  /** The level the local store keeps. */
  localPrivacy: PrivacyLevel;
  /** The level asked for the upload; the stricter of the two applies. */
  uploadPrivacy?: PrivacyLevel;
  /** Only records of these repository ids (default: all). */
  repos?: readonly string[];
  /**
   * Stop once the outbox holds this many entries (default 10,000): a large store is uploaded in rounds
   * (feed, upload, compact), so the outbox — read whole into memory on open — stays small.
   */
  maxOutboxEntries?: number;
}

export interface FeedResult {
  enqueued: number;
  skipped: number;
  /** Journal lines that were not valid records (reported by `lineagelens verify`; never uploaded). */
  unreadable: number;
  /** True when feeding stopped at maxOutboxEntries: call again after uploading. */
  more: boolean;
}

class StopReading extends Error {}

const ENQUEUE_CHUNK = 2_000;

function repoOf(record: ProvenanceRecord): string | null {
  return record.kind === 'edit' ? (record.file.repo?.id ?? null) : (record.repo?.id ?? null);
}

export function feedOutbox(home: string, outbox: Outbox, options: FeedOptions): FeedResult {
  const level = stricterLevel(options.uploadPrivacy ?? options.localPrivacy, options.localPrivacy);
  const repos = options.repos && options.repos.length > 0 ? new Set(options.repos) : null;
  const result: FeedResult = { enqueued: 0, skipped: 0, unreadable: 0, more: false };
  const limit = options.maxOutboxEntries ?? 10_000;
  if (outbox.size >= limit) return { ...result, more: true };
  let batch: { record: ProvenanceRecord; journalSeq: number }[] = [];
  const after = outbox.journalSeq;
  let position: JournalPositionState | null = null;
  const onLine = (line: JournalLine) => {
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
    if (batch.length >= ENQUEUE_CHUNK || outbox.size + batch.length >= limit) {
      result.enqueued += outbox.enqueue(batch, null);
      batch = [];
      if (outbox.size >= limit) {
        // The next read starts right after this line.
        position = { segment: line.segment, offset: line.offset + line.length + 1, line: line.line };
        throw new StopReading();
      }
    }
  };
  try {
    position = readJournal(storeLayout(home).journalDir, outbox.position ?? START_POSITION, onLine).position;
  } catch (err) {
    if (!(err instanceof StopReading)) throw err;
    result.more = true;
  }
  result.enqueued += outbox.enqueue(batch, position);
  return result;
}
