/**
 * The capture pipeline: observed document changes in, provenance records out. Runs off the editor's hot
 * path on batches drained from the change queue, strictly in order (a batch waits for the previous one).
 *
 *   classify (claims) ──► AI / external: edit event + session record ──► write
 *                    └──► human: only updates dispositions of earlier AI edits (undo = rejected, ...)
 */
import type { Acceptor, EditEvent, FileRef, ProvenanceRecord } from '../model/schema';
import { DEFAULT_AGENT_JOIN_WAIT_MS, joinAgentEdit, pickAgentEdit } from './agentJoin';
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
  onClassified?(change: ObservedChange, ai: { recordIds: string[]; byChange?: (string | undefined)[] } | undefined, reload?: boolean): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /**
   * Whether this change was a reload from disk: the document (still at this version) equals the file on
   * disk. Asked only for changes that may be one (a disk write was reported next to them).
   */
  isReload?(change: ObservedChange): Promise<boolean>;
  idleGapMs?: number;
  undoWindowMs?: number;
  /**
   * Agents' own reports of their edits (hooks, transcripts, in the store). A reload of a file an agent
   * announced it would write waits up to `agentJoinWaitMs` for the agent's report and becomes one record
   * with it: the agent's prompt and model, the editor's range and disposition.
   */
  agentEdits?: AgentEditSource;
  agentJoinWaitMs?: number;
}

export interface AgentEditSource {
  /** Whether an agent announced (before writing) that it would write this document's file, around `time`. */
  announced(uri: string, time: number): Promise<boolean>;
  /** What agents reported for this file around `time`. */
  reported(file: FileRef, time: number): Promise<EditEvent[]>;
}

/** How often the store is asked again while waiting for an agent's report. */
const AGENT_POLL_MS = 100;
/** Agent records joined recently, so one report is never joined to two changes. */
const JOINED_MEMORY = 1_000;

export interface CaptureCounts {
  aiEvents: number;
  humanEvents: number;
  externalEvents: number;
  unrecordedEvents: number;
  /** External changes that became one record with an agent's report. */
  joinedEvents: number;
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
  private readonly joined = new Set<string>();
  readonly counts: CaptureCounts = { aiEvents: 0, humanEvents: 0, externalEvents: 0, unrecordedEvents: 0, joinedEvents: 0, recordsWritten: 0, writeFailures: 0 };

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
      const announced = cls.kind === 'external' && this.options.agentEdits ? await this.options.agentEdits.announced(change.uri, change.time).catch(() => false) : false;
      const ids: string[] = [];
      const idsByChange: (string | undefined)[] = [];
      /** Per content change: the record its text is attributed to as AI (tracking draws these). */
      const aiByChange: (string | undefined)[] = [];
      for (const c of change.changes) {
        idsByChange.push(undefined);
        aiByChange.push(undefined);
        if (c.text.length === 0) continue; // a pure deletion inserts nothing to attribute
        const session = this.grouper.assign({
          tool: claim.tool.name,
          ...(claim.conversationId ? { conversationId: claim.conversationId } : {}),
          time: change.time,
          file: facts.file.path,
        });
        let edit = buildEditEvent({
          change: c,
          claim,
          time: change.time,
          sessionId: session.id,
          file: facts.file,
          acceptor: facts.acceptor,
          // Inline completions are accepted by the keypress itself; agent edits wait for Keep/Undo.
          disposition: claim.method === 'keybinding' ? 'accepted' : 'pending',
        });
        const agent = announced ? await this.awaitAgentReport(edit, change.time) : undefined;
        if (agent) {
          // The agent's hook already wrote its session record: this edit only replaces the agent's record.
          edit = joinAgentEdit(agent, edit);
          this.counts.joinedEvents++;
          out.push(edit);
        } else {
          out.push(edit, this.sessions.addEdit(edit, c.text, { ...(claim.conversationId ? { conversationId: claim.conversationId } : {}), repo: facts.file.repo, capture: edit.capture }));
        }
        ids.push(edit.id);
        idsByChange[idsByChange.length - 1] = edit.id;
        if (cls.kind === 'ai' || agent) {
          aiByChange[aiByChange.length - 1] = edit.id;
          this.recent.set(edit.id, edit);
          this.dispositions.track({ id: edit.id, uri: change.uri, offset: c.offset, insertedText: c.text, replacedLength: c.length, time: change.time, disposition: edit.disposition });
        }
      }
      this.applyDispositions(change, idsByChange, out);
      // Only AI text is drawn as AI; an unvouched external write is tracked as not-AI text.
      const aiIds = aiByChange.filter((id): id is string => id !== undefined);
      this.options.onClassified?.(change, aiIds.length > 0 ? { recordIds: aiIds, byChange: aiByChange } : undefined, cls.kind === 'external');
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

  /**
   * Waits (polling the agents' reports) until the agent's record of this change shows up, or the wait is
   * over. Blocks this pipeline only for announced agent writes, and never longer than the wait.
   */
  private async awaitAgentReport(edit: EditEvent, changeTime: number): Promise<EditEvent | undefined> {
    const source = this.options.agentEdits!;
    const deadline = Date.now() + (this.options.agentJoinWaitMs ?? DEFAULT_AGENT_JOIN_WAIT_MS);
    for (;;) {
      let reported: EditEvent[] = [];
      try {
        reported = await source.reported(edit.file, changeTime);
      } catch (err) {
        this.options.log('warn', `could not read agents' reports to join an edit: ${(err as Error).message}`);
        return undefined;
      }
      const agent = pickAgentEdit(edit, reported, this.joined);
      if (agent) {
        this.joined.add(agent.id);
        if (this.joined.size > JOINED_MEMORY) this.joined.delete(this.joined.values().next().value!);
        return agent;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, AGENT_POLL_MS));
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
