import * as vscode from 'vscode';
import type { ObservedChange } from '../../core/capture/classifier';
import type { EditEvent } from '../../core/model/schema';
import { AttributionTracker, createSnapshot, loadSnapshot, reanchor, saveSnapshot, spansFromRecords, type AiLine, type TrackingSnapshot } from '../../core/tracking';
import type { Log } from '../log';

interface TrackedDocument {
  tracker: AttributionTracker;
  /** The document version the tracker reflects. */
  version: number;
  /** The last snapshot saved for this document: where lost AI text is looked for after a reload. */
  saved?: TrackingSnapshot;
}

const TRACKED_SCHEMES = new Set(['file', 'vscode-remote', 'untitled']);
/** Rewrites remembered per editor session (oldest forgotten first). */
const MAX_REWRITES = 20_000;

/**
 * Which characters of each open document are AI-written, kept true through every change in the order
 * capture classified them (AI changes carry the ids of their records, everything else is human).
 * Runs on capture's batches, off the hot path; the gutter, hover and status bar read from it.
 */
export class DocumentTracking implements vscode.Disposable {
  private readonly docs = new Map<string, TrackedDocument>();
  private readonly rewrites = new Map<string, Set<string>>();
  private readonly emitter = new vscode.EventEmitter<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly log: Log,
    private readonly home: () => string,
    /** Resolves once every change recorded so far has reached the trackers (capture is debounced). */
    private readonly whenCurrent: () => Promise<void> = async () => undefined,
    /** Stored edit records of a document's file, for documents without saved anchors. */
    private readonly recordsFor: (uri: string) => Promise<EditEvent[]> = async () => [],
    /** Told of each rewrite seen (to keep it across restarts); called on the hot path: must only record. */
    private readonly onRewrite: (later: string, earlier: string) => void = () => undefined,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidSaveTextDocument((d) => void this.save(d.uri.toString())),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const uri = d.uri.toString();
        void this.save(uri).finally(() => this.docs.delete(uri));
      }),
    ];
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** Fires with a document's uri when its AI attribution changed. */
  get onDidChange(): vscode.Event<string> {
    return this.emitter.event;
  }

  private open(doc: vscode.TextDocument): void {
    const uri = doc.uri.toString();
    if (this.docs.has(uri) || !TRACKED_SCHEMES.has(doc.uri.scheme)) return;
    this.docs.set(uri, { tracker: AttributionTracker.fromText(doc.getText()), version: doc.version });
    void this.restore(doc);
  }

  /** Re-anchors what was saved for this document (closed and reopened, or after a restart). */
  private async restore(doc: vscode.TextDocument): Promise<void> {
    const uri = doc.uri.toString();
    const snapshot = await loadSnapshot(this.home(), uri, (m) => this.log.warn(m));
    if (!snapshot) return this.restoreFromRecords(doc);
    if (doc.isClosed || !this.docs.has(uri)) return;
    // Re-anchor onto the text the tracker reflects: wait until capture has delivered every change so far,
    // so no AI change is lost between the text read here and the tracker that replaces the current one.
    await this.whenCurrent().catch(() => undefined);
    const tracked = this.docs.get(uri);
    if (!tracked || doc.isClosed || tracked.version !== doc.version) {
      this.log.info('re-anchoring skipped: the document changed meanwhile (it is retried when the document is opened again)');
      return;
    }
    const result = reanchor(snapshot, null, doc.getText());
    const restored = AttributionTracker.fromText(doc.getText(), result.spans);
    // AI text added since the document opened is kept too.
    for (const span of tracked.tracker.spans()) restored.setOrigin(span.start, span.end, { ai: span.recordId }, span.modified);
    this.docs.set(uri, { tracker: restored, version: doc.version, saved: snapshot });
    const lost = result.outcomes.filter((o) => o.status === 'lost').length;
    if (lost > 0) this.log.info(`re-anchored a document: ${result.outcomes.length - lost} AI ranges found, ${lost} lost`);
    this.emitter.fire(uri);
  }

  /**
   * A document this editor never tracked (an agent wrote it while it was closed, an import, a teammate's
   * records): AI text is placed from the stored records where their text is verifiably there.
   */
  private async restoreFromRecords(doc: vscode.TextDocument): Promise<void> {
    const uri = doc.uri.toString();
    let records: EditEvent[];
    try {
      records = await this.recordsFor(uri);
    } catch (err) {
      this.log.warn(`could not read stored records to place AI lines: ${(err as Error).message}`);
      return;
    }
    if (records.length === 0 || doc.isClosed || !this.docs.has(uri)) return;
    await this.whenCurrent().catch(() => undefined);
    const tracked = this.docs.get(uri);
    if (!tracked || doc.isClosed || tracked.version !== doc.version) return;
    const placement = spansFromRecords(doc.getText(), records);
    if (placement.spans.length === 0) return;
    const restored = AttributionTracker.fromText(doc.getText(), placement.spans);
    for (const span of tracked.tracker.spans()) restored.setOrigin(span.start, span.end, { ai: span.recordId }, span.modified);
    this.docs.set(uri, { tracker: restored, version: doc.version });
    this.log.info(`placed ${placement.placed.length} stored AI edits in an opened document (${placement.notFound.length} no longer there)`);
    this.emitter.fire(uri);
  }

  /** Saves the document's anchors (hashes only) so they survive closing and restarts. */
  private async save(uri: string): Promise<void> {
    // A save can come right after edits still in capture's queue (or made by will-save participants).
    await this.whenCurrent().catch(() => undefined);
    const tracked = this.docs.get(uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!tracked || !doc || tracked.version !== doc.version) return;
    const spans = tracked.tracker.spans();
    if (spans.length === 0 && !tracked.saved) return; // nothing to remember, nothing to forget
    try {
      const snapshot = createSnapshot(doc.getText(), spans);
      await saveSnapshot(this.home(), uri, snapshot);
      tracked.saved = snapshot;
    } catch (err) {
      this.log.warn(`could not save line tracking: ${(err as Error).message}`);
    }
  }

  /**
   * After a reload from disk (an external write, a git checkout), AI text the change replaced may be back
   * elsewhere or again: look for the saved anchors in the new text and restore what is found exactly.
   */
  private reanchorAfterReload(uri: string, doc: TrackedDocument): void {
    const live = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!doc.saved || !live || live.version !== doc.version) return;
    const result = reanchor(doc.saved, null, live.getText());
    for (const span of result.spans) {
      if (doc.tracker.spans(span.start, span.end).length === 0) doc.tracker.setOrigin(span.start, span.end, { ai: span.recordId }, span.modified);
    }
  }

  /** Called by capture for every classified change, in document order. */
  apply(change: ObservedChange, aiRecordIds: readonly string[] | undefined, reload = false, aiByChange?: readonly (string | undefined)[]): void {
    const doc = this.docs.get(change.uri);
    if (!doc || change.version <= doc.version) return; // already part of the text the tracker started from
    try {
      let k = 0;
      // Content changes of one event apply one after the other, as the extension host applies them.
      for (const [i, c] of change.changes.entries()) {
        // Per change when capture says which ones are AI (an external write joined with an agent's report).
        const id = aiByChange ? aiByChange[i] : aiRecordIds && c.text.length > 0 ? (aiRecordIds[k++] ?? aiRecordIds[aiRecordIds.length - 1]) : undefined;
        const origin = id !== undefined && c.text.length > 0 ? { ai: id } : 'human';
        if (id !== undefined) this.noteRewrite(doc.tracker, c.offset, c.length, id);
        doc.tracker.applyChange({ offset: c.offset, length: c.length, text: c.text }, origin);
      }
      doc.version = change.version;
      if (reload) this.reanchorAfterReload(change.uri, doc);
      if (reload || aiRecordIds?.length || doc.tracker.spans().length > 0) this.emitter.fire(change.uri);
    } catch (err) {
      // Out of sync (a change was missed): start again from the document's text, keeping nothing we cannot vouch for.
      this.log.warn(`line tracking lost sync with a document and restarted: ${(err as Error).message}`);
      const live = vscode.workspace.textDocuments.find((d) => d.uri.toString() === change.uri);
      if (live) this.docs.set(change.uri, { tracker: AttributionTracker.fromText(live.getText()), version: live.version });
      else this.docs.delete(change.uri);
      this.emitter.fire(change.uri);
    }
  }

  /**
   * An AI change that lands inside or over another AI record's text rewrites it: remembered (for this
   * editor session) so the hover's ancestry can say so even when the change deleted nothing, as VS Code's
   * minimal edits often do. Touching a span's edge from outside does not count.
   */
  private noteRewrite(tracker: AttributionTracker, offset: number, length: number, id: string): void {
    const lo = Math.max(0, offset - 1);
    for (const span of tracker.spans(lo, Math.min(tracker.length, offset + length + 1))) {
      if (span.recordId === id) continue;
      const inside = length > 0 ? span.start < offset + length && offset < span.end : span.start < offset && offset < span.end;
      if (!inside) continue;
      const set = this.rewrites.get(id) ?? new Set<string>();
      if (set.has(span.recordId)) continue;
      set.add(span.recordId);
      this.rewrites.set(id, set);
      this.onRewrite(id, span.recordId);
    }
    if (this.rewrites.size > MAX_REWRITES) this.rewrites.delete(this.rewrites.keys().next().value!);
  }

  /**
   * AI records whose text now surrounds this record's text in an open document with nothing between
   * (e.g. "A B A"): B was inserted into A's text. Read from the tracker's current spans, so it holds
   * after restarts and re-anchoring too, where noting the rewrite as it happened may not have run.
   */
  enclosingRecords(uri: string, recordId: string): string[] {
    const doc = this.docs.get(uri);
    if (!doc) return [];
    const spans = doc.tracker.spans();
    const found = new Set<string>();
    for (let i = 1; i < spans.length - 1; i++) {
      const [prev, span, next] = [spans[i - 1]!, spans[i]!, spans[i + 1]!];
      if (span.recordId !== recordId || prev.recordId !== next.recordId || prev.recordId === recordId) continue;
      if (prev.end === span.start && next.start === span.end) found.add(prev.recordId);
    }
    return [...found];
  }

  /** Earlier AI records whose text this record's edit overwrote or was inserted into, as seen in the editor. */
  rewritesOf(recordId: string): readonly string[] {
    return [...(this.rewrites.get(recordId) ?? [])];
  }

  /** AI lines of a document among [fromLine, toLine). */
  aiLines(document: vscode.TextDocument, fromLine: number, toLine: number): AiLine[] {
    const doc = this.docs.get(document.uri.toString());
    if (!doc) return [];
    return doc.tracker.classifyLines(fromLine, toLine, (line) => (line < document.lineCount ? document.lineAt(line).text : ''));
  }

  /** The record behind the AI character at an offset, if any. */
  recordAt(uri: string, offset: number): { recordId: string; modified: boolean } | undefined {
    const doc = this.docs.get(uri);
    const span = doc?.tracker.spans(offset, offset + 1)[0];
    return span ? { recordId: span.recordId, modified: span.modified } : undefined;
  }

  /** Share of non-empty lines that are AI, for the status bar; undefined when the document is not tracked. */
  aiShare(document: vscode.TextDocument): { aiLines: number; lines: number } | undefined {
    if (!this.docs.has(document.uri.toString())) return undefined;
    let lines = 0;
    for (let i = 0; i < document.lineCount; i++) if (!document.lineAt(i).isEmptyOrWhitespace) lines++;
    return { aiLines: this.aiLines(document, 0, document.lineCount).length, lines };
  }

  isTracked(uri: string): boolean {
    return this.docs.has(uri);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
