/**
 * The audit log: who read or exported what on the team server (never content: the user, the time, the
 * endpoint, its query and how many results it answered). Append-only and hash-chained like the journal:
 *
 *   hash = SHA-256(prev + canonicalJson(entry without hash))     prev = hash of the entry before, or 64 zeros
 *
 * so editing, removing or reordering an entry of an export breaks a link that `lineagelens server audit
 * verify` names. Pure: the server appends entries; this file defines their shape and checks a log.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../chain/canonicalJson';
import { GENESIS_HASH } from '../chain/chainEntry';

export const AuditEntry = z
  .object({
    seq: z.number().int().positive(),
    time: z.string().min(1).max(40),
    userId: z.number().int().nullable(),
    user: z.string().max(200).nullable(),
    /** The route's name (bounded) and the path asked for. */
    endpoint: z.string().min(1).max(100),
    path: z.string().max(500),
    query: z.string().max(2000),
    status: z.number().int(),
    /** How many results the answer held (records, points, lines); null where it is not a list. */
    results: z.number().int().nonnegative().nullable(),
    prev: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;

export type AuditFields = Omit<AuditEntry, 'seq' | 'prev' | 'hash'>;

export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entry.prev).update(canonicalJson(entry)).digest('hex');
}

/** The next entry after (seq, hash) of the log's head. */
export function nextAuditEntry(head: { seq: number; hash: string }, fields: AuditFields): AuditEntry {
  const entry = { ...fields, seq: head.seq + 1, prev: head.hash };
  return { ...entry, hash: auditHash(entry) };
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  head: string | null;
  problems: { line: number; message: string }[];
}

/**
 * Checks a log given as JSONL lines (an export). It may start after seq 1 (an export "after" a seq): the
 * first entry's prev is then taken on trust, every later link is checked.
 */
export function verifyAuditLines(lines: Iterable<string>): AuditVerification {
  const problems: AuditVerification['problems'] = [];
  let prev: AuditEntry | null = null;
  let entries = 0;
  let firstSeq: number | null = null;
  let n = 0;
  for (const text of lines) {
    n++;
    if (!text.trim()) continue;
    let entry: AuditEntry;
    try {
      entry = AuditEntry.parse(JSON.parse(text));
    } catch {
      problems.push({ line: n, message: `line ${n} is not an audit entry` });
      continue;
    }
    entries++;
    firstSeq ??= entry.seq;
    const { hash, ...rest } = entry;
    if (auditHash(rest) !== hash) problems.push({ line: n, message: `entry ${entry.seq}: its hash does not recompute (the entry was changed)` });
    if (prev === null) {
      if (entry.seq === 1 && entry.prev !== GENESIS_HASH) problems.push({ line: n, message: 'entry 1 does not start from the genesis hash' });
    } else {
      if (entry.seq !== prev.seq + 1) problems.push({ line: n, message: `entry ${entry.seq} follows entry ${prev.seq}: entries are missing or reordered` });
      if (entry.prev !== prev.hash) problems.push({ line: n, message: `entry ${entry.seq} does not link to entry ${prev.seq}` });
    }
    prev = entry;
  }
  return { ok: problems.length === 0, entries, firstSeq, lastSeq: prev?.seq ?? null, head: prev?.hash ?? null, problems };
}
