/** The index in this thread, behind the same promise API as the worker (one-shot CLI commands, tests). */
import type { ProvenanceRecord } from '../../model/schema';
import type { IndexApi } from '../indexApi';
import type { LineageAnswer, LineageQuery } from '../index/lineageQuery';
import type { ProvenanceQuery, QueryPage } from '../index/indexQuery';
import { type FoldBatch, type IndexServiceOptions, IndexService, type IndexStats, type SnapshotResult } from '../index/indexService';
import { dispatchIndexCall } from './indexDispatch';
import type { IndexMethod } from './protocol';

export class InProcessIndex implements IndexApi {
  private readonly timer: NodeJS.Timeout;

  static async open(options: IndexServiceOptions, tickMs: number): Promise<InProcessIndex> {
    return new InProcessIndex(await IndexService.open(options), options, tickMs);
  }

  private constructor(
    private readonly service: IndexService,
    private readonly options: IndexServiceOptions,
    tickMs: number,
  ) {
    this.timer = setInterval(() => service.tick(), tickMs);
    this.timer.unref();
  }

  fold(batch: FoldBatch): void {
    try {
      this.service.fold(batch);
    } catch (err) {
      this.options.onProblem({ kind: 'index_error', message: `folding into the index failed: ${(err as Error).message}` });
    }
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

  close(): Promise<SnapshotResult | null> {
    clearInterval(this.timer);
    return this.call('close');
  }

  private async call<T>(method: IndexMethod, arg?: unknown): Promise<T> {
    return dispatchIndexCall(this.service, method, arg) as T;
  }
}
