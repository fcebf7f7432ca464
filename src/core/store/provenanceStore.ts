/**
 * The local provenance store: the one API the extension and the CLI read and write through.
 *
 *   append(records) -> privacy applied, chained, group-committed to the journal, acknowledged after fsync
 *   query(...)      -> the sql.js index (in the store worker by default), paged
 *   getRecords(...) -> full records, read from the journal by location and validated
 *   prune(...)      -> retention, recorded in the chain
 *
 * Threads: appends run here with asynchronous I/O (their CPU work is sliced; see recordPreparer.ts), so
 * an acknowledgement never waits behind the index; the index (SQLite in WebAssembly, replay, snapshots)
 * runs in a worker thread. `index: 'none'` opens an append-only store for short-lived hook processes,
 * which then never load SQLite at all.
 */
import { ProvenanceRecord } from '../model/schema';
import { DEFAULT_PRIVACY_LEVEL, PrivacyLevel } from '../privacy/privacyLevel';
import type { IndexApi } from './indexApi';
import type { LineageAnswer, LineageQuery } from './index/lineageQuery';
import type { ProvenanceHit, ProvenanceQuery, QueryPage } from './index/indexQuery';
import type { IndexStats, SnapshotPolicy, SnapshotResult } from './index/indexService';
import type { JournalLockOptions } from './journal/journalLock';
import { type AppendReceipt, JournalWriter } from './journal/journalWriter';
import { pruneJournal, type PruneOptions, type PruneResult } from './journal/retention';
import { prepareRecords } from './recordPreparer';
import type { ProblemSink } from './storeErrors';
import type { StoreFs } from './storeFs';
import { resolveStoreHome, type StoreLayout, storeLayout } from './storeHome';
import { openManifest, type StoreManifest } from './storeManifest';
import { InProcessIndex } from './worker/inProcessIndex';
import { WorkerIndex } from './worker/workerIndex';

export interface OpenStoreOptions {
  /** Store directory; default: resolveStoreHome() (`$LINEAGELENS_HOME` or `~/.lineagelens`). */
  home?: string;
  /** How much of prompts and code is kept; applied before anything is written. Default `redacted`. */
  privacy?: PrivacyLevel;
  /** Where the index runs: a worker thread (default), this thread, or nowhere (append-only). */
  index?: 'worker' | 'inProcess' | 'none';
  onProblem?: ProblemSink;
  snapshots?: Partial<SnapshotPolicy>;
  journal?: { maxSegmentBytes?: number; maxBatchEntries?: number; lock?: JournalLockOptions };
  /** The sql.js wasm file, when it is not next to the code (see sqlEngine.ts). */
  wasmPath?: string;
  /** Path of storeWorker.js, when it is not next to the code. */
  workerPath?: string;
  /** Compute lineage facts for the index's lineage edges (default true; false only to measure their cost). */
  lineage?: boolean;
  /** Fault injection for tests: the file operations appends use. */
  fs?: StoreFs;
}

export type { AppendReceipt };

export interface StoreStats extends IndexStats {
  home: string;
  privacy: PrivacyLevel;
}

/** Page size, cursor, and `order: 'newest'` for newest first. */
export type PageOptions = Pick<ProvenanceQuery, 'limit' | 'cursor' | 'order'>;

export interface AppendOptions {
  /**
   * The records were just parsed with the zod schema (ProvenanceRecord / parseRecord) at the caller's
   * own boundary, e.g. an import reading JSONL: skip validating them a second time (it is the largest
   * per-record cost). Never set it for records built in code.
   */
  alreadyValidated?: boolean;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<ProvenanceStore> {
  const home = options.home ?? resolveStoreHome();
  const layout = storeLayout(home);
  const privacy = PrivacyLevel.parse(options.privacy ?? DEFAULT_PRIVACY_LEVEL);
  const onProblem = options.onProblem ?? (() => undefined);
  const manifest = await openManifest(layout, { create: true });
  const mode = options.index ?? 'worker';
  const tickMs = 1_000;
  let index: IndexApi | null = null;
  if (mode === 'worker') {
    const init = { home, storeId: manifest.storeId, wasmPath: options.wasmPath, snapshots: options.snapshots, tickMs };
    index = new WorkerIndex(init, onProblem, options.workerPath);
  } else if (mode === 'inProcess') {
    index = await InProcessIndex.open({ layout, storeId: manifest.storeId, onProblem, wasmPath: options.wasmPath, snapshots: options.snapshots }, tickMs);
  }
  const writer = new JournalWriter(layout, { onProblem, fs: options.fs, ...options.journal });
  // An append-only store (hooks) computes no lineage facts: whoever indexes its records reads them back
  // from the journal, where the facts are computed from the whole record.
  return new ProvenanceStore(layout, manifest, privacy, writer, index, options.fs, options.lineage ?? mode !== 'none');
}

export class ProvenanceStore {
  readonly home: string;
  private closed = false;
  /** Preparation runs one append at a time, in call order (it is CPU work on this thread anyway). */
  private preparing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly layout: StoreLayout,
    readonly manifest: StoreManifest,
    readonly privacy: PrivacyLevel,
    private readonly writer: JournalWriter,
    private readonly index: IndexApi | null,
    private readonly fs?: StoreFs,
    private readonly lineageFacts = true,
  ) {
    this.home = layout.home;
    if (index) writer.onCommitted((batch) => index.fold(batch));
  }

  /**
   * Stores records (a record with an id already stored replaces it: the latest put wins). Resolves once
   * they are durable; rejects with RecordValidationError (nothing written) or StoreWriteError (nothing
   * acknowledged).
   */
  async append(records: readonly ProvenanceRecord[], options: AppendOptions = {}): Promise<AppendReceipt> {
    const prepared = this.preparing.then(() => prepareRecords(records, this.privacy, { alreadyValidated: options.alreadyValidated, lineage: this.lineageFacts }));
    this.preparing = prepared.catch(() => undefined);
    return this.writer.append(prepared);
  }

  async query(query: ProvenanceQuery): Promise<QueryPage> {
    return this.requireIndex().query(query);
  }

  /**
   * A lineage question (index/lineageQuery.ts) answered from the lineage edges the index keeps as
   * records, git-ledger bindings and editor-seen rewrites are stored (docs/lineage.md).
   */
  lineage<Q extends LineageQuery>(query: Q): Promise<LineageAnswer<Q>> {
    return this.requireIndex().lineage(query);
  }

  /** The live AI ranges of a file: edits not rejected that inserted lines, in the order they happened. */
  fileProvenance(repoId: string | null, path: string, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ repoId, path, ...page });
  }

  /** The live AI edits covering one (0-based) line of a file. */
  lineProvenance(repoId: string | null, path: string, line: number, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ repoId, path, line, ...page });
  }

  /** A session's record and all its edits. */
  sessionRecords(sessionId: string, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ sessionId, ...page });
  }

  /** Records whose time is in [since, until), ordered by time. */
  recordsBetween(since: string | undefined, until: string | undefined, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ since, until, ...page });
  }

  recordsByTool(tool: string | undefined, model: string | undefined, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ tool, model, ...page });
  }

  repositoryRecords(repoId: string | null, page: PageOptions = {}): Promise<QueryPage> {
    return this.query({ repoId, ...page });
  }

  /**
   * Whether a record with this id is stored: one lookup in the index, nothing read from the journal or
   * validated (cheaper than getRecords when only existence matters, e.g. to skip what was imported).
   */
  async hasRecord(id: string): Promise<boolean> {
    return (await this.hasRecords([id]))[0]!;
  }

  /** hasRecord for many ids in one round trip, answers in the same order. */
  async hasRecords(ids: readonly string[]): Promise<boolean[]> {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new TypeError('hasRecords takes an array of record ids (strings)');
    if (ids.length === 0) return [];
    return this.requireIndex().hasRecords(ids);
  }

  /** Full records by seq or by record id (null where absent), validated as they leave the store. */
  async getRecords(keys: readonly (number | string)[]): Promise<(ProvenanceRecord | null)[]> {
    return this.requireIndex().getRecords(keys);
  }

  /** Every page of a query, for exports and tests (mind the memory on large stores). */
  async queryAll(query: Omit<ProvenanceQuery, 'cursor'>): Promise<ProvenanceHit[]> {
    const hits: ProvenanceHit[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.query({ ...query, ...(cursor ? { cursor } : {}) });
      hits.push(...page.hits);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return hits;
  }

  /** Drops entries appended more than `olderThanDays` days ago; the removal is itself a chain entry. */
  async prune(options: PruneOptions): Promise<PruneResult> {
    // Fold the lineage queue while every queued record's journal line is still there to read its facts
    // from (retention blanks the lines it removes), so lineage after a prune is what it would have been
    // had the queue been folded before.
    // Lineage is secondary: a failure here must not stop retention.
    if (this.index && this.lineageFacts) await this.index.lineage({ op: 'counts' }).catch(() => undefined);
    const result = await this.writer.exclusive((session) => pruneJournal(session, this.layout, options, this.fs));
    // A snapshot still holds index rows of what was just removed: replace it soon.
    if (result.removed > 0 && this.index) await this.index.snapshot();
    return result;
  }

  async stats(): Promise<StoreStats> {
    return { ...(await this.requireIndex().stats()), home: this.home, privacy: this.privacy };
  }

  /** Snapshots the index now (normally done when idle). */
  async snapshot(): Promise<SnapshotResult> {
    return this.requireIndex().snapshot();
  }

  /** Waits for pending appends, snapshots if much is unsaved, and stops the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
    await this.index?.close();
  }

  /** For `using`-style disposal by the extension's Container. */
  dispose(): Promise<void> {
    return this.close();
  }

  private requireIndex(): IndexApi {
    if (this.closed) throw new Error('the provenance store is closed');
    if (!this.index) throw new Error('this provenance store was opened append-only (index: "none"); it cannot answer queries');
    return this.index;
  }
}
