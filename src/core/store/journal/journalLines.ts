/**
 * Turning entries into journal lines against the chain head: seq numbers, prev links and hashes.
 * Runs under the journal lock (the head must not move meanwhile); the writer frames and writes them.
 */
import { formatEntry, type PruneDetails, putLineParts } from '../../chain/chainEntry';
import type { IndexOp } from '../index/indexRow';
import type { ChainHead } from './chainHead';
import type { JournalLocation, PreparedPut } from './journalWriter';

/** One line to write: head + body + tail (the body is a record's bytes, or empty), and its index op. */
export type Line = { head: string; body: Uint8Array | null; tail: string; seq: number; hash: string; op(location: JournalLocation): IndexOp };

export function putLines(entries: PreparedPut[]): (head: ChainHead) => Line[] {
  return (head) => {
    let prev = head.hash;
    let seq = head.seq;
    // One timestamp for the whole batch: it is the moment the batch is written.
    const at = new Date().toISOString();
    return entries.map((entry) => {
      const entrySeq = ++seq;
      const { head: lineHead, tail, hash } = putLineParts(entrySeq, prev, at, entry.json);
      prev = hash;
      return { head: lineHead, body: entry.json, tail, seq: entrySeq, hash, op: (loc) => ({ op: 'put' as const, seq: entrySeq, segment: loc.segment, offset: loc.offset, length: loc.length, fields: entry.fields }) };
    });
  };
}

export function pruneLine(head: ChainHead, prune: PruneDetails): Line {
  const seq = head.seq + 1;
  const { line, hash } = formatEntry({ seq, prev: head.hash, at: new Date().toISOString(), op: 'prune', prune });
  return { head: line, body: null, tail: '', seq, hash, op: () => ({ op: 'prune' as const, seq, toSeq: prune.removed.toSeq }) };
}
