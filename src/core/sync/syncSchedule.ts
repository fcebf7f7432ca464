/**
 * When a background sync (the editor's) runs next, and with what settings. Pure: no timers, no I/O, so
 * the schedule and the privacy clamp are tested in plain Node with a seeded random source.
 *
 * A background run is one attempt (the editor keeps running; retrying inside one run would keep a child
 * process alive for minutes): the waiting between attempts happens here, with exponential backoff and
 * jitter after transient failures, and the regular interval otherwise.
 */
import { z } from 'zod';
import { sha256Hex } from '../model/content';
import { type PrivacyLevel, stricterLevel } from '../privacy/privacyLevel';
import { normaliseRemote } from '../git/repoInfo';
import { backoffDelay, type RetryPolicy } from './syncClient';

/** What the `lineagelens.sync.privacy` setting may ask for (`off` is a local-only level: no prompt at all). */
export const SyncPrivacy = z.enum(['full', 'redacted', 'hash']);
export type SyncPrivacy = z.infer<typeof SyncPrivacy>;

/** The level records are uploaded at: what sync asks for, but never more than the local store keeps. */
export function effectiveUploadPrivacy(asked: SyncPrivacy, local: PrivacyLevel): PrivacyLevel {
  return stricterLevel(asked, local);
}

/** How a run ended, as the schedule needs to know it. */
export type RunOutcome =
  | { ok: true; pending: number }
  /** transient: the server was unreachable, busy (429) or failing (5xx); anything else waits for the interval. */
  | { ok: false; transient: boolean };

export interface ScheduleOptions {
  intervalMs: number;
  /** Backoff after transient failures: baseMs doubling up to maxMs (maxMs is capped at the interval). */
  backoff?: Partial<Pick<RetryPolicy, 'baseMs' | 'maxMs'>>;
  random?: () => number;
}

export const BACKGROUND_BACKOFF = { baseMs: 2_000, maxMs: 5 * 60_000 };

/**
 * The delay before the next run. After a success: the interval (or at once when the run stopped with
 * records still pending). After consecutive transient failures: 2 s, 4 s, 8 s ... (each between half and
 * all of the step, so many editors do not retry in step), capped at the interval. After a permanent
 * failure (bad token, refused batch): the interval, since retrying sooner cannot help.
 */
export class SyncSchedule {
  private failures = 0;

  constructor(private readonly options: ScheduleOptions) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  next(outcome: RunOutcome): number {
    const interval = this.options.intervalMs;
    if (outcome.ok) {
      this.failures = 0;
      return outcome.pending > 0 ? 0 : interval;
    }
    if (!outcome.transient) {
      this.failures = 0;
      return interval;
    }
    this.failures++;
    const policy: RetryPolicy = {
      baseMs: this.options.backoff?.baseMs ?? BACKGROUND_BACKOFF.baseMs,
      maxMs: Math.min(interval, this.options.backoff?.maxMs ?? BACKGROUND_BACKOFF.maxMs),
      maxAttempts: Infinity,
    };
    return backoffDelay(this.failures - 1, policy, this.options.random);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Whether a failed upload's HTTP status (null: no answer at all) is worth retrying soon. */
export function isTransientStatus(status: number | null): boolean {
  return status === null || status === 0 || status === 429 || status >= 500;
}

const REPO_ID = /^[0-9a-f]{64}$/;
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|[^@/\s]+@[^:/\s]+:)/i;

/**
 * The `lineagelens.sync.repositories` entries, sorted by what they name: a repository id (as records and
 * `lineagelens log` show it), a remote URL (its id is derived the way capture derives it), or a folder on
 * this machine (the caller asks git for its id).
 */
export function classifyRepoEntries(entries: readonly string[]): { ids: string[]; folders: string[] } {
  const ids = new Set<string>();
  const folders: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    if (REPO_ID.test(entry)) ids.add(entry);
    else if (REMOTE.test(entry)) ids.add(sha256Hex(`remote:${normaliseRemote(entry)}`));
    else folders.push(entry);
  }
  return { ids: [...ids], folders };
}
