/**
 * The inter-process lock that serialises appends to the journal (the extension, hook processes and CLI
 * commands may all write at once). It is held only for one append (read the head, write, fdatasync), so
 * milliseconds.
 *
 * Mechanism: the lock file holds `{pid, host, token, since}` and appears with that content at once: it
 * is written under a private name and hard-linked into place (link fails if the lock exists), so a
 * process killed while taking the lock never leaves an empty lock behind. A lock is stale
 * when its process is gone (same host, pid no longer exists) or when it is older than `staleMs` (a pid
 * can be reused, and no append takes that long). Breaking a stale lock is itself serialised by a second
 * O_EXCL file (`.break`), and the breaker re-reads the lock under it and removes it only if it still
 * holds the stale content it judged: two processes that both saw the same dead owner can never remove a
 * lock that a third one has just taken. A `.break` file left by a process killed in those few
 * microseconds is removed once it is `breakStaleMs` old.
 *
 * Why not `proper-lockfile`: it judges staleness only by mtime and keeps the lock alive with a timer,
 * which a blocked event loop can miss; here a dead owner is detected at once by its pid (the crash case
 * that matters), and there is no dependency to ship.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { StoreLockError } from '../storeErrors';
import { nodeStoreFs, type StoreFs } from '../storeFs';

export interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export interface JournalLockOptions {
  fs?: StoreFs;
  /** A lock older than this is stale whoever holds it. */
  staleMs?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
  breakStaleMs?: number;
}

export interface LockLease {
  readonly owner: LockOwner;
  /** Releases the lock; false when it had been broken as stale meanwhile (reported by the caller). */
  release(): Promise<boolean>;
}

export class JournalLock {
  private readonly fs: StoreFs;
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly breakStaleMs: number;
  private readonly host = hostname();
  private swept = false;

  constructor(
    readonly file: string,
    options: JournalLockOptions = {},
  ) {
    this.fs = options.fs ?? nodeStoreFs;
    this.staleMs = options.staleMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.breakStaleMs = options.breakStaleMs ?? 10_000;
  }

  async acquire(): Promise<LockLease> {
    if (!this.swept) {
      this.swept = true;
      await this.sweepLeftovers();
    }
    const started = Date.now();
    const owner: LockOwner = { pid: process.pid, host: this.host, token: randomUUID(), since: '' };
    for (let attempt = 0; ; attempt++) {
      owner.since = new Date().toISOString();
      if (await this.tryCreate(owner)) return this.lease(owner);
      const holder = await this.readHolder();
      if (holder === 'gone') continue;
      if (this.isStale(holder)) {
        await this.breakStale(holder.raw);
        continue;
      }
      if (Date.now() - started > this.timeoutMs) {
        const who = holder.owner ? `process ${holder.owner.pid} on ${holder.owner.host} since ${holder.owner.since}` : 'another process';
        throw new StoreLockError(`the provenance store is locked by ${who} (${this.file}); gave up after ${this.timeoutMs} ms`);
      }
      await sleep(Math.min(1 + attempt, 20) * (0.5 + Math.random()));
    }
  }

  private async tryCreate(owner: LockOwner): Promise<boolean> {
    const mine = `${this.file}.${process.pid}.tmp`;
    try {
      await this.fs.writeFile(mine, JSON.stringify(owner));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.fs.mkdir(path.dirname(this.file), { recursive: true });
      return false;
    }
    try {
      await this.fs.link(mine, this.file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await this.fs.unlink(mine).catch(() => undefined);
    }
  }

  /** Removes private lock files (`journal.lock.<pid>.tmp`) of processes killed while taking the lock. */
  private async sweepLeftovers(): Promise<void> {
    const prefix = `${path.basename(this.file)}.`;
    const names = await this.fs.readdir(path.dirname(this.file)).catch(() => [] as string[]);
    for (const name of names) {
      const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -'.tmp'.length)) : NaN;
      if (Number.isInteger(pid) && pid !== process.pid && !processExists(pid)) {
        await this.fs.unlink(path.join(path.dirname(this.file), name)).catch(() => undefined);
      }
    }
  }

  private async readHolder(): Promise<{ raw: string; owner: LockOwner | null; ageMs: number } | 'gone'> {
    try {
      const [raw, stat] = await Promise.all([this.fs.readFile(this.file), this.fs.stat(this.file)]);
      const text = raw.toString('utf8');
      return { raw: text, owner: parseOwner(text), ageMs: Date.now() - stat.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw err;
    }
  }

  private isStale(holder: { owner: LockOwner | null; ageMs: number }): boolean {
    if (holder.ageMs > this.staleMs) return true;
    // Locks appear with their content (see tryCreate): an unreadable one was damaged by something else.
    if (!holder.owner) return holder.ageMs > 2_000;
    return holder.owner.host === this.host && !processExists(holder.owner.pid);
  }

  private async breakStale(observed: string): Promise<void> {
    const breaker = `${this.file}.break`;
    let handle;
    try {
      handle = await this.fs.open(breaker, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await this.fs.stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > this.breakStaleMs) await this.fs.unlink(breaker).catch(() => undefined);
      else await sleep(1);
      return;
    }
    try {
      await handle.close();
      const now = await this.fs.readFile(this.file).then((b) => b.toString('utf8'), () => null);
      if (now === observed) await this.fs.unlink(this.file).catch(() => undefined);
    } finally {
      await this.fs.unlink(breaker).catch(() => undefined);
    }
  }

  private lease(owner: LockOwner): LockLease {
    let released = false;
    return {
      owner,
      release: async () => {
        if (released) return true;
        released = true;
        const now = await this.fs.readFile(this.file).then((b) => parseOwner(b.toString('utf8')), () => null);
        if (now?.token !== owner.token) return false;
        await this.fs.unlink(this.file);
        return true;
      },
    };
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' ? (v as LockOwner) : null;
  } catch {
    return null;
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
