/**
 * Appending to the journal with group commit. Appends that arrive while a commit is running (or in the
 * same tick) are written together: one lock, one write, one fdatasync. `append()` resolves only after
 * that fdatasync returned: that is the acknowledgement, and nothing else is one.
 *
 * Failure rule: if the write or the fdatasync fails (full disk, I/O error), the segment is truncated back
 * to where the batch started and every append in the batch is rejected with a StoreWriteError. If even
 * the truncation fails, the partial bytes end without a newline or hold lines nobody acknowledged; the
 * next writer cuts a torn tail off (see chainHead.ts), and stray complete lines are harmless duplicates
 * of records whose callers were told to retry (puts are idempotent by record id).
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import * as path from 'node:path';
import type { PruneDetails } from '../../chain/chainEntry';
import type { IndexOp, RowFields } from '../index/indexRow';
import { describeIoCode, type ProblemSink, StoreLockError, StoreWriteError } from '../storeErrors';
import { nodeStoreFs, type StoreFs, writeFully } from '../storeFs';
import type { StoreLayout } from '../storeHome';
import { type ChainHead, listSegments, readChainHead } from './chainHead';
import { type EncodedLines, pruneLine, putLines } from './journalLines';
import { JournalLock, type JournalLockOptions } from './journalLock';
import { DEFAULT_MAX_SEGMENT_BYTES, segmentName } from './segments';

/** A record ready to be chained: privacy applied, canonical JSON as UTF-8, and what the index keeps of it. */
export interface PreparedPut {
  json: Uint8Array;
  fields: RowFields;
}

/** Where an entry's line is: segment number, byte offset, byte length (without the newline). */
export interface JournalLocation {
  segment: number;
  offset: number;
  length: number;
}

/** One durable write, in index form: its entries are contiguous in `segment` from `startOffset` to `endOffset`. */
export interface CommittedBatch {
  segment: number;
  startOffset: number;
  endOffset: number;
  ops: IndexOp[];
  lastSeq: number;
  lastHash: string;
  lastLocation: JournalLocation;
}

/**
 * What an acknowledged append got: its entries have seqs firstSeq..lastSeq, in order (contiguous unless
 * the append was larger than one commit and another process wrote in between).
 */
export interface AppendReceipt {
  count: number;
  firstSeq: number;
  lastSeq: number;
}

export interface JournalWriterOptions {
  onProblem: ProblemSink;
  fs?: StoreFs;
  lock?: JournalLockOptions;
  maxSegmentBytes?: number;
  /** Upper bound of entries per group commit (bounds the time the lock is held). */
  maxBatchEntries?: number;
}

/** What `exclusive()` tasks (pruning) may do while they hold the lock and no append can interleave. */
export interface ExclusiveSession {
  head(): Promise<ChainHead>;
  appendPrune(details: PruneDetails): Promise<{ seq: number; segment: number }>;
  /** The task changed files under the journal: forget cached facts about them. */
  invalidate(): void;
}

type PutJob = {
  kind: 'put';
  /** Set once the entries are prepared (or failed to be); until then the job blocks the jobs behind it. */
  entries: PreparedPut[] | null;
  failed: Error | null;
  /** What was committed so far of an append split over several commits. */
  progress: AppendReceipt | null;
  ready: Promise<void>;
  resolve(receipt: AppendReceipt): void;
  reject(e: Error): void;
};

type Job =
  | PutJob
  | { kind: 'exclusive'; run(session: ExclusiveSession): Promise<void>; fail(e: Error): void };

export class JournalWriter {
  private readonly fs: StoreFs;
  private readonly lock: JournalLock;
  private readonly maxSegmentBytes: number;
  private readonly maxBatchEntries: number;
  private readonly queue: Job[] = [];
  private readonly listeners: ((batch: CommittedBatch) => void)[] = [];
  private draining: Promise<void> | null = null;
  /** Head as of our last write, trusted only while the newest segment still has the size we left it at. */
  private cachedHead: ChainHead | null = null;
  private closed = false;

  constructor(
    private readonly layout: StoreLayout,
    private readonly options: JournalWriterOptions,
  ) {
    this.fs = options.fs ?? nodeStoreFs;
    this.lock = new JournalLock(layout.lockFile, { fs: this.fs, ...options.lock });
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    this.maxBatchEntries = options.maxBatchEntries ?? 2048; // hashing a batch is one synchronous stretch: keep it short
  }

  /** Called after every durable write, in chain order (the index folds from here). */
  onCommitted(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Queues entries for the next group commit. They may still be in preparation (a promise): appends are
   * committed in the order append() was called, whatever order their preparation finishes in, so the
   * later of two puts of the same record id always wins.
   */
  append(entries: PreparedPut[] | Promise<PreparedPut[]>): Promise<AppendReceipt> {
    if (this.closed) return Promise.reject(new Error('the provenance store is closed'));
    return new Promise((resolve, reject) => {
      const job: PutJob = { kind: 'put', entries: null, failed: null, progress: null, ready: Promise.resolve(), resolve, reject };
      job.ready = Promise.resolve(entries).then(
        (prepared) => void (job.entries = prepared),
        (err: Error) => void (job.failed = err),
      );
      this.queue.push(job);
      this.kick();
    });
  }

  /** Runs `task` holding the journal lock, with no append of this process interleaving. */
  exclusive<T>(task: (session: ExclusiveSession) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the provenance store is closed'));
    return new Promise<T>((resolve, reject) => {
      let started = false;
      this.queue.push({
        kind: 'exclusive',
        run: (session) => {
          started = true;
          return task(session).then(resolve, reject);
        },
        fail: (err) => {
          if (!started) reject(err);
        },
      });
      this.kick();
    });
  }

  /** Waits for queued appends to finish, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    await nextMacrotask(); // appends made in the same tick join this commit
    while (this.queue.length > 0) {
      const first = this.queue[0]!;
      if (first.kind === 'exclusive') {
        this.queue.shift();
        await this.runExclusive(first);
        continue;
      }
      await first.ready;
      if (first.failed) {
        this.queue.shift();
        first.reject(first.failed);
        continue;
      }
      if (first.entries!.length > this.maxBatchEntries) {
        await this.commitPartOf(first);
        continue;
      }
      const jobs: PutJob[] = [];
      let count = 0;
      for (let next = this.queue[0]; next?.kind === 'put' && next.entries !== null && next.failed === null; next = this.queue[0]) {
        if (jobs.length > 0 && count + next.entries.length > this.maxBatchEntries) break;
        this.queue.shift();
        jobs.push(next);
        count += next.entries.length;
      }
      try {
        const firstSeq = count === 0 ? 0 : await this.withLock((head) => this.writeLines(head, putLines(jobs.flatMap((j) => j.entries!))));
        let seq = firstSeq;
        for (const job of jobs) {
          const n = job.entries!.length;
          const done = job.progress; // the earlier parts of an append split over several commits
          job.resolve({ count: (done?.count ?? 0) + n, firstSeq: done?.firstSeq ?? (n ? seq : 0), lastSeq: n ? seq + n - 1 : (done?.lastSeq ?? 0) });
          seq += n;
        }
      } catch (err) {
        for (const job of jobs) job.reject(err as Error);
      }
    }
  }

  /**
   * One commit's worth of an append larger than a commit. The job stays first in the queue until all of
   * it is written, so nothing of this process interleaves; other processes may, so its seqs can have gaps.
   * If a later part fails, the call is rejected although earlier parts are durable (not acknowledged is
   * not the same as not written; a retried put of the same ids replaces them).
   */
  private async commitPartOf(job: PutJob): Promise<void> {
    const part = job.entries!.splice(0, this.maxBatchEntries);
    try {
      const firstSeq = await this.withLock((head) => this.writeLines(head, putLines(part)));
      const done = job.progress ?? { count: 0, firstSeq, lastSeq: 0 };
      job.progress = { count: done.count + part.length, firstSeq: done.firstSeq, lastSeq: firstSeq + part.length - 1 };
      if (job.entries!.length === 0) {
        this.queue.shift();
        job.resolve(job.progress);
      }
    } catch (err) {
      this.queue.shift();
      job.reject(err as Error);
    }
  }

  private async runExclusive(job: Extract<Job, { kind: 'exclusive' }>): Promise<void> {
    await this.withLock(async (initialHead) => {
      let head: ChainHead | null = initialHead;
      const session: ExclusiveSession = {
        head: async () => (head ??= await this.currentHead()),
        appendPrune: async (prune) => {
          const current = (head ??= await this.currentHead());
          const seq = await this.writeLines(current, (h) => pruneLine(h, prune));
          head = this.cachedHead;
          return { seq, segment: head!.segment };
        },
        invalidate: () => {
          head = null;
          this.cachedHead = null;
        },
      };
      await job.run(session);
    }).catch((err: Error) => job.fail(err)); // a task that ran settles its own promise
  }

  private async withLock<T>(work: (head: ChainHead) => Promise<T>): Promise<T> {
    let lease;
    try {
      lease = await this.lock.acquire();
    } catch (err) {
      if (err instanceof StoreLockError) throw err;
      throw writeError(err, 'could not take the journal lock', this.layout.home);
    }
    try {
      return await work(await this.currentHead());
    } catch (err) {
      this.cachedHead = null;
      throw err;
    } finally {
      const stillOurs = await lease.release().catch(() => false);
      if (!stillOurs) {
        this.options.onProblem({ kind: 'lock_lost', message: 'the journal lock was taken over as stale while this process held it' });
      }
    }
  }

  /** The head, re-read from disk unless the newest segment is exactly as we left it. */
  private async currentHead(): Promise<ChainHead> {
    try {
      const newest = (await listSegments(this.fs, this.layout.journalDir)).at(-1) ?? 0;
      const cached = this.cachedHead;
      if (cached && cached.segment === newest && newest > 0) {
        const { size } = await this.fs.stat(this.segmentPath(newest));
        if (size === cached.size) return cached;
      }
      this.cachedHead = await readChainHead(this.layout, this.options.onProblem, this.fs);
      return this.cachedHead;
    } catch (err) {
      throw writeError(err, 'could not read the end of the journal', this.layout.home);
    }
  }

  /** Builds the lines against the head (rotating first if the newest segment is full), makes them durable, returns the first seq. */
  private async writeLines(initialHead: ChainHead, build: (head: ChainHead) => EncodedLines): Promise<number> {
    const head = initialHead.segment === 0 || initialHead.size >= this.maxSegmentBytes ? await this.rotate(initialHead) : initialHead;
    const { data, lines } = build(head);
    const ops: IndexOp[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      ops[i] = line.op({ segment: head.segment, offset: head.size + line.start, length: line.length });
    }
    const file = this.segmentPath(head.segment);
    try {
      const handle = await this.fs.open(file, 'a');
      try {
        await writeFully(handle, data);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      const undone = await this.truncateTo(file, head.size);
      const what = `could not append ${lines.length} provenance entr${lines.length === 1 ? 'y' : 'ies'}`;
      throw writeError(err, what, this.layout.home, undone);
    }
    const last = lines.at(-1)!;
    const lastOp = ops.at(-1)!;
    this.cachedHead = { seq: last.seq, hash: last.hash, segment: head.segment, size: head.size + data.length };
    const batch: CommittedBatch = {
      segment: head.segment,
      startOffset: head.size,
      endOffset: head.size + data.length,
      ops,
      lastSeq: last.seq,
      lastHash: last.hash,
      lastLocation: 'segment' in lastOp ? { segment: lastOp.segment, offset: lastOp.offset, length: lastOp.length } : { segment: head.segment, offset: head.size, length: data.length - 1 },
    };
    for (const listener of this.listeners) listener(batch);
    return lines[0]!.seq;
  }

  private async rotate(head: ChainHead): Promise<ChainHead> {
    const next = head.segment + 1;
    try {
      await this.fs.mkdir(this.layout.journalDir, { recursive: true });
      const handle = await this.fs.open(this.segmentPath(next), 'a');
      await handle.close();
      await this.fs.syncDir(this.layout.journalDir);
    } catch (err) {
      throw writeError(err, 'could not start a new journal segment', this.layout.home);
    }
    return { ...head, segment: next, size: 0 };
  }

  private async truncateTo(file: string, size: number): Promise<boolean> {
    try {
      const handle = await this.fs.open(file, 'r+');
      try {
        await handle.truncate(size);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      return true;
    } catch {
      return false;
    }
  }

  private segmentPath(n: number): string {
    return path.join(this.layout.journalDir, segmentName(n));
  }
}

function writeError(err: unknown, what: string, home: string, undone = true): StoreWriteError {
  if (err instanceof StoreWriteError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const tail = undone ? 'nothing was acknowledged' : 'nothing was acknowledged; the partial write will be cut off by the next append';
  return new StoreWriteError(`${what} to the provenance store at ${home}: ${describeIoCode(code)}${code ? ` (${code})` : ''}; ${tail}`, code);
}
