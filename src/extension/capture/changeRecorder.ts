import * as vscode from 'vscode';
import { BoundedQueue } from '../../core/util/boundedQueue';
import { debounce, type Debounced } from '../../core/util/debounce';
import type { Log } from '../log';

/** One document change as seen on the hot path: references only, nothing computed or copied. */
export interface RecordedChange {
  readonly uri: string;
  readonly version: number;
  readonly time: number;
  readonly reason: vscode.TextDocumentChangeReason | undefined;
  readonly changes: readonly vscode.TextDocumentContentChangeEvent[];
  /** The document matched the disk right after the change (a reload or a revert). */
  readonly cleanAfter: boolean;
}

interface QueuedChange extends RecordedChange {
  readonly document: vscode.TextDocument;
}

const QUEUE_CAPACITY = 50_000;
const FLUSH_DELAY_MS = 50;

/**
 * Listens to document changes. The handler only records into a bounded queue; a debounced consumer
 * hands batches to whoever processes them (classification arrives with the capture issue).
 */
export class ChangeRecorder implements vscode.Disposable {
  private readonly queue = new BoundedQueue<QueuedChange>(QUEUE_CAPACITY);
  private readonly seen = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<readonly RecordedChange[]>();
  private readonly subscription: vscode.Disposable;
  private readonly scheduleFlush: Debounced;
  private reportedDrops = 0;

  constructor(private readonly log: Log) {
    this.scheduleFlush = debounce(() => this.drain(), FLUSH_DELAY_MS, FLUSH_DELAY_MS * 10, (err) =>
      this.log.error('processing recorded changes failed', err),
    );
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e));
  }

  /** Batches of recorded changes, delivered off the hot path. */
  get onDidRecord(): vscode.Event<readonly RecordedChange[]> {
    return this.emitter.event;
  }

  changesSeen(uri: string): number {
    return this.seen.get(uri) ?? 0;
  }

  flush(): Promise<void> {
    return this.scheduleFlush.flush();
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return; // dirty-state-only events carry no edit
    const uri = e.document.uri.toString();
    this.seen.set(uri, (this.seen.get(uri) ?? 0) + e.contentChanges.length);
    this.queue.push({ uri, version: e.document.version, time: Date.now(), reason: e.reason, changes: e.contentChanges, cleanAfter: !e.document.isDirty, document: e.document });
    this.scheduleFlush();
  }

  private drain(): void {
    const batch = this.queue.drain();
    if (this.queue.dropped > this.reportedDrops) {
      this.log.warn(`change queue overflowed: ${this.queue.dropped - this.reportedDrops} changes dropped`);
      this.reportedDrops = this.queue.dropped;
    }
    if (batch.length > 0) this.emitter.fire(batch.map(settledCleanAfter));
  }

  dispose(): void {
    this.scheduleFlush.cancel();
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/**
 * The dirty flag a change event carries can be stale: VS Code reports the dirty state of a document on its
 * own (a change event without content changes), and an edit landing right after the document was opened
 * has been seen to arrive still marked clean (an in-editor chat edit then passed for a reload from disk).
 * A change that truly left the document clean (a reload, a revert) keeps it clean until the next change,
 * so a document that is dirty at the same version when the batch is handed on was made dirty by it.
 */
function settledCleanAfter({ document, ...change }: QueuedChange): RecordedChange {
  if (change.cleanAfter && document.version === change.version && document.isDirty) return { ...change, cleanAfter: false };
  return change;
}
