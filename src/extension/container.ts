import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RecentRecords } from '../core/capture/recentRecords';
import type { EditEvent, ProvenanceRecord } from '../core/model/schema';
import { StoreAgentReports } from './capture/agentReports';
import { SessionFileEnricher } from './connect/sessionFileEnricher';
import { SigningKeys } from './export/signingKeys';
import { CommitWatcher } from './git/commitWatcher';
import { ReviewStatus } from './review/reviewStatus';
import { CaptureService } from './capture/captureService';
import { ChangeRecorder } from './capture/changeRecorder';
import { ChatEditingWatcher } from './capture/chatEditingWatcher';
import { ExternalWriteWatcher } from './capture/externalWriteWatcher';
import { registerInlineAcceptCommands } from './capture/inlineAcceptCommands';
import { registerPasteObserver } from './capture/pasteObserver';
import { GutterDecorator } from './gutter/gutterDecorator';
import { DocumentTracking } from './provenance/documentTracking';
import { registerProvenanceHover } from './provenance/hoverProvider';
import { LayeredRecordLookup } from './provenance/recentLookup';
import { AiShareStatusBar } from './provenance/statusBar';
import { SessionsView } from './views/sessionsView';
import { StoreService } from './store/storeService';
import { debounce } from '../core/util/debounce';
import { ServerTokens } from './sync/serverToken';
import { SyncService } from './sync/syncService';
import { SyncStatusBar } from './sync/syncStatusBar';
import { Log } from './log';
import { RewriteLog } from '../core/lineage/rewriteLog';
import type { AncestryStep } from '../core/lineage/lineageQueries';
import { storedAncestry } from '../core/lineage/storedLineage';

/**
 * The one place that creates and wires the extension's services. Every service is a Disposable owned
 * by the container; the container itself is pushed onto the extension context's subscriptions.
 */
export class Container implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: Log;
  readonly changes: ChangeRecorder;
  readonly gutter: GutterDecorator;
  readonly recent = new RecentRecords();
  readonly capture: CaptureService;
  readonly tracking: DocumentTracking;
  readonly records: LayeredRecordLookup;
  readonly store: StoreService;
  readonly sessionsView: SessionsView;
  readonly statusBar: AiShareStatusBar;
  readonly sessionFiles: SessionFileEnricher;
  readonly signingKeys: SigningKeys;
  readonly reviews: ReviewStatus;
  readonly commits: CommitWatcher;
  readonly serverTokens: ServerTokens;
  readonly sync: SyncService;
  readonly syncStatus: SyncStatusBar;
  /** Editor-seen rewrites, kept across restarts for the hover's ancestry (written in batches). */
  private readonly rewriteLog: RewriteLog;
  private readonly refreshViews = debounce(() => this.sessionsView.refresh(), 300, 2_000);

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(new Log());
    this.changes = this.own(new ChangeRecorder(this.log));
    this.store = this.own(new StoreService(context, this.log));
    this.rewriteLog = new RewriteLog(() => this.store.home, (m) => this.log.warn(m));
    this.own({ dispose: () => void this.rewriteLog.flush() });
    this.tracking = this.own(
      new DocumentTracking(
        this.log,
        () => this.store.home,
        async () => {
          await this.changes.flush();
          await this.capture.pipeline.idle();
        },
        (uri) => this.storedEditsOf(uri),
        (later, earlier) => this.rewriteLog.note(later, earlier),
      ),
    );
    this.gutter = this.own(new GutterDecorator(this.tracking, (id) => this.recent.get(id)?.tool.name));
    this.capture = this.own(new CaptureService(this.changes, (records) => this.persist(records), this.log, new StoreAgentReports(this.store)));
    this.own(this.capture.onDidClassify(({ change, aiRecordIds, aiByChange, reload }) => this.tracking.apply(change, aiRecordIds, reload, aiByChange)));
    this.records = new LayeredRecordLookup(this.recent, this.store);
    this.reviews = new ReviewStatus(() => this.store.home);
    this.own(registerProvenanceHover(this.tracking, this.records, this.reviews, (uri, editId) => this.ancestryOf(uri, editId)));
    this.statusBar = this.own(new AiShareStatusBar(this.tracking));
    this.sessionsView = this.own(
      new SessionsView(this.records, (edit) =>
        // Paths are relative to the repository root: the workspace folder that has the file is its root.
        (vscode.workspace.workspaceFolders ?? []).find((f) => existsSync(path.join(f.uri.fsPath, ...edit.file.path.split('/'))))?.uri,
      ),
    );
    const classifier = this.capture.pipeline.classifier;
    for (const d of registerInlineAcceptCommands(classifier, this.log)) this.own(d);
    this.own(new ChatEditingWatcher(classifier, this.log));
    this.own(new ExternalWriteWatcher(classifier));
    this.own(registerPasteObserver(classifier));
    this.sessionFiles = this.own(new SessionFileEnricher(context, this.store, this.log));
    this.signingKeys = new SigningKeys(context.secrets, () => this.store.home);
    // Team-server sync: idle (no timer, no child process) until enabled, trusted and signed in.
    this.serverTokens = new ServerTokens(context.secrets);
    this.sync = this.own(new SyncService({ extensionPath: context.extensionPath, store: this.store, tokens: this.serverTokens, log: this.log }));
    this.syncStatus = this.own(new SyncStatusBar(this.sync));
    this.commits = this.own(
      new CommitWatcher({
        log: this.log,
        home: () => this.store.home,
        store: () => this.store.open(),
        captureIdle: async () => {
          await this.changes.flush();
          await this.capture.pipeline.idle();
        },
      }),
    );
  }

  /**
   * The lineage of one edit, read from the store's lineage edges (kept as records and rewrites are
   * stored), plus the rewrites this editor saw that are not written yet.
   */
  private async ancestryOf(uri: string, editId: string): Promise<readonly AncestryStep[] | null> {
    await this.rewriteLog.flush();
    const store = await this.store.open();
    const ancestry = await storedAncestry(store, editId, (id) => [
      ...this.tracking.rewritesOf(id).map((earlier) => ({ earlier })),
      // Text of an earlier record on both sides of this one's: inserted into it (only earlier records count).
      ...this.tracking.enclosingRecords(uri, id).map((earlier) => ({ earlier, ifEarlier: true })),
    ]);
    return ancestry?.chain ?? null;
  }

  /** The stored edit records of a document's file (all tools, all sessions). */
  private async storedEditsOf(uri: string): Promise<EditEvent[]> {
    const facts = await this.capture.fileOf(uri);
    if (!facts) return [];
    const store = await this.store.open();
    const hits = await store.queryAll({ repoId: facts.file.repo?.id ?? null, path: facts.file.path, kind: 'edit' });
    if (hits.length === 0) return [];
    const records = await store.getRecords(hits.map((h) => h.seq));
    return records.filter((r): r is EditEvent => r?.kind === 'edit');
  }

  /** Shown at once from memory; acknowledged once the store has made them durable. */
  private async persist(records: ProvenanceRecord[]): Promise<void> {
    this.recent.add(records);
    this.refreshViews();
    await this.store.append(records);
    this.sync.noteWrites(records.length);
  }

  get version(): string {
    return String((this.context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  }

  private own<T extends vscode.Disposable>(service: T): T {
    this.disposables.push(service);
    return service;
  }

  dispose(): void {
    this.refreshViews.cancel();
    // Dispose in reverse order of creation: later services may depend on earlier ones.
    for (const d of this.disposables.reverse()) {
      try {
        d.dispose();
      } catch {
        // One failing dispose must not keep the rest alive.
      }
    }
    this.disposables.length = 0;
  }
}
