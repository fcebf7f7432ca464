/**
 * The records an export includes, streamed from the store's journal in chain order, each with the chain
 * link that vouches for it (seq, append time, prev, hash). Two passes over the journal and nothing held
 * but an id -> seq map: pass 1 finds the latest put of every id (a re-put replaces a record), pass 2 hands
 * out those puts that pass the filter. Records are validated with the schema on the way out; a record
 * that fails it is reported (by seq, never by content) and left out.
 */
import { parseEntryLine } from '../chain/chainEntry';
import { canonicalJson } from '../chain/canonicalJson';
import { parseRecord } from '../model/version';
import type { ProvenanceRecord } from '../model/schema';
import { readJournal, START_POSITION } from '../store/journal/journalReader';
import type { StoreLayout } from '../store/storeHome';
import { type ExportFilter, recordMatcher } from './exportFilter';

export interface ChainLink {
  seq: number;
  at: string;
  prev: string;
  hash: string;
}

export interface JournalRecord {
  record: ProvenanceRecord;
  /** The record exactly as chained: canonical JSON of the stored object. */
  canonical: string;
  link: ChainLink;
  location: { segment: number; offset: number; length: number };
}

export interface ScanProblem {
  seq: number | null;
  message: string;
}

export interface ScanSummary {
  included: number;
  skipped: number;
  /** The journal's last entry when the scan began: what the export can be checked against. */
  head: { seq: number; hash: string } | null;
}

export function scanJournalRecords(layout: StoreLayout, filter: ExportFilter, onRecord: (r: JournalRecord) => void, onProblem: (p: ScanProblem) => void = () => undefined): ScanSummary {
  const latest = new Map<string, number>();
  let head: ScanSummary['head'] = null;
  const end = readJournal(layout.journalDir, START_POSITION, (line) => {
    try {
      const entry = parseEntryLine(line.text);
      head = { seq: entry.seq, hash: entry.hash };
      if (entry.op === 'put' && typeof entry.record.id === 'string') latest.set(entry.record.id, entry.seq);
    } catch {
      // reported in pass 2
    }
  }).position;
  const matches = recordMatcher(filter);
  let included = 0;
  let skipped = 0;
  let reachedEnd = false;
  readJournal(layout.journalDir, START_POSITION, (line) => {
    // Entries appended after pass 1 are not part of this export (its head was fixed then).
    if (reachedEnd || line.segment > end.segment || (line.segment === end.segment && line.offset >= end.offset)) {
      reachedEnd = true;
      return;
    }
    let entry;
    try {
      entry = parseEntryLine(line.text);
    } catch (err) {
      onProblem({ seq: null, message: `journal line ${line.line} of segment ${line.segment}: ${(err as Error).message}` });
      return;
    }
    if (entry.op !== 'put' || latest.get(String(entry.record.id)) !== entry.seq) return;
    let record: ProvenanceRecord;
    try {
      record = parseRecord(entry.record);
    } catch (err) {
      skipped++;
      onProblem({ seq: entry.seq, message: `entry ${entry.seq}: ${(err as Error).message}` });
      return;
    }
    if (!matches(record)) return;
    included++;
    onRecord({
      record,
      canonical: canonicalJson(entry.record),
      link: { seq: entry.seq, at: entry.at, prev: entry.prev, hash: entry.hash },
      location: { segment: line.segment, offset: line.offset, length: line.length },
    });
  });
  return { included, skipped, head };
}
