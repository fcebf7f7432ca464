/**
 * What the store needs from its index, whether the index runs in the store worker (the editor) or in
 * this thread (one-shot CLI commands, tests). Folds are fire-and-forget and ordered before any later
 * call, so a query made after an append resolved sees that append.
 */
import type { ProvenanceRecord } from '../model/schema';
import type { ProvenanceQuery, QueryPage } from './index/indexQuery';
import type { LineageAnswer, LineageQuery } from './index/lineageQuery';
import type { FoldBatch, IndexStats, SnapshotResult } from './index/indexService';

export interface IndexApi {
  fold(batch: FoldBatch): void;
  query(query: ProvenanceQuery): Promise<QueryPage>;
  lineage<Q extends LineageQuery>(query: Q): Promise<LineageAnswer<Q>>;
  hasRecords(ids: readonly string[]): Promise<boolean[]>;
  getRecords(keys: readonly (number | string)[]): Promise<(ProvenanceRecord | null)[]>;
  stats(): Promise<IndexStats>;
  snapshot(): Promise<SnapshotResult>;
  catchUp(): Promise<number>;
  /** Snapshots if enough is unsaved, then releases everything. */
  close(): Promise<SnapshotResult | null>;
}
