/**
 * Writing a snapshot file from a background thread at the lowest CPU priority (nice 19, Linux threads
 * have their own). Hashing and writing 200+ MB is a second of CPU; done at normal priority in the store
 * worker it competes for the cores with the thread that opened the store (the editor's), so on a busy
 * machine it shows up as that thread's stall. At nice 19 any normal thread takes the core first.
 *
 * The store worker stays synchronous: it hands the exported bytes over (transferred, not copied) and
 * sleeps in Atomics.wait until the writer is done (sleeping costs no CPU). The writer runs the same
 * `writeSnapshot` as before: temp file, fsync, rename, fsync of the directory.
 */
import { setPriority } from 'node:os';
import { type MessagePort, MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { type SnapshotHeader, writeSnapshot } from '../index/indexSnapshot';

export type SnapshotFileWriter = (file: string, header: Omit<SnapshotHeader, 'dbBytes' | 'dbSha256' | 'createdAt'>, db: Uint8Array) => boolean;

/** workerData of the writer thread (it runs the store worker's script with this role). */
export interface SnapshotWriterData {
  role: 'snapshotWriter';
  port: MessagePort;
  state: SharedArrayBuffer;
}

interface WriteRequest {
  file: string;
  header: Parameters<SnapshotFileWriter>[1];
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

type WriteReply = ({ written: boolean } | { error: { message: string; code?: string } }) & { returned?: ArrayBuffer };

const IDLE = 0;
const DONE = 1;
/** A snapshot write that takes longer than this is treated as failed (the journal still has everything). */
const WRITE_TIMEOUT_MS = 10 * 60_000;

export function isSnapshotWriterData(data: unknown): data is SnapshotWriterData {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'snapshotWriter';
}

/**
 * A writer that runs in a background thread started from `script` (the store worker's own file).
 * Falls back to writing in this thread if the background thread cannot be started.
 */
export function backgroundSnapshotWriter(script: string): SnapshotFileWriter & { warmUp(): void; close(): void } {
  let thread: { worker: Worker; port: MessagePort; state: Int32Array } | null = null;
  let unavailable = false;
  const start = () => {
    const channel = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const worker = new Worker(script, { workerData: { role: 'snapshotWriter', port: channel.port2, state: shared } satisfies SnapshotWriterData, transferList: [channel.port2] });
    worker.unref();
    worker.on('error', () => (thread = null));
    worker.on('exit', () => (thread = null));
    return { worker, port: channel.port1, state: new Int32Array(shared) };
  };
  const ensureStarted = () => {
    if (unavailable || thread) return;
    try {
      thread = start();
    } catch {
      unavailable = true;
    }
  };
  const write: SnapshotFileWriter = (file, header, db) => {
    ensureStarted();
    if (!thread) return writeSnapshot(file, header, db);
    const { port, state } = thread;
    Atomics.store(state, 0, IDLE);
    const request: WriteRequest = { file, header, buffer: db.buffer as ArrayBuffer, offset: db.byteOffset, length: db.byteLength };
    port.postMessage(request, [request.buffer]);
    if (Atomics.wait(state, 0, IDLE, WRITE_TIMEOUT_MS) === 'timed-out') {
      void thread.worker.terminate();
      thread = null;
      throw new Error('the snapshot writer thread did not finish in time');
    }
    const reply = receiveMessageOnPort(port)?.message as WriteReply | undefined;
    if (!reply) throw new Error('the snapshot writer thread gave no answer');
    if ('error' in reply) throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
    return reply.written;
  };
  return Object.assign(write, {
    /** Starts the thread now, in the background: its start-up (a second on a busy machine) then never delays a snapshot. */
    warmUp: ensureStarted,
    close: () => {
      void thread?.worker.terminate();
      thread = null;
    },
  });
}

/** The writer thread's body: lowest priority, then write every requested snapshot and wake the store worker. */
export function runSnapshotWriter(data: SnapshotWriterData): void {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ')[0]);
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19); // this thread only (Linux); raising niceness needs no privilege
  } catch {
    // not Linux: the write still happens, at normal priority
  }
  const state = new Int32Array(data.state);
  data.port.on('message', (request: WriteRequest) => {
    let reply: WriteReply;
    try {
      reply = { written: writeSnapshot(request.file, request.header, new Uint8Array(request.buffer, request.offset, request.length)) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      reply = { error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
    }
    // The bytes go back to the store worker, which drops them: an idle thread like this one would not
    // collect 200+ MB of garbage until its next snapshot (it allocates nothing in between).
    data.port.postMessage({ ...reply, returned: request.buffer }, [request.buffer]);
    Atomics.store(state, 0, DONE);
    Atomics.notify(state, 0);
  });
}
