/**
 * SQLite WAL checkpoints off the ingest path (Lite server).
 *
 * In WAL mode every commit appends pages to the -wal file; a checkpoint copies them back into the
 * database file and fsyncs both. By default the connection that commits runs it (every 1,000 pages),
 * so about one ingest batch in three also paid for copying and two fsyncs: measured at ~24 us per
 * record of the server thread's wall time (100,000 records of 500 per batch), a fifth of its ingest.
 *
 * Here a thread of its own, with its own connection to the same file, runs PASSIVE checkpoints: they
 * copy what was committed without blocking a writer or a reader. It looks every 5 ms while commits
 * keep coming (so the WAL is often wholly copied when the next write begins, and that write starts the
 * WAL over from its beginning), every 100 ms when idle. A WAL past `restartFrames` is started over by
 * a RESTART checkpoint, which holds the writer back (its BEGIN IMMEDIATE waits: db/writeTransaction.ts)
 * only for the frames committed since the last copy. The server's connection keeps a far larger
 * automatic checkpoint (`FALLBACK_AUTOCHECKPOINT_PAGES`) as a bound, and goes back to SQLite's default
 * if the thread stops.
 */
import { createRequire } from 'node:module';
import { type MessagePort, Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { serverThreadPath } from './threadPath';

/** SQLite's own default: what the server's connection uses when no checkpointer thread runs. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/** With the thread: the writer checkpoints by itself only past this (64 MiB of 4 KiB pages). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

export interface CheckpointerData {
  role: 'walCheckpointer';
  file: string;
  /** Between checkpoints while idle, and while commits keep coming. */
  intervalMs: number;
  busyIntervalMs: number;
  /** A WAL longer than this many frames is started over (RESTART checkpoint). */
  restartFrames: number;
}

export interface CheckpointStats {
  /** Checkpoints run. */
  runs: number;
  /** Runs that could not copy everything (a reader still needed older frames): retried next time. */
  partial: number;
  /** RESTART checkpoints, which bound the WAL under a steady stream of commits. */
  restarts: number;
  /** The last run: frames in the WAL, and how many of them are in the database file now. */
  walFrames: number;
  checkpointedFrames: number;
}

type FromThread = { type: 'stats'; stats: CheckpointStats } | { type: 'error'; message: string };
type ToThread = 'stop' | 'stats';

export interface WalCheckpointerOptions {
  /** Default 100 ms idle, 5 ms while commits come. */
  intervalMs?: number;
  busyIntervalMs?: number;
  /** Default 4,096 frames (16 MiB of 4 KiB pages). */
  restartFrames?: number;
  /** The thread script (tests: a missing one, to exercise the fallback). */
  script?: string;
  log?: (message: string) => void;
}

export function isCheckpointerData(data: unknown): data is CheckpointerData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'walCheckpointer';
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private latest: CheckpointStats = { runs: 0, partial: 0, restarts: 0, walFrames: 0, checkpointedFrames: 0 };
  private waiting: ((stats: CheckpointStats) => void)[] = [];
  private stopped = false;
  private closing = false;
  private readonly exited: Promise<void>;

  /** Starts checkpointing `file`, which `writer` (the server's connection) has open in WAL mode. */
  constructor(
    writer: BetterSqlite3.Database,
    file: string,
    options: WalCheckpointerOptions = {},
  ) {
    const data: CheckpointerData = { role: 'walCheckpointer', file, intervalMs: options.intervalMs ?? 100, busyIntervalMs: options.busyIntervalMs ?? 5, restartFrames: options.restartFrames ?? 4_096 };
    writer.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    this.worker = new Worker(options.script ?? serverThreadPath(), { workerData: data });
    this.worker.unref();
    const fallBack = (why: string) => {
      if (this.stopped) return;
      this.stopped = true;
      if (writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      if (!this.closing) options.log?.(`WAL checkpoints: the background thread stopped (${why}); the server's connection checkpoints by itself again`);
      this.settleWaiting();
    };
    this.worker.on('message', (message: FromThread) => {
      if (message.type === 'stats') {
        this.latest = message.stats;
        this.settleWaiting();
      } else fallBack(message.message);
    });
    this.worker.on('error', (err) => fallBack(err.message));
    this.exited = new Promise((resolve) => this.worker.once('exit', (code) => {
      fallBack(`exit code ${code}`);
      resolve();
    }));
  }

  /** False once the thread has stopped (closed, or failed: the writer checkpoints by itself then). */
  get running(): boolean {
    return !this.stopped;
  }

  /** The thread's figures after its next checkpoint (the last ones at once if it has stopped). */
  nextStats(): Promise<CheckpointStats> {
    if (this.stopped) return Promise.resolve(this.latest);
    this.worker.postMessage('stats' satisfies ToThread);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Stops the thread after its current checkpoint; the writer checkpoints by itself from then on. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.stopped) this.worker.postMessage('stop' satisfies ToThread);
    await this.exited;
  }

  private settleWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(this.latest);
  }
}

/** The thread's side: its own connection; checkpoints until told to stop. */
export function runWalCheckpointer(data: CheckpointerData, port: MessagePort): void {
  const post = (message: FromThread) => port.postMessage(message);
  let db: BetterSqlite3.Database;
  try {
    const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
    db = new Database(data.file, { fileMustExist: true });
    // A RESTART checkpoint waits this long for the writer's current transaction (see below).
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    post({ type: 'error', message: `could not open ${data.file}: ${(err as Error).message}` });
    return;
  }
  const stats: CheckpointStats = { runs: 0, partial: 0, restarts: 0, walFrames: 0, checkpointedFrames: 0 };
  let statsWanted = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    db.close();
    port.close();
  };
  const run = () => {
    try {
      // [{ busy, log, checkpointed }]: frames in the WAL, and how many of them are in the database file now.
      let [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      stats.runs++;
      // The WAL starts over only when a write begins while every frame is checkpointed, which a steady
      // stream of commits may never allow: past a bound, a RESTART checkpoint holds the next writer
      // back for the few frames committed since this run, then lets it start the WAL over.
      if (result && result.log > data.restartFrames) {
        [result] = db.pragma('wal_checkpoint(RESTART)') as typeof result[];
        stats.restarts++;
      }
      const copied = result ? result.checkpointed - stats.checkpointedFrames : 0;
      if (result) {
        stats.walFrames = result.log;
        stats.checkpointedFrames = result.checkpointed;
        if (result.checkpointed < result.log) stats.partial++;
      }
      if (statsWanted) {
        statsWanted = false;
        post({ type: 'stats', stats: { ...stats } });
      }
      // While commits keep coming, look again soon, so the WAL is often wholly copied when the next
      // write begins (and that write starts it over); when idle, every interval.
      timer = setTimeout(run, copied !== 0 ? data.busyIntervalMs : data.intervalMs);
    } catch (err) {
      post({ type: 'error', message: `checkpoint failed: ${(err as Error).message}` });
      stop();
    }
  };
  timer = setTimeout(run, data.intervalMs);
  port.on('message', (message: ToThread) => {
    if (stopped) return;
    if (message === 'stop') stop();
    else statsWanted = true;
  });
}
