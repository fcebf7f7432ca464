import * as vscode from 'vscode';
import type { ObservedChange } from '../../core/capture/classifier';
import { AttributionTracker, type AiLine } from '../../core/tracking';
import type { Log } from '../log';

interface TrackedDocument {
  tracker: AttributionTracker;
  /** The document version the tracker reflects. */
  version: number;
}

/**
 * Which characters of each open document are AI-written, kept true through every change in the order
 * capture classified them (AI changes carry the ids of their records, everything else is human).
 * Runs on capture's batches, off the hot path; the gutter, hover and status bar read from it.
 */
export class DocumentTracking implements vscode.Disposable {
  private readonly docs = new Map<string, TrackedDocument>();
  private readonly emitter = new vscode.EventEmitter<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: Log) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.docs.delete(d.uri.toString())),
    ];
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** Fires with a document's uri when its AI attribution changed. */
  get onDidChange(): vscode.Event<string> {
    return this.emitter.event;
  }

  private open(doc: vscode.TextDocument): void {
    const uri = doc.uri.toString();
    if (this.docs.has(uri) || doc.uri.scheme === 'output') return;
    this.docs.set(uri, { tracker: AttributionTracker.fromText(doc.getText()), version: doc.version });
  }

  /** Called by capture for every classified change, in document order. */
  apply(change: ObservedChange, aiRecordIds: readonly string[] | undefined): void {
    const doc = this.docs.get(change.uri);
    if (!doc || change.version <= doc.version) return; // already part of the text the tracker started from
    try {
      let k = 0;
      // Content changes of one event apply one after the other, as the extension host applies them.
      for (const c of change.changes) {
        const origin = aiRecordIds && c.text.length > 0 ? { ai: aiRecordIds[k++] ?? aiRecordIds[aiRecordIds.length - 1]! } : 'human';
        doc.tracker.applyChange({ offset: c.offset, length: c.length, text: c.text }, origin);
      }
      doc.version = change.version;
      if (aiRecordIds?.length || doc.tracker.spans().length > 0) this.emitter.fire(change.uri);
    } catch (err) {
      // Out of sync (a change was missed): start again from the document's text, keeping nothing we cannot vouch for.
      this.log.warn(`line tracking lost sync with a document and restarted: ${(err as Error).message}`);
      const live = vscode.workspace.textDocuments.find((d) => d.uri.toString() === change.uri);
      if (live) this.docs.set(change.uri, { tracker: AttributionTracker.fromText(live.getText()), version: live.version });
      else this.docs.delete(change.uri);
      this.emitter.fire(change.uri);
    }
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
