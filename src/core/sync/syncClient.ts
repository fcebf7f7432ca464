/**
 * Uploads the outbox to a team server in batches, oldest first. Exactly-once effect: every entry keeps
 * its chain position from the outbox, the server ignores positions it already holds, and the outbox
 * marks entries acknowledged only after the server's answer. Transient failures (network errors, 429,
 * 5xx) are retried with exponential backoff and full jitter; permanent ones (bad token, a rejected
 * batch) stop with the server's message.
 */
import * as path from 'node:path';
import { ackLedger, ledgerAcked, MAX_LEDGER_BATCH, pendingLedgerLines } from './ledgerUpload';
import { Outbox, OutboxError, type OutboxLine } from './outbox';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Consecutive failed attempts before giving up (Infinity: keep trying). */
  maxAttempts: number;
}

export interface SyncOptions {
  serverUrl: string;
  token: string;
  /** Entries per request (default 500), and a byte cap per request (default 4 MiB). */
  batchSize?: number;
  maxBatchBytes?: number;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
  /** For tests of the backoff: the sleep between attempts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Only git ledger records of these repository ids (default: all); review marks of a session or edit always go. */
  repos?: readonly string[];
}

export type SyncEvent =
  | { type: 'batch'; entries: number; accepted: number; duplicate: number; pending: number }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'rewind'; toSeq: number }
  | { type: 'ledger'; records: number; accepted: number; duplicate: number };

export interface SyncResult {
  sent: number;
  accepted: number;
  duplicate: number;
  pending: number;
  /** Git ledger records (bindings, reviews, rewrites) the server acknowledged in this run. */
  ledger?: { sent: number; accepted: number; duplicate: number };
}

export class SyncError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 500, maxMs: 30_000, maxAttempts: 8 };

/** Full jitter: a random delay between half and all of the exponential step. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new SyncError('sync aborted', null));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new SyncError('sync aborted', null));
    }, { once: true });
  });

/** The server URL as the outbox's key: scheme, host, port and path, without a trailing slash. */
export function serverKey(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SyncError(`server URL must be http(s): ${serverUrl}`, null);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

function takeBatch(pending: OutboxLine[], size: number, maxBytes: number): OutboxLine[] {
  const out: OutboxLine[] = [];
  let bytes = 0;
  for (const line of pending) {
    if (out.length >= size || (out.length > 0 && bytes + line.json.length > maxBytes)) break;
    out.push(line);
    bytes += line.json.length + 1;
  }
  return out;
}

interface Answer {
  status: number;
  body: { error?: string; accepted?: number; duplicate?: number; conflicting?: number; head?: { seq: number; hash: string } } | null;
}

async function post(url: string, token: string, body: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body, signal });
  let parsed: Answer['body'] = null;
  try {
    parsed = (await res.json()) as Answer['body'];
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed };
}

export async function syncOutbox(outbox: Outbox, options: SyncOptions): Promise<SyncResult> {
  const key = serverKey(options.serverUrl);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const sleep = options.sleep ?? defaultSleep;
  let size = options.batchSize ?? 500;
  const maxBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  const result: SyncResult = { sent: 0, accepted: 0, duplicate: 0, pending: outbox.pending(key).length };
  let attempt = 0;
  for (;;) {
    const pending = outbox.pending(key);
    result.pending = pending.length;
    if (pending.length === 0) {
      // Records first (blame's prompt excerpts come from them), then the git ledger.
      result.ledger = await syncLedger(outbox, key, options, policy, sleep);
      return result;
    }
    const batch = takeBatch(pending, size, maxBytes);
    const body = `{"source":${JSON.stringify(outbox.source)},"entries":[${batch.map((l) => l.json).join(',')}]}`;
    const { status, body: reply } = await postBatch(`${key}/api/v1/records`, options, body);
    if (status === 200 && reply) {
      attempt = 0;
      outbox.ack(key, batch[batch.length - 1]!.seq);
      result.sent += batch.length;
      result.accepted += reply.accepted ?? 0;
      result.duplicate += reply.duplicate ?? 0;
      options.onEvent?.({ type: 'batch', entries: batch.length, accepted: reply.accepted ?? 0, duplicate: reply.duplicate ?? 0, pending: pending.length - batch.length });
      continue;
    }
    if (status === 409 && reply?.head && reply.head.seq < batch[0]!.seq - 1) {
      // The server holds less than we thought (restored from a backup, or an ack got lost the other
      // way): resend from where its chain ends.
      try {
        outbox.rewind(key, reply.head.seq);
      } catch (err) {
        throw new SyncError((err as OutboxError).message, 409);
      }
      options.onEvent?.({ type: 'rewind', toSeq: reply.head.seq });
      continue;
    }
    if (status === 413 && size > 1) {
      size = Math.max(1, Math.floor(batch.length / 2));
      continue;
    }
    const transient = status === 0 || status === 429 || status >= 500;
    const message = reply?.error ?? `HTTP ${status}`;
    if (!transient) throw new SyncError(`the server refused the upload (HTTP ${status}): ${message}`, status);
    attempt++;
    if (attempt >= policy.maxAttempts) throw new SyncError(`giving up after ${attempt} attempts: ${message}`, status || null);
    const delayMs = backoffDelay(attempt - 1, policy);
    options.onEvent?.({ type: 'retry', attempt, delayMs, reason: message });
    await sleep(delayMs, options.signal);
  }
}

export { Outbox };

/** One upload request; a network failure is status 0 (transient), an abort ends the sync. */
async function postBatch(url: string, options: SyncOptions, body: string): Promise<Answer> {
  try {
    return await post(url, options.token, body, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw new SyncError('sync aborted', null);
    return { status: 0, body: { error: (err as Error).message } };
  }
}

/**
 * Uploads the git ledger records the server has not acknowledged (`POST /api/v1/bindings`), in batches,
 * with the same retry policy. Idempotent by record id on the server, so a resend changes nothing.
 */
async function syncLedger(outbox: Outbox, key: string, options: SyncOptions, policy: RetryPolicy, sleep: NonNullable<SyncOptions['sleep']>): Promise<NonNullable<SyncResult['ledger']>> {
  const home = path.dirname(outbox.dir);
  const repos = options.repos && options.repos.length > 0 ? new Set(options.repos) : null;
  const all = pendingLedgerLines(home, ledgerAcked(outbox.dir, key));
  const total = { sent: 0, accepted: 0, duplicate: 0 };
  let size = Math.min(options.batchSize ?? 500, MAX_LEDGER_BATCH);
  const maxBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  let attempt = 0;
  let at = 0;
  // A server from before `human-change` facts (lineagelens.git/2) refuses a batch holding one (400): they
  // are derived data that server cannot use, so the batch is sent again without them.
  let skipHumanChanges = false;
  while (at < all.length) {
    const batch: typeof all = [];
    let bytes = 0;
    for (let i = at; i < all.length && batch.length < size; i++) {
      if (batch.length > 0 && bytes + all[i]!.json.length > maxBytes) break;
      batch.push(all[i]!);
      bytes += all[i]!.json.length + 1;
    }
    const lastSeq = batch[batch.length - 1]!.seq;
    const chosen = batch.filter((l) => (!repos || l.repoId === null || repos.has(l.repoId)) && !(skipHumanChanges && l.kind === 'human-change'));
    if (chosen.length === 0) {
      ackLedger(outbox.dir, key, lastSeq);
      at += batch.length;
      continue;
    }
    const body = `{"source":${JSON.stringify(outbox.source)},"records":[${chosen.map((l) => l.json).join(',')}]}`;
    const { status, body: reply } = await postBatch(`${key}/api/v1/bindings`, options, body);
    if (status === 200 && reply) {
      attempt = 0;
      ackLedger(outbox.dir, key, lastSeq);
      at += batch.length;
      total.sent += chosen.length;
      total.accepted += reply.accepted ?? 0;
      total.duplicate += (reply.duplicate ?? 0) + (reply.conflicting ?? 0);
      options.onEvent?.({ type: 'ledger', records: chosen.length, accepted: reply.accepted ?? 0, duplicate: reply.duplicate ?? 0 });
      continue;
    }
    if (status === 413 && size > 1) {
      size = Math.max(1, Math.floor(batch.length / 2));
      continue;
    }
    // A server from before the git binding: records still synced; the ledger waits for an upgrade.
    if (status === 404) return total;
    if (status === 400 && !skipHumanChanges && chosen.some((l) => l.kind === 'human-change') && /human-change|kind/i.test(reply?.error ?? '')) {
      skipHumanChanges = true;
      options.onEvent?.({ type: 'retry', attempt: 0, delayMs: 0, reason: 'the server does not know people\'s changes over AI lines (lineagelens.git/2): sending the ledger without them' });
      continue;
    }
    const transient = status === 0 || status === 429 || status >= 500;
    const message = reply?.error ?? `HTTP ${status}`;
    if (!transient) throw new SyncError(`the server refused the git ledger upload (HTTP ${status}): ${message}`, status);
    attempt++;
    if (attempt >= policy.maxAttempts) throw new SyncError(`giving up after ${attempt} attempts: ${message}`, status || null);
    const delayMs = backoffDelay(attempt - 1, policy);
    options.onEvent?.({ type: 'retry', attempt, delayMs, reason: message });
    await sleep(delayMs, options.signal);
  }
  return total;
}
