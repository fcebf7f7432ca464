/**
 * The capture pipeline: observed document changes in, provenance records out. Runs off the editor's hot
 * path on batches drained from the change queue, strictly in order (a batch waits for the previous one).
 *
 *   classify (claims) ──► AI / external: edit event + session record ──► write
 *                    └──► human: only updates dispositions of earlier AI edits (undo = rejected, ...)
 */
import type { Acceptor, EditEvent, FileRef, ProvenanceRecord } from '../model/schema';
import { ChangeClassifier, type ObservedChange } from './classifier';
import { DEFAULT_UNDO_WINDOW_MS, DispositionTracker } from './dispositions';
import { buildEditEvent } from './editEvents';
import { SessionRecords } from './sessionRecords';
import { DEFAULT_IDLE_GAP_MS, SessionGrouper } from './sessions';

/** How long a clean-after change waits for the file watcher's report of a disk write. */
export const DISK_REPORT_WAIT_MS = 1_000;

export interface FileFacts {
  file: FileRef;
  acceptor: Acceptor | null;
}

export interface CapturePipelineOptions {
  /** Where the document lives, relative to its repository; undefined for documents we do not record (untitled, output...). */
  resolveFile(uri: string): Promise<FileFacts | undefined>;
  write(records: ProvenanceRecord[]): Promise<void>;
  /**
   * Called with every classified change (AI ones with the ids of their records; `reload` for a write on
   * disk the editor reloaded), e.g. for line tracking.
   */
  onClassified?(change: ObservedChange, ai: { recordIds: string[] } | undefined, reload?: boolean): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /**
   * Whether this change was a reload from disk: the document (still at this version) equals the file on
   * disk. Asked only for changes that may be one (a disk write was reported next to them).
   */
  isReload?(change: ObservedChange): Promise<boolean>;
  idleGapMs?: number;
  undoWindowMs?: number;
}

export interface CaptureCounts {
  aiEvents: number;
  humanEvents: number;
  externalEvents: number;
  unrecordedEvents: number;
  recordsWritten: number;
  writeFailures: number;
}

export class CapturePipeline {
  readonly classifier = new ChangeClassifier();
  private readonly dispositions: DispositionTracker;
  private readonly grouper: SessionGrouper;
  private readonly sessions = new SessionRecords();
  /** AI edits still inside their undo window, by id, so a disposition change can re-write them. */
  private readonly recent = new Map<string, EditEvent>();
  private readonly undoWindowMs: number;
  private queue: Promise<void> = Promise.resolve();
  readonly counts: CaptureCounts = { aiEvents: 0, humanEvents: 0, externalEvents: 0, unrecordedEvents: 0, recordsWritten: 0, writeFailures: 0 };

  constructor(private readonly options: CapturePipelineOptions) {
    this.undoWindowMs = options.undoWindowMs ?? DEFAULT_UNDO_WINDOW_MS;
    this.dispositions = new DispositionTracker(this.undoWindowMs);
    this.grouper = new SessionGrouper(options.idleGapMs ?? DEFAULT_IDLE_GAP_MS);
  }

  /** Queue a batch; resolves when it (and everything before it) has been written. */
  process(batch: readonly ObservedChange[]): Promise<void> {
    const run = this.queue.then(() => this.processNow(batch));
    this.queue = run.catch((err: unknown) => this.options.log('error', `capture batch failed: ${(err as Error).message}`));
    return this.queue;
  }

  /** Resolves once everything queued so far is written. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async processNow(batch: readonly ObservedChange[]): Promise<void> {
    const out: ProvenanceRecord[] = [];
    for (const change of batch) {
      const cls = this.classifier.classify({ ...change, cleanAfter: await this.confirmReload(change) });
      if (cls.kind === 'human') {
        this.counts.humanEvents++;
        this.applyDispositions(change, [], out);
        this.options.onClassified?.(change, undefined);
        continue;
      }
      const facts = await this.options.resolveFile(change.uri);
      if (!facts) {
        this.counts.unrecordedEvents++;
        this.options.onClassified?.(change, undefined, cls.kind === 'external');
        continue;
      }
      if (cls.kind === 'ai') this.counts.aiEvents++;
      else this.counts.externalEvents++;
      const claim = cls.claim;
      const ids: string[] = [];
      const idsByChange: (string | undefined)[] = [];
      for (const c of change.changes) {
        idsByChange.push(undefined);
        if (c.text.length === 0) continue; // a pure deletion inserts nothing to attribute
        const session = this.grouper.assign({
          tool: claim.tool.name,
          ...(claim.conversationId ? { conversationId: claim.conversationId } : {}),
          time: change.time,
          file: facts.file.path,
        });
        const edit = buildEditEvent({
          change: c,
          claim,
          time: change.time,
          sessionId: session.id,
          file: facts.file,
          acceptor: facts.acceptor,
          // Inline completions are accepted by the keypress itself; agent edits wait for Keep/Undo.
          disposition: claim.method === 'keybinding' ? 'accepted' : 'pending',
        });
        ids.push(edit.id);
        idsByChange[idsByChange.length - 1] = edit.id;
        out.push(edit, this.sessions.addEdit(edit, c.text, { ...(claim.conversationId ? { conversationId: claim.conversationId } : {}), repo: facts.file.repo, capture: edit.capture }));
        if (cls.kind === 'ai') {
          this.recent.set(edit.id, edit);
          this.dispositions.track({ id: edit.id, uri: change.uri, offset: c.offset, insertedText: c.text, replacedLength: c.length, time: change.time, disposition: edit.disposition });
        }
      }
      this.applyDispositions(change, idsByChange, out);
      // Only AI text is drawn as AI; an unvouched external write is tracked as not-AI text.
      this.options.onClassified?.(change, cls.kind === 'ai' ? { recordIds: ids } : undefined, cls.kind === 'external');
    }
    this.forgetOld(batch.length ? batch[batch.length - 1]!.time : Date.now());
    if (out.length === 0) return;
    try {
      await this.options.write(out);
      this.counts.recordsWritten += out.length;
    } catch (err) {
      this.counts.writeFailures++;
      this.options.log('error', `could not store ${out.length} provenance records: ${(err as Error).message}`);
      throw err;
    }
  }

  /**
   * A change the editor reported as leaving its document clean may be a reload from disk. That flag
   * alone is not proof (the editor reports the first edit after a save as clean too), so: wait a moment
   * for the file watcher's report (they travel separately), then have the document compared with the
   * disk. Off the hot path, and only for such changes.
   */
  private async confirmReload(change: ObservedChange): Promise<boolean> {
    if (!change.cleanAfter || change.reason !== undefined || !this.options.isReload) return false;
    const waitUntil = change.time + DISK_REPORT_WAIT_MS;
    while (!this.classifier.hasDiskChangeFor(change) && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!this.classifier.hasDiskChangeFor(change)) return false;
    try {
      return await this.options.isReload(change);
    } catch {
      return false;
    }
  }

  private applyDispositions(change: ObservedChange, ownIds: readonly (string | undefined)[], out: ProvenanceRecord[]): void {
    const updates = this.dispositions.observe(change, ownIds);
    for (const u of updates) {
      const edit = this.recent.get(u.id);
      if (!edit) continue;
      // 'pending' agent edits become accepted when redone; inline ones were accepted from the start.
      const updated: EditEvent = { ...edit, disposition: u.disposition };
      this.recent.set(u.id, updated);
      out.push(updated);
      const session = this.sessions.setDisposition(edit.sessionId, edit.id, u.disposition === 'rejected');
      if (session) out.push(session);
    }
  }

  private forgetOld(now: number): void {
    for (const [id, edit] of this.recent) {
      if (now - Date.parse(edit.time) > this.undoWindowMs * 2) this.recent.delete(id);
    }
  }
}
