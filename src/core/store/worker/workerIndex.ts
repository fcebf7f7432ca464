/**
 * The index running in a worker thread, seen from the thread that opened the store: every call is a
 * message, every answer a promise. The worker does not keep the process alive while no call is pending
 * (a CLI that forgets close() still exits).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProvenanceRecord } from '../../model/schema';
import type { IndexApi } from '../indexApi';
import type { LineageAnswer, LineageQuery } from '../index/lineageQuery';
import type { ProvenanceQuery, QueryPage } from '../index/indexQuery';
import type { FoldBatch, IndexStats, SnapshotResult } from '../index/indexService';
import type { ProblemSink } from '../storeErrors';
import { packFoldBatch } from './foldTransport';
import type { FromWorker, IndexMethod, ToWorker, WorkerInit } from './protocol';

/** Where the worker's code is: next to this file, both in dist/ (bundled) and in out/ (tsc). */
export function storeWorkerPath(dir: string = __dirname): string {
  return path.join(dir, 'storeWorker.js');
}

export class WorkerIndex implements IndexApi {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(init: WorkerInit, onProblem: ProblemSink, workerPath: string = storeWorkerPath()) {
    this.worker = new Worker(workerPath, { workerData: init });
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'problem') return onProblem(message.problem);
      const call = message.id === null ? undefined : this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id!);
      if (this.pending.size === 0) this.worker.unref();
      if (message.type === 'result') call.resolve(message.value);
      else call.reject(Object.assign(new Error(message.message), { name: message.name }));
    });
    this.worker.on('error', (err) => this.fail(new Error(`the store worker failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`the store worker stopped (exit code ${code})`)));
  }

  fold(batch: FoldBatch): void {
    if (!this.failure) this.post({ type: 'fold', batch: packFoldBatch(batch) });
  }

  query(query: ProvenanceQuery): Promise<QueryPage> {
    return this.call('query', query);
  }

  lineage<Q extends LineageQuery>(query: Q): Promise<LineageAnswer<Q>> {
    return this.call('lineage', query);
  }

  hasRecords(ids: readonly string[]): Promise<boolean[]> {
    return this.call('hasRecords', ids);
  }

  getRecords(keys: readonly (number | string)[]): Promise<(ProvenanceRecord | null)[]> {
    return this.call('getRecords', keys);
  }

  stats(): Promise<IndexStats> {
    return this.call('stats');
  }

  snapshot(): Promise<SnapshotResult> {
    return this.call('snapshot');
  }

  catchUp(): Promise<number> {
    return this.call('catchUp');
  }

  /** Never throws: a worker that failed has already failed every call and reported why. */
  async close(): Promise<SnapshotResult | null> {
    try {
      return this.failure ? null : await this.call<SnapshotResult | null>('close');
    } catch {
      return null;
    } finally {
      this.failure ??= new Error('the provenance store is closed');
      await this.worker.terminate();
    }
  }

  private call<T>(method: IndexMethod, arg?: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.ref();
      this.post({ type: 'call', id, method, arg });
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const call of this.pending.values()) call.reject(this.failure);
    this.pending.clear();
  }
}
