import * as path from 'node:path';
import * as vscode from 'vscode';
import { updateUserConfig } from '../../core/config/userConfig';
import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../core/model/schema';
import { PrivacyLevel } from '../../core/privacy/privacyLevel';
import { openStore, type ProvenanceStore } from '../../core/store/provenanceStore';
import { resolveStoreHome } from '../../core/store/storeHome';
import type { Log } from '../log';
import type { RecordLookup } from '../provenance/recordLookup';

/**
 * The local provenance store as the extension uses it: opened lazily on first use (sql.js and its
 * worker thread only start when something is written or asked), with the home and privacy level from
 * the settings. Writes are acknowledged once durable; a failure (a full disk) is shown to the user once
 * per kind, and the records are not acknowledged. The privacy level is also written to the store's
 * config.json, so agent hooks (separate CLI processes) apply the same level.
 */
export class StoreService implements vscode.Disposable, RecordLookup {
  private store: Promise<ProvenanceStore> | undefined;
  private readonly subscription: vscode.Disposable;
  private lastErrorShown = '';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('lineagelens.privacy') || e.affectsConfiguration('lineagelens.storePath')) void this.reopen();
      else if (e.affectsConfiguration('lineagelens.retentionDays') && this.store) void this.store.then((s) => this.applyRetention(s), () => undefined);
    });
  }

  get home(): string {
    const setting = vscode.workspace.getConfiguration('lineagelens').get<string>('storePath', '').trim();
    return resolveStoreHome({ setting: setting || undefined });
  }

  get privacy(): PrivacyLevel {
    const parsed = PrivacyLevel.safeParse(vscode.workspace.getConfiguration('lineagelens').get('privacy'));
    return parsed.success ? parsed.data : 'redacted';
  }

  /** The open store (opening it on first use). */
  open(): Promise<ProvenanceStore> {
    this.store ??= this.openNow();
    return this.store;
  }

  private async openNow(): Promise<ProvenanceStore> {
    const home = this.home;
    const privacy = this.privacy;
    const dist = path.join(this.context.extensionPath, 'dist');
    const store = await openStore({
      home,
      privacy,
      wasmPath: path.join(dist, 'sql-wasm.wasm'),
      workerPath: path.join(dist, 'storeWorker.js'),
      onProblem: (p) => this.log.warn(`store: ${p.kind}: ${p.message}`),
    });
    try {
      updateUserConfig(home, { privacy });
    } catch (err) {
      this.log.warn(`could not share the privacy level with agent hooks: ${(err as Error).message}`);
    }
    this.log.info(`provenance store open (privacy: ${privacy})`);
    void this.applyRetention(store);
    return store;
  }

  /**
   * Drops records older than `lineagelens.retentionDays` (0 keeps everything). The removal is itself an
   * entry of the chain, so `lineagelens verify` still passes; the CLI reads the same value from config.json.
   */
  private async applyRetention(store: ProvenanceStore): Promise<void> {
    const days = vscode.workspace.getConfiguration('lineagelens').get<number>('retentionDays', 0);
    if (!Number.isFinite(days) || days <= 0) return;
    try {
      updateUserConfig(store.home, { retentionDays: days });
      const result = await store.prune({ olderThanDays: days });
      if (result.removed > 0) this.log.info(`retention: removed ${result.removed} journal entries older than ${days} days`);
    } catch (err) {
      this.log.error('retention could not prune the store', err);
    }
  }

  async append(records: readonly ProvenanceRecord[]): Promise<void> {
    try {
      await (await this.open()).append(records);
    } catch (err) {
      const message = (err as Error).message;
      this.log.error(`could not store ${records.length} provenance records`, err);
      if (message !== this.lastErrorShown) {
        this.lastErrorShown = message;
        void vscode.window.showErrorMessage(`LineageLens could not save provenance records: ${message}`);
      }
      throw err;
    }
  }

  async get(id: string): Promise<ProvenanceRecord | undefined> {
    const [record] = await (await this.open()).getRecords([id]);
    return record ?? undefined;
  }

  async recentSessions(limit: number): Promise<AiEditSession[]> {
    const store = await this.open();
    const page = await store.query({ kind: 'session', limit });
    const records = await store.getRecords(page.hits.map((h) => h.seq));
    return records.filter((r): r is AiEditSession => r?.kind === 'session');
  }

  async sessionEdits(sessionId: string): Promise<EditEvent[]> {
    const store = await this.open();
    const hits = await store.queryAll({ sessionId, kind: 'edit' });
    const records = await store.getRecords(hits.map((h) => h.seq));
    return records.filter((r): r is EditEvent => r?.kind === 'edit');
  }

  private async reopen(): Promise<void> {
    const old = this.store;
    this.store = undefined;
    if (old) await (await old.catch(() => undefined))?.close().catch((err: unknown) => this.log.error('closing the store failed', err));
  }

  dispose(): void {
    this.subscription.dispose();
    void this.reopen();
  }
}
