/**
 * The lineage tables also take what is stored beside the journal: the git ledger (bindings, written by
 * git hooks and the editor's commit watcher) and the editor's rewrite log. Both are append-only JSONL
 * files written by other processes, so the index tails them the way it tails the journal: before a
 * lineage query it folds the complete lines past the offset it reached (kept in lin_source, so in the
 * snapshot too). A file that became shorter than the offset was replaced: it is folded again from the
 * start (folding is idempotent). Lines that do not parse are skipped (the ledger's own verify names them).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { z } from 'zod';
import { parseEntryLine } from '../../chain/chainEntry';
import { ledgerFile } from '../../git/gitLedger';
import { Binding } from '../../git/gitRecords';
import { rewriteLogFile } from '../../lineage/rewriteLog';
import type { LineageIndex } from './lineageIndex';

const RewriteLine = z.object({ later: z.string().min(1).max(200), earlier: z.string().min(1).max(200), time: z.string().max(40) });

/** Complete lines of `file` past `offset`, and the offset after the last of them. */
function tail(file: string, offset: number): { lines: string[]; offset: number } | null {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return null;
  }
  if (size < offset) offset = 0;
  if (size === offset) return null;
  const buf = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return null;
  return { lines: buf.subarray(0, end).toString('utf8').split('\n'), offset: offset + end + 1 };
}

/** Folds what the ledger and the rewrite log gained since last time. Returns the lines folded. */
export function foldLineageSources(home: string, lineage: LineageIndex): number {
  let folded = 0;
  const ledger = tail(ledgerFile(home), lineage.sourceOffset('ledger'));
  if (ledger) {
    for (const text of ledger.lines) {
      if (!text.trim()) continue;
      try {
        const entry = parseEntryLine(text);
        const b = entry.op === 'put' ? Binding.safeParse(entry.record) : null;
        if (b?.success) {
          lineage.putBinding(b.data);
          folded++;
        }
      } catch {
        // damaged line: `lineagelens verify` reports it
      }
    }
    lineage.setSourceOffset('ledger', ledger.offset);
  }
  const rewrites = tail(rewriteLogFile(home), lineage.sourceOffset('rewrites'));
  if (rewrites) {
    for (const text of rewrites.lines) {
      if (!text.trim()) continue;
      let parsed;
      try {
        parsed = RewriteLine.safeParse(JSON.parse(text));
      } catch {
        continue;
      }
      if (!parsed.success) continue;
      lineage.putObservedRewrite(parsed.data.later, parsed.data.earlier, parsed.data.time);
      folded++;
    }
    lineage.setSourceOffset('rewrites', rewrites.offset);
  }
  return folded;
}
