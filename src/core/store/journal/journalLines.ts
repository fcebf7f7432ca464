/**
 * Turning entries into journal bytes against the chain head: seq numbers, prev links and hashes.
 * Runs under the journal lock (the head must not move meanwhile); the writer writes the bytes.
 */
import { canonicalJson } from '../../chain/canonicalJson';
import { formatEntry, type PruneDetails, putLineLength, writePutLine } from '../../chain/chainEntry';
import type { IndexOp } from '../index/indexRow';
import type { ChainHead } from './chainHead';
import type { JournalLocation, PreparedPut } from './journalWriter';

/** Lines ready to write: their bytes (each ending in a newline) and, per line, where it is in them. */
export interface EncodedLines {
  data: Buffer;
  lines: EncodedLine[];
}

export interface EncodedLine {
  seq: number;
  hash: string;
  /** Offset of the line in `data`, and its length without the newline. */
  start: number;
  length: number;
  /** The line's index op, given where the line is in the journal. */
  op(location: JournalLocation): IndexOp;
}

/** Put lines for prepared records: one buffer for the whole batch, each line hashed with one call. */
export function putLines(entries: PreparedPut[]): (head: ChainHead) => EncodedLines {
  return (head) => {
    // One timestamp for the whole batch: it is the moment the batch is written.
    const atJson = canonicalJson(new Date().toISOString());
    const lengths = new Array<number>(entries.length);
    let total = 0;
    for (let i = 0; i < entries.length; i++) total += (lengths[i] = putLineLength(head.seq + 1 + i, atJson, entries[i]!.json.length)) + 1;
    const data = Buffer.allocUnsafe(total);
    const lines: EncodedLine[] = new Array(entries.length);
    let prev = head.hash;
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const seq = head.seq + 1 + i;
      const length = lengths[i]!;
      prev = writePutLine(data, at, seq, prev, atJson, entry.json);
      data[at + length] = 0x0a;
      const fields = entry.fields;
      lines[i] = { seq, hash: prev, start: at, length, op: (loc) => ({ op: 'put', seq, segment: loc.segment, offset: loc.offset, length: loc.length, fields }) };
      at += length + 1;
    }
    return { data, lines };
  };
}

export function pruneLine(head: ChainHead, prune: PruneDetails): EncodedLines {
  const seq = head.seq + 1;
  const { line, hash } = formatEntry({ seq, prev: head.hash, at: new Date().toISOString(), op: 'prune', prune });
  const data = Buffer.from(`${line}\n`, 'utf8');
  return { data, lines: [{ seq, hash, start: 0, length: data.length - 1, op: () => ({ op: 'prune', seq, toSeq: prune.removed.toSeq }) }] };
}
