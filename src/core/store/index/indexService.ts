/**
 * Keeps the index in step with the journal: loads the latest snapshot (or starts empty), replays the
 * journal past it, folds this process's own commits directly, catches up with other processes' appends
 * before every read, and snapshots when idle. Runs inside the store worker (or in-process for one-shot
 * CLI commands); everything here is synchronous except loading the SQLite engine.
 *
 * Damaged input never stops it: a line that does not parse is reported with its position, copied to
 * quarantine/ and skipped; a snapshot that does not check out is reported and the index is rebuilt
 * from the journal.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GENESIS_HASH, parseEntryLine } from '../../chain/chainEntry';
import { parseRecord } from '../../model/version';
import type { ProvenanceRecord } from '../../model/schema';
import { threadCpuMs } from '../../util/threadCpu';
import { loadSqlEngine, defaultWasmPath } from '../sqlEngine';
import type { ProblemSink } from '../storeErrors';
import type { StoreLayout } from '../storeHome';
import { type JournalLine, type JournalPosition, readJournal, readLineAt, START_POSITION } from '../journal/journalReader';
import type { CommittedBatch, JournalLocation } from '../journal/journalWriter';
import { listSegmentsSync, segmentName } from '../journal/segments';
import type { ProvenanceQuery, QueryPage } from './indexQuery';
import { type IndexOp, indexOpOfEntry } from './indexRow';
import { type IndexMigration, INDEX_MIGRATIONS, INDEX_SCHEMA_VERSION, IndexVersionError, LINEAGE_SCHEMA_VERSION } from './indexSchema';
import { LineageQuery } from './lineageQuery';
import { foldLineageSources } from './lineageSources';
import { formatIssues } from '../../model/version';
import { readSnapshot, type SnapshotHeader, writeSnapshot } from './indexSnapshot';
import { type IndexCounts, ProvenanceIndex } from './provenanceIndex';

export interface SnapshotPolicy {
  /** Write snapshots at all (off when the snapshot on disk belongs to a newer LineageLens). */
  enabled: boolean;
  /**
   * Snapshot only after this long without folds or reads; secondary indexes deferred by a bulk load are
   * built after this long too (if no query needed them before), ahead of the snapshot.
   */
  idleMs: number;
  /** At most one idle snapshot per this interval (stretched to 50x the last snapshot's duration). */
  minIntervalMs: number;
  /** On close, snapshot if at least this many entries were folded since the last one. */
  onCloseMinEntries: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { enabled: true, idleMs: 5_000, minIntervalMs: 60_000, onCloseMinEntries: 1_000 };

export interface IndexServiceOptions {
  layout: StoreLayout;
  storeId: string;
  onProblem: ProblemSink;
  wasmPath?: string;
  snapshots?: Partial<SnapshotPolicy>;
  migrations?: readonly IndexMigration[];
  /** Writes the snapshot file (default: writeSnapshot in this thread; the store worker hands it to a low-priority thread). */
  writeSnapshotFile?: (file: string, header: Omit<SnapshotHeader, 'dbBytes' | 'dbSha256' | 'createdAt'>, db: Uint8Array) => boolean;
}

/** A commit of this process, folded without reading it back when the index is exactly at its start. */
export type FoldBatch = CommittedBatch;

export interface IndexStats extends IndexCounts {
  lastSeq: number;
  position: JournalPosition;
  loadedFrom: 'snapshot' | 'journal';
  /** Entries replayed from the journal when the index was opened. */
  replayedAtOpen: number;
  /** Entries folded since the last snapshot. */
  unsnapshotted: number;
  snapshot: { lastSeq: number; bytes: number; createdAt: string } | null;
  /** CPU time used so far by the thread the index runs in (the store worker, normally); null where unknown. */
  threadCpuMs: number | null;
}

export interface SnapshotResult {
  written: boolean;
  bytes: number;
  ms: number;
  /** Of `ms`, the part spent copying the database out of SQLite (the rest: hashing, writing, fsync). */
  exportMs?: number;
  lastSeq: number;
  reason?: string;
}

const APPLY_CHUNK = 5_000;
/** Most entries folded in one transaction (a query waits for the transaction in front of it). */
const FOLD_CHUNK = 10_000;

export class IndexService {
  private position: JournalPosition = START_POSITION;
  private lastSeq = 0;
  private lastHash = GENESIS_HASH;
  private lastLocation: JournalLocation | null = null;
  private unsnapshotted = 0;
  private lastActivity = Date.now();
  private lastSnapshotAt = 0;
  private lastSnapshotMs = 0;
  private snapshotInfo: IndexStats['snapshot'] = null;
  private replayedAtOpen = 0;
  private loadedFrom: IndexStats['loadedFrom'] = 'journal';
  private readonly policy: SnapshotPolicy;

  static async open(options: IndexServiceOptions): Promise<IndexService> {
    const SQL = await loadSqlEngine(options.wasmPath ?? defaultWasmPath());
    const policy = { ...DEFAULT_SNAPSHOT_POLICY, ...options.snapshots };
    const report = (reason: string) =>
      options.onProblem({ kind: 'snapshot_unusable', message: `the index snapshot ${options.layout.snapshotFile} is unusable (${reason}); rebuilding the index from the journal` });
    const migrations = options.migrations ?? INDEX_MIGRATIONS;
    const schemaVersion = migrations.at(-1)?.version ?? INDEX_SCHEMA_VERSION;
    let loaded: { index: ProvenanceIndex; header: SnapshotHeader } | null = null;
    const snap = readSnapshot(options.layout.snapshotFile);
    if (snap && !snap.ok) report(snap.reason);
    if (snap?.ok) {
      const { header } = snap;
      if (header.storeId !== options.storeId) report('it belongs to another store');
      else if (header.schemaVersion > schemaVersion) {
        report(`it was written by a newer LineageLens (index schema ${header.schemaVersion}); it is left as it is and not overwritten`);
        policy.enabled = false;
      } else if (!lastEntryMatches(options.layout, header)) report('it does not match the journal');
      // Written before the index had lineage tables: rebuilt from the journal once, which fills them.
      else if (header.schemaVersion < LINEAGE_SCHEMA_VERSION && schemaVersion >= LINEAGE_SCHEMA_VERSION) loaded = null;
      else {
        try {
          loaded = { index: ProvenanceIndex.open(SQL, snap.db, migrations), header };
        } catch (err) {
          if (err instanceof IndexVersionError) {
            policy.enabled = false;
            report(`it was written by a newer LineageLens (index schema ${err.found}); it is left as it is and not overwritten`);
          } else report(`its database does not open: ${(err as Error).message}`);
        }
      }
    }
    const service = new IndexService(options, policy, loaded?.index ?? ProvenanceIndex.open(SQL, undefined, migrations));
    if (loaded) service.resumeFrom(loaded.header);
    service.replayedAtOpen = service.catchUp();
    return service;
  }

  private constructor(
    private readonly options: IndexServiceOptions,
    policy: SnapshotPolicy,
    private readonly index: ProvenanceIndex,
  ) {
    this.policy = policy;
    index.lineage.journalDir = options.layout.journalDir;
  }

  private resumeFrom(header: SnapshotHeader): void {
    this.position = header.position;
    this.lastSeq = header.lastSeq;
    this.lastHash = header.lastHash;
    this.lastLocation = header.lastLocation;
    this.snapshotInfo = { lastSeq: header.lastSeq, bytes: header.dbBytes, createdAt: header.createdAt };
    this.loadedFrom = 'snapshot';
  }

  /** Folds every complete journal line past the current position. Returns the number of entries folded. */
  catchUp(): number {
    if (!this.journalMayHaveGrown()) return 0;
    const ops: IndexOp[] = [];
    let folded = 0;
    const result = readJournal(this.options.layout.journalDir, this.position, (line) => {
      const op = this.opOfLine(line);
      if (!op) return;
      ops.push(op);
      folded++;
      if (ops.length >= APPLY_CHUNK) this.index.apply(ops.splice(0));
    });
    this.index.apply(ops);
    this.position = result.position;
    if (folded > 0) this.touched(folded);
    return folded;
  }

  /** A commit of this process: applied directly when the index is exactly where it starts. */
  fold(batch: FoldBatch): void {
    this.foldAll([batch]);
  }

  /**
   * Commits of this process, in order. Consecutive ones that continue where the index is are applied
   * together, in one transaction per FOLD_CHUNK entries: a transaction's commit writes every page it
   * touched, so a backlog of small batches costs much less applied at once. The index's position moves
   * only once a transaction has committed, so a failure leaves it where the journal can be re-read from.
   */
  foldAll(batches: readonly FoldBatch[]): void {
    let ops: IndexOp[] = [];
    let next: { position: JournalPosition; lastSeq: number; lastHash: string; lastLocation: JournalLocation } | null = null;
    const flush = () => {
      if (!next) return;
      this.index.apply(ops);
      this.position = next.position;
      this.lastSeq = next.lastSeq;
      this.lastHash = next.lastHash;
      this.lastLocation = next.lastLocation;
      this.touched(ops.length);
      ops = [];
      next = null;
    };
    for (const batch of batches) {
      let position: JournalPosition = next?.position ?? this.position;
      if (batch.lastSeq <= (next?.lastSeq ?? this.lastSeq)) continue; // already read back from the journal
      // Usually the index is right at the batch's start; a catch-up may also have read part of it (it was
      // being written): then the rest is applied from where the index is.
      if (batch.segment === position.segment + 1 && batch.startOffset === 0 && this.atEndOfSegment(position)) {
        position = { segment: batch.segment, offset: 0, line: 0 }; // the writer started a new segment
      }
      const from = batch.segment !== position.segment ? -1 : batch.startOffset === position.offset ? 0 : batch.ops.findIndex((op) => op.op === 'put' && op.offset === position.offset);
      if (from < 0) {
        flush();
        this.catchUp(); // other processes wrote in between (or a new segment began): read it all in order
        continue;
      }
      for (let i = from; i < batch.ops.length; i++) ops.push(batch.ops[i]!);
      next = {
        position: { segment: batch.segment, offset: batch.endOffset, line: position.line + batch.ops.length - from },
        lastSeq: batch.lastSeq,
        lastHash: batch.lastHash,
        lastLocation: batch.lastLocation,
      };
      if (ops.length >= FOLD_CHUNK) flush();
    }
    flush();
  }

  query(query: ProvenanceQuery): QueryPage {
    this.catchUp();
    this.lastActivity = Date.now();
    return this.index.query(query);
  }

  /**
   * A lineage question (lineageQuery.ts), answered from the lineage tables after folding what the journal,
   * the git ledger and the rewrite log gained since the last question.
   */
  lineage(input: unknown): unknown {
    const parsed = LineageQuery.safeParse(input);
    if (!parsed.success) throw new Error(`invalid lineage query: ${formatIssues(parsed.error)}`);
    this.catchUp();
    const lineage = this.index.lineage;
    const folded = this.index.transaction(() => lineage.foldPending() + foldLineageSources(this.options.layout.home, lineage));
    if (folded > 0) this.touched(folded);
    this.lastActivity = Date.now();
    const q = parsed.data;
    switch (q.op) {
      case 'ancestry':
        return lineage.ancestry(q.nodes);
      case 'descendants':
        return lineage.descendants(q.node);
      case 'impact':
        return lineage.impact(q);
      case 'counts':
        return lineage.counts();
    }
  }

  /** Whether records with these ids are stored (the index alone answers: nothing is read from the journal). */
  hasRecords(ids: readonly string[]): boolean[] {
    this.catchUp();
    this.lastActivity = Date.now();
    return this.index.hasRecords(ids);
  }

  /** Full records by seq or by record id, read from the journal and validated; null where absent or unreadable. */
  getRecords(keys: readonly (number | string)[]): (ProvenanceRecord | null)[] {
    this.catchUp();
    this.lastActivity = Date.now();
    const locations = this.index.locate(keys);
    return keys.map((key) => {
      const location = locations.get(key);
      if (!location) return null;
      const text = readLineAt(this.options.layout.journalDir, location.segment, location.offset, location.length);
      if (text === null) return null;
      try {
        const entry = parseEntryLine(text);
        if (entry.op !== 'put' || entry.seq !== location.seq) return null; // pruned meanwhile
        return parseRecord(entry.record);
      } catch (err) {
        this.options.onProblem({
          kind: 'invalid_record',
          segment: segmentName(location.segment),
          offset: location.offset,
          message: `entry ${location.seq} cannot be read back: ${(err as Error).message}`,
        });
        return null;
      }
    });
  }

  stats(): IndexStats {
    this.catchUp();
    return {
      ...this.index.counts(),
      lastSeq: this.lastSeq,
      position: this.position,
      loadedFrom: this.loadedFrom,
      replayedAtOpen: this.replayedAtOpen,
      unsnapshotted: this.unsnapshotted,
      snapshot: this.snapshotInfo,
      threadCpuMs: threadCpuMs(),
    };
  }

  /** Writes a snapshot now (if enabled). Failures are reported, never thrown: the journal is the truth. */
  snapshot(): SnapshotResult {
    const started = performance.now();
    const result = (written: boolean, bytes: number, reason?: string): SnapshotResult => ({
      written,
      bytes,
      ms: performance.now() - started,
      lastSeq: this.lastSeq,
      ...(reason ? { reason } : {}),
    });
    if (!this.policy.enabled) return result(false, 0, 'snapshots are off for this store');
    const foldedBefore = this.unsnapshotted;
    try {
      const db = this.index.export();
      const exportMs = performance.now() - started;
      const bytes = db.length; // the writer may take the bytes over (transferred to its thread)
      const header = {
        storeId: this.options.storeId,
        schemaVersion: this.options.migrations?.at(-1)?.version ?? INDEX_SCHEMA_VERSION,
        position: this.position,
        lastSeq: this.lastSeq,
        lastHash: this.lastHash,
        lastLocation: this.lastLocation,
      };
      const written = (this.options.writeSnapshotFile ?? writeSnapshot)(this.options.layout.snapshotFile, header, db);
      this.lastSnapshotAt = Date.now();
      this.lastSnapshotMs = performance.now() - started;
      this.unsnapshotted -= foldedBefore;
      if (written) this.snapshotInfo = { lastSeq: this.lastSeq, bytes, createdAt: new Date().toISOString() };
      return { ...result(written, bytes, written ? undefined : 'a newer snapshot is already on disk'), exportMs };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.options.onProblem({ kind: 'snapshot_failed', message: `could not write the index snapshot (${code ?? (err as Error).message}); the journal still holds everything` });
      this.lastSnapshotAt = Date.now();
      return result(false, 0, code ?? 'error');
    }
  }

  /** Called periodically: snapshots when there is something new and nobody has used the store for a while. */
  tick(now = Date.now()): SnapshotResult | null {
    if (this.index.indexesDeferred && now - this.lastActivity >= this.policy.idleMs) {
      try {
        this.index.buildDeferredIndexes();
      } catch (err) {
        // Queries stay correct without them (only slower); the next query needing them tries again.
        this.options.onProblem({ kind: 'index_error', message: `building the deferred secondary indexes failed: ${(err as Error).message}` });
      }
      return null; // the build took a while: look at snapshotting on a later tick
    }
    if (!this.policy.enabled || this.unsnapshotted === 0) return null;
    if (now - this.lastActivity < this.policy.idleMs) return null;
    if (now - this.lastSnapshotAt < Math.max(this.policy.minIntervalMs, 50 * this.lastSnapshotMs)) return null;
    return this.snapshot();
  }

  close(): SnapshotResult | null {
    const result = this.policy.enabled && this.unsnapshotted >= this.policy.onCloseMinEntries ? this.snapshot() : null;
    this.index.close();
    return result;
  }

  private opOfLine(line: JournalLine): IndexOp | null {
    if (line.unterminated) {
      this.corrupt(line, 'an incomplete line at the end of an older segment (an interrupted write)');
      return null;
    }
    let entry;
    try {
      entry = parseEntryLine(line.text);
    } catch (err) {
      this.corrupt(line, (err as Error).message);
      return null;
    }
    if (entry.seq <= this.lastSeq) return null; // folded already
    const location = { segment: line.segment, offset: line.offset, length: line.length };
    this.lastSeq = entry.seq;
    this.lastHash = entry.hash;
    this.lastLocation = location;
    const op = indexOpOfEntry(entry, location);
    if ('error' in op) {
      this.options.onProblem({ kind: 'invalid_record', segment: segmentName(line.segment), line: line.line, offset: line.offset, message: op.error });
      return null;
    }
    return op;
  }

  private corrupt(line: JournalLine, reason: string): void {
    const segment = segmentName(line.segment);
    const kept = this.quarantine(`${segment}-${line.offset}.line`, line.text);
    this.options.onProblem({
      kind: 'corrupt_line',
      segment,
      line: line.line,
      offset: line.offset,
      message: `${segment} line ${line.line} (byte ${line.offset}) skipped: ${reason}${kept ? '; copied to quarantine/' : ''}`,
    });
  }

  private quarantine(name: string, text: string): boolean {
    try {
      mkdirSync(this.options.layout.quarantineDir, { recursive: true });
      const file = path.join(this.options.layout.quarantineDir, name);
      if (!existsSync(file)) writeFileSync(file, text);
      return true;
    } catch {
      this.options.onProblem({ kind: 'quarantine_failed', message: `could not copy a damaged line to ${this.options.layout.quarantineDir}` });
      return false;
    }
  }

  /** True when nothing follows `position` in its segment (or the journal had no segment at all). */
  private atEndOfSegment(position: JournalPosition): boolean {
    if (position.segment === 0) return listSegmentsSync(this.options.layout.journalDir)[0] === 1;
    try {
      return statSync(path.join(this.options.layout.journalDir, segmentName(position.segment))).size === position.offset;
    } catch {
      return false;
    }
  }

  /** Cheap check before reading: has the segment we are in grown, or a new one started? */
  private journalMayHaveGrown(): boolean {
    const dir = this.options.layout.journalDir;
    if (this.position.segment === 0) return listSegmentsSync(dir).length > 0;
    try {
      if (statSync(path.join(dir, segmentName(this.position.segment))).size > this.position.offset) return true;
    } catch {
      return true; // pruned away: re-list
    }
    return existsSync(path.join(dir, segmentName(this.position.segment + 1)));
  }

  private touched(entries: number): void {
    this.unsnapshotted += entries;
    this.lastActivity = Date.now();
  }
}

/** The snapshot's last entry is still in the journal with the same seq and hash (or was pruned away since). */
function lastEntryMatches(layout: StoreLayout, header: SnapshotHeader): boolean {
  const loc = header.lastLocation;
  if (!loc) return true;
  const text = readLineAt(layout.journalDir, loc.segment, loc.offset, loc.length);
  if (text === null) return listSegmentsSync(layout.journalDir).some((n) => n > loc.segment);
  if (text.trim() === '') return true; // blanked by a prune
  try {
    const entry = parseEntryLine(text);
    return entry.seq === header.lastSeq && entry.hash === header.lastHash;
  } catch {
    return false;
  }
}
