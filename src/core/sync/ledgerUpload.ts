/**
 * The git ledger's records (bindings, review marks, rewrites; `<home>/git/ledger.jsonl`) travel to the team
 * server too, so it can answer blame without a git checkout. They need no upload chain of their own: every
 * ledger record has a stable id (a binding's derives from commit, path and edit; a rewrite's from its
 * pairs) and is never changed, so the server stores each id once and a resend changes nothing.
 *
 * What each server acknowledged is kept as the highest ledger seq in `<home>/sync/ledger-state.json`,
 * written (fsync'd, renamed) only after the server's 200: a crash or a lost answer resends, never skips.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseEntryLine } from '../chain/chainEntry';
import { ledgerFile } from '../git/gitLedger';
import { GitRecord } from '../git/gitRecords';
import { UploadSource } from './uploadChain';

/** Most ledger records one upload request may carry. */
export const MAX_LEDGER_BATCH = 1_000;

/** `POST /api/v1/bindings`: git ledger records, validated one by one with the ledger's own schema. */
export const LedgerUploadBatch = z
  .object({
    source: UploadSource.describe("the uploader's outbox source id (which local store sent them)"),
    records: z.array(GitRecord).min(1).max(MAX_LEDGER_BATCH),
  })
  .strict();
export type LedgerUploadBatch = z.infer<typeof LedgerUploadBatch>;

const LedgerSyncState = z.object({ acked: z.record(z.string(), z.number().int().nonnegative()) });

export interface LedgerLine {
  seq: number;
  /** The record as JSON text (what the ledger chained), sent as is. */
  json: string;
  repoId: string | null;
  kind: GitRecord['kind'];
}

function stateFile(syncDir: string): string {
  return path.join(syncDir, 'ledger-state.json');
}

export function ledgerAcked(syncDir: string, server: string): number {
  const file = stateFile(syncDir);
  if (!existsSync(file)) return 0;
  const parsed = LedgerSyncState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? (parsed.data.acked[server] ?? 0) : 0;
}

export function ackLedger(syncDir: string, server: string, seq: number): void {
  const file = stateFile(syncDir);
  let state: z.infer<typeof LedgerSyncState> = { acked: {} };
  if (existsSync(file)) {
    const parsed = LedgerSyncState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) state = parsed.data;
  }
  state.acked[server] = Math.max(seq, state.acked[server] ?? 0);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/**
 * Ledger records after `afterSeq`, oldest first. Damaged lines are skipped (`lineagelens verify` reports
 * them); records that are not valid ledger records are never sent.
 */
export function pendingLedgerLines(home: string, afterSeq: number): LedgerLine[] {
  const file = ledgerFile(home);
  if (!existsSync(file)) return [];
  const out: LedgerLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    let entry;
    try {
      entry = parseEntryLine(text);
    } catch {
      continue;
    }
    if (entry.seq <= afterSeq || entry.op !== 'put') continue;
    const parsed = GitRecord.safeParse(entry.record);
    if (!parsed.success) continue;
    const r = parsed.data;
    const repoId = r.kind === 'review' ? ('repoId' in r.target ? r.target.repoId : null) : r.repoId;
    out.push({ seq: entry.seq, json: JSON.stringify(entry.record), repoId, kind: r.kind });
  }
  return out;
}
