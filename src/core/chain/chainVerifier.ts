/**
 * Checks a hash chain line by line, in order, and names the first broken link. Pure: it is fed lines
 * with their positions (see store/verifyStore.ts for walking the journal files).
 *
 * Checks per entry: the line parses as an entry; its hash matches its content; its seq follows the
 * previous one; its prev is the previous hash. A chain that does not start at seq 1 must be vouched for
 * by a prune entry (later in the chain) whose removed range ends right before the first kept entry and
 * whose lastHash is that entry's prev: retention removed the prefix on purpose and said so in the chain.
 *
 * After a break the verifier re-synchronises on the next entry, so one damaged line is reported once and
 * the rest of the chain is still checked (the total is reported with the first break).
 */
import { type ChainEntry, computeEntryHash, EntryParseError, GENESIS_HASH, guessSeq, parseEntryLine } from './chainEntry';

/** `truncated` is found by the store (against its snapshot witness), not by the chain alone. */
export type ChainBreakReason = 'unparsable' | 'hash_mismatch' | 'seq_gap' | 'prev_mismatch' | 'unvouched_start' | 'truncated';

export interface LinePosition {
  /** Segment file name, e.g. `000001.jsonl`. */
  segment: string;
  /** 1-based line number in the segment. */
  line: number;
  /** Byte offset of the line in the segment. */
  offset: number;
}

export interface ChainBreak extends LinePosition {
  /** The entry's seq when it could be read. */
  seq: number | null;
  reason: ChainBreakReason;
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  puts: number;
  prunes: number;
  /** First and last seq seen (null for an empty chain). */
  firstSeq: number | null;
  head: { seq: number; hash: string } | null;
  firstBreak: ChainBreak | null;
  breaks: number;
}

export class ChainVerifier {
  private entries = 0;
  private puts = 0;
  private prunes = 0;
  private first: { seq: number; prev: string; pos: LinePosition } | null = null;
  private last: { seq: number; hash: string } | null = null;
  private resync = false;
  private firstBreak: ChainBreak | null = null;
  private breaks = 0;
  /** toSeq -> lastHash of every prune entry seen: the vouchers for a chain starting after seq 1. */
  private readonly vouchers = new Map<number, string>();

  /** Feeds one non-blank line. `onEntry` sees every entry that parsed (e.g. for schema checks). */
  push(text: string, pos: LinePosition, onEntry?: (entry: ChainEntry) => void): void {
    let entry: ChainEntry;
    try {
      entry = parseEntryLine(text);
    } catch (err) {
      const message = err instanceof EntryParseError ? err.message : `unreadable entry: ${(err as Error).message}`;
      this.report(pos, guessSeq(text), 'unparsable', message);
      this.resync = true;
      return;
    }
    onEntry?.(entry);
    this.entries++;
    if (entry.op === 'put') this.puts++;
    else {
      this.prunes++;
      this.vouchers.set(entry.prune.removed.toSeq, entry.prune.removed.lastHash);
    }

    const expectedHash = computeEntryHash(entry);
    if (expectedHash !== entry.hash) {
      this.report(pos, entry.seq, 'hash_mismatch', `entry ${entry.seq}: its content does not match its hash (edited after it was written)`);
    }
    if (this.last === null) {
      this.first = { seq: entry.seq, prev: entry.prev, pos };
      if (entry.seq === 1 && entry.prev !== GENESIS_HASH) {
        this.report(pos, entry.seq, 'prev_mismatch', 'entry 1 does not start from the genesis hash');
      }
    } else if (!this.resync) {
      if (entry.seq !== this.last.seq + 1) {
        this.report(pos, entry.seq, 'seq_gap', `expected entry ${this.last.seq + 1} after ${this.last.seq}, found ${entry.seq}`);
      } else if (entry.prev !== this.last.hash) {
        this.report(pos, entry.seq, 'prev_mismatch', `entry ${entry.seq} does not link to the hash of entry ${this.last.seq}`);
      }
    }
    this.resync = false;
    this.last = { seq: entry.seq, hash: entry.hash };
  }

  finish(): ChainVerification {
    const first = this.first;
    if (first && first.seq !== 1 && this.vouchers.get(first.seq - 1) !== first.prev) {
      // Positioned at the first line, so it is the first break whatever else was found.
      this.firstBreak = {
        ...first.pos,
        seq: first.seq,
        reason: 'unvouched_start',
        message: `the chain starts at entry ${first.seq}, but no prune entry vouches for the ${first.seq - 1} entries before it`,
      };
      this.breaks++;
    }
    return {
      ok: this.breaks === 0,
      entries: this.entries,
      puts: this.puts,
      prunes: this.prunes,
      firstSeq: first?.seq ?? null,
      head: this.last,
      firstBreak: this.firstBreak,
      breaks: this.breaks,
    };
  }

  private report(pos: LinePosition, seq: number | null, reason: ChainBreakReason, message: string): void {
    this.breaks++;
    this.firstBreak ??= { ...pos, seq, reason, message };
  }
}
