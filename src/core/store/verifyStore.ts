/**
 * Verifying a store on disk: every segment, every line, in order, through the ChainVerifier; plus the
 * checks only the store can make:
 * - optionally (`schema`), each put's record against the provenance schema (a chain can be intact
 *   around an invalid record; off by default because it doubles the time on a large store);
 * - the index snapshot as a witness of the chain's end: the snapshot names the last entry it folded
 *   (seq and hash); a journal that ends before it, or holds a different entry there, was cut off or
 *   rewritten after the snapshot (removing the newest entries is otherwise invisible to a hash chain).
 * An incomplete last line (an append interrupted before it was acknowledged) is reported, not a break.
 *
 * Read-only: it never takes the lock, never repairs, never writes.
 */
import { type ChainBreak, type ChainVerification, ChainVerifier } from '../chain/chainVerifier';
import { parseRecord, RecordParseError } from '../model/version';
import { readSnapshotHeader } from './index/indexSnapshot';
import { readJournal } from './journal/journalReader';
import { listSegmentsSync, segmentName } from './journal/segments';
import type { StoreLayout } from './storeHome';

export interface StoreVerification extends ChainVerification {
  segments: number;
  /** Put entries whose record fails the schema (counted only with the `schema` option). */
  invalidRecords: number;
  firstInvalidRecord: { segment: string; line: number; seq: number; message: string } | null;
  /** Bytes at the end of the newest segment that are not a complete line yet. */
  incompleteTailBytes: number;
  /** What the index snapshot says the chain reached, and whether the journal agrees. */
  witness: { lastSeq: number; agrees: boolean } | null;
}

export interface VerifyOptions {
  /** Also validate every record against the provenance schema. */
  schema?: boolean;
}

/** `storeId` (from store.json) ties the snapshot witness to this journal; a foreign snapshot is ignored. */
export function verifyStore(layout: StoreLayout, storeId: string, options: VerifyOptions = {}): StoreVerification {
  const verifier = new ChainVerifier();
  const segments = listSegmentsSync(layout.journalDir);
  const seen = new Map<number, string>(); // seq -> hash, only for the witness seq
  const snapshotHeader = readSnapshotHeader(layout.snapshotFile);
  const witnessHeader = snapshotHeader?.storeId === storeId ? snapshotHeader : null;
  let invalidRecords = 0;
  let firstInvalidRecord: StoreVerification['firstInvalidRecord'] = null;
  const read = readJournal(layout.journalDir, { segment: 0, offset: 0, line: 0 }, (line) => {
    const pos = { segment: segmentName(line.segment), line: line.line, offset: line.offset };
    verifier.push(line.text, pos, (entry) => {
      if (witnessHeader && entry.seq === witnessHeader.lastSeq) seen.set(entry.seq, entry.hash);
      if (entry.op !== 'put' || !options.schema) return;
      try {
        parseRecord(entry.record);
      } catch (err) {
        invalidRecords++;
        const message = err instanceof RecordParseError ? err.message : 'unreadable record';
        firstInvalidRecord ??= { ...pos, seq: entry.seq, message };
      }
    });
  });
  const chain = verifier.finish();
  let witness: StoreVerification['witness'] = null;
  let firstBreak: ChainBreak | null = chain.firstBreak;
  let breaks = chain.breaks;
  if (witnessHeader && witnessHeader.lastSeq > 0) {
    const pruned = chain.firstSeq !== null && witnessHeader.lastSeq < chain.firstSeq;
    const agrees = pruned || seen.get(witnessHeader.lastSeq) === witnessHeader.lastHash;
    witness = { lastSeq: witnessHeader.lastSeq, agrees };
    if (!agrees) {
      breaks++;
      const end = chain.head;
      firstBreak ??= {
        segment: segments.length ? segmentName(segments.at(-1)!) : '(none)',
        line: read.position.line,
        offset: read.position.offset,
        seq: end?.seq ?? null,
        reason: 'truncated',
        message:
          end === null || end.seq < witnessHeader.lastSeq
            ? `the journal ends at entry ${end?.seq ?? 0}, but the index snapshot saw entry ${witnessHeader.lastSeq}: entries were removed from its end`
            : `entry ${witnessHeader.lastSeq} differs from the one the index snapshot saw: the chain was rewritten`,
      };
    }
  }
  return {
    ...chain,
    ok: breaks === 0,
    firstBreak,
    breaks,
    segments: segments.length,
    invalidRecords,
    firstInvalidRecord,
    incompleteTailBytes: read.pendingTailBytes,
    witness,
  };
}
