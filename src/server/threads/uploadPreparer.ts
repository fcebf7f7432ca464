/**
 * Upload batches prepared (JSON, zod, hash checks: api/prepareUpload.ts) in background threads, so the
 * server's own thread spends an upload's time on the database only and keeps answering other requests.
 *
 * Measured on the Lite ingest (batches of 500 records, ~1 MB): parsing, validating and hash-checking
 * take ~60 us per record, as much as SQLite's insert; receiving the prepared batch back (structured
 * clone) costs the server's thread ~15 us. A small body is prepared in place: the round trip to a
 * thread costs more than the work. A thread that fails or exits hands its waiting batches back to be
 * prepared in place (nothing is lost), and with no thread left everything is prepared in place.
 */
import { availableParallelism } from 'node:os';
import { type MessagePort, Worker } from 'node:worker_threads';
import { type PreparedUpload, prepareUpload, type UploadKind } from '../api/prepareUpload';
import { HttpError } from '../http/respond';
import { serverThreadPath } from './threadPath';

export interface UploadPreparerData {
  role: 'uploadPreparer';
}

interface PrepareRequest {
  id: number;
  kind: UploadKind;
  contentType: string | undefined;
  body: Uint8Array;
}

type PrepareReply = { id: number; prepared: PreparedUpload } | { id: number; httpError: { status: number; message: string; extra: Record<string, unknown> } } | { id: number; error: string };

export interface UploadPreparerOptions {
  /** Background threads (default: the cores but one, at least 1, at most 4). 0: always in place. */
  threads?: number;
  /** Bodies smaller than this are prepared in place (default 64 KiB). */
  minThreadBytes?: number;
  /** The thread script (tests: a missing one, to exercise the fallback). */
  script?: string;
  log?: (message: string) => void;
}

interface Pending {
  request: PrepareRequest;
  resolve: (prepared: PreparedUpload) => void;
  reject: (err: Error) => void;
}

interface PreparerThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

export function isUploadPreparerData(data: unknown): data is UploadPreparerData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'uploadPreparer';
}

export class UploadPreparer {
  private readonly threadCount: number;
  private readonly minThreadBytes: number;
  /** Started on the first large body (a server that only answers reads never starts one). */
  private threads: PreparerThread[] | null = null;
  private nextId = 1;
  private closed = false;
  /** Batches prepared in a thread and in place, since start. */
  readonly counts = { inThread: 0, inPlace: 0 };

  constructor(private readonly options: UploadPreparerOptions = {}) {
    this.threadCount = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.minThreadBytes = options.minThreadBytes ?? 64 * 1024;
  }

  /** Rejects with HttpError (415, 400) for a body that is not a valid upload batch, like prepareUpload. */
  prepare(kind: UploadKind, contentType: string | undefined, body: Uint8Array): Promise<PreparedUpload> {
    const thread = body.length >= this.minThreadBytes ? this.pickThread() : null;
    if (!thread) return this.inPlace(kind, contentType, body);
    // Copied, not transferred (a memcpy, ~0.2 us per record): if the thread dies, the bytes are still here.
    const request: PrepareRequest = { id: this.nextId++, kind, contentType, body };
    return new Promise((resolve, reject) => {
      thread.pending.set(request.id, { request, resolve, reject });
      thread.worker.postMessage(request);
    });
  }

  /**
   * Stops the threads. A batch one of them still held is prepared in place (as when a thread dies), so
   * its request gets its answer; later batches are prepared in place too.
   */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads ?? [];
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private async inPlace(kind: UploadKind, contentType: string | undefined, body: Uint8Array): Promise<PreparedUpload> {
    this.counts.inPlace++;
    return prepareUpload(kind, contentType, body);
  }

  private pickThread(): PreparerThread | null {
    if (this.closed || this.threadCount === 0) return null;
    this.threads ??= Array.from({ length: this.threadCount }, () => this.startThread());
    let best: PreparerThread | null = null;
    for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    return best;
  }

  private startThread(): PreparerThread {
    const worker = new Worker(this.options.script ?? serverThreadPath(), { workerData: { role: 'uploadPreparer' } satisfies UploadPreparerData });
    worker.unref();
    const thread: PreparerThread = { worker, pending: new Map() };
    worker.on('message', (reply: PrepareReply) => {
      const waiting = thread.pending.get(reply.id);
      if (!waiting) return;
      thread.pending.delete(reply.id);
      this.counts.inThread++;
      if ('prepared' in reply) waiting.resolve(reply.prepared);
      else if ('httpError' in reply) waiting.reject(new HttpError(reply.httpError.status, reply.httpError.message, reply.httpError.extra));
      else waiting.reject(new Error(reply.error));
    });
    let gone = false;
    // A failing thread reports 'error' and then 'exit': it is handed back once.
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.threads) this.threads = this.threads.filter((t) => t !== thread);
      if (!this.closed) this.options.log?.(`upload preparation: a background thread stopped (${why}); ${this.threads?.length ? 'the others go on' : 'uploads are prepared on the server thread'}`);
      // Its waiting batches are prepared here instead: the request still gets its answer.
      for (const { request, resolve, reject } of thread.pending.values()) this.inPlace(request.kind, request.contentType, request.body).then(resolve, reject);
      thread.pending.clear();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return thread;
  }
}

/** The thread's side: prepares each batch it is sent and answers with the result or the error. */
export function runUploadPreparer(port: MessagePort): void {
  port.on('message', (request: PrepareRequest) => {
    let reply: PrepareReply;
    try {
      reply = { id: request.id, prepared: prepareUpload(request.kind, request.contentType, request.body) };
    } catch (err) {
      if (err instanceof HttpError) reply = { id: request.id, httpError: { status: err.status, message: err.message, extra: err.extra } };
      else reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
