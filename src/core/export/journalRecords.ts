/**
 * The records an export includes, streamed from the store's journal in chain order, each with the chain
 * link that vouches for it (seq, append time, prev, hash). Two passes over the journal and nothing held
 * but an id -> seq map: pass 1 finds the latest put of every id (a re-put replaces a record), pass 2 hands
 * out those puts that pass the filter. Records are validated with the schema on the way out; a record
 * that fails it is reported (by seq, never by content) and left out.
 */
import { parseEntryLine, putLineParts } from '../chain/chainEntry';
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

/**
 * The `id` member of a record given as canonical JSON, found by scanning for the key at depth 1 (nested
 * objects such as `file.repo` also have an `id`). Much cheaper than JSON.parse for pass 1.
 */
export function topLevelId(json: string): string | null {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < json.length && json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c /* \ */) i++;
      if (depth === 1 && json.startsWith('":"', i) && i - start === 3 && json.startsWith('"id', start)) {
        const end = json.indexOf('"', i + 3);
        const value = json.slice(i + 3, end);
        return value.includes('\\') ? (JSON.parse(json.slice(i + 2, end + 1)) as string) : value;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return null;
}

/** A put line's parts without parsing it: the record's canonical JSON is the line between these two keys. */
const RECORD_KEY = '"record":';
const PUT_TAIL = /,"seq":(\d+)\}$/;

export function splitPutLine(text: string): { record: string; seq: number } | null {
  if (!text.includes('"op":"put"')) return null;
  const start = text.indexOf(RECORD_KEY);
  const tail = PUT_TAIL.exec(text);
  if (start < 0 || !tail) return null;
  return { record: text.slice(start + RECORD_KEY.length, tail.index), seq: Number(tail[1]) };
}

const PUT_HEAD = /^\{"at":("[^"\\]*"),"hash":"([0-9a-f]{64})","op":"put","prev":"([0-9a-f]{64})","record":/;

/**
 * A put line read without a second full parse of its envelope: the head's fields by pattern, the record
 * by JSON.parse of its own bytes, and the link hash recomputed, so a line that does not hash right falls
 * back to the full parser (and is reported there).
 */
function fastPut(text: string): { seq: number; at: string; prev: string; hash: string; record: Record<string, unknown>; canonical?: string } | null {
  const head = PUT_HEAD.exec(text);
  const split = head && splitPutLine(text);
  if (!head || !split) return null;
  const at = JSON.parse(head[1]!) as string;
  if (putLineParts(split.seq, head[3]!, at, split.record).hash !== head[2]) return null;
  try {
    const record = JSON.parse(split.record) as unknown;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
    return { seq: split.seq, at, prev: head[3]!, hash: head[2]!, record: record as Record<string, unknown>, canonical: split.record };
  } catch {
    return null;
  }
}

export function scanJournalRecords(layout: StoreLayout, filter: ExportFilter, onRecord: (r: JournalRecord) => void, onProblem: (p: ScanProblem) => void = () => undefined): ScanSummary {
  const latest = new Map<string, number>();
  let head: ScanSummary['head'] = null;
  let last = '';
  const end = readJournal(layout.journalDir, START_POSITION, (line) => {
    last = line.text;
    const put = splitPutLine(line.text);
    const id = put && topLevelId(put.record);
    // A copy, not a slice: a sliced string would keep its whole journal line alive as a map key.
    if (put && id !== null) latest.set(Buffer.from(id, 'utf8').toString('utf8'), put.seq);
  }).position;
  try {
    if (last) {
      const entry = parseEntryLine(last);
      head = { seq: entry.seq, hash: entry.hash };
    }
  } catch {
    // a damaged last line: reported in pass 2
  }
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
    let entry: ReturnType<typeof fastPut> = fastPut(line.text);
    if (!entry) {
      try {
        const parsed = parseEntryLine(line.text);
        if (parsed.op !== 'put') return;
        entry = parsed;
      } catch (err) {
        onProblem({ seq: null, message: `journal line ${line.line} of segment ${line.segment}: ${(err as Error).message}` });
        return;
      }
    }
    if (latest.get(String(entry.record.id)) !== entry.seq) return;
    let record: ProvenanceRecord;
    try {
      record = parseRecord(entry.record);
    } catch (err) {
      skipped++;
      onProblem({ seq: entry.seq, message: `entry ${entry.seq}: ${(err as Error).message}` });
      return;
    }
    if (!matches(record)) return;
    // The journal line is canonical JSON: the record's bytes are in it (checked against the link hash).
    let canonical = entry.canonical;
    if (canonical === undefined) {
      const split = splitPutLine(line.text);
      canonical = split && putLineParts(entry.seq, entry.prev, entry.at, split.record).hash === entry.hash ? split.record : canonicalJson(entry.record);
    }
    included++;
    onRecord({
      record,
      canonical,
      link: { seq: entry.seq, at: entry.at, prev: entry.prev, hash: entry.hash },
      location: { segment: line.segment, offset: line.offset, length: line.length },
    });
  });
  return { included, skipped, head };
}
