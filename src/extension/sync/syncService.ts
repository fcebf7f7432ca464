import * as path from 'node:path';
import * as vscode from 'vscode';
import { RepoInfoCache } from '../../core/git/repoInfo';
import { classifyRepoEntries, effectiveUploadPrivacy, isTransientStatus, SyncSchedule } from '../../core/sync/syncSchedule';
import { debounce, type Debounced } from '../../core/util/debounce';
import type { Log } from '../log';
import type { StoreService } from '../store/storeService';
import { runSyncChild } from './syncChild';
import { readSyncSettings, type SyncSettings } from './syncSettings';
import type { ServerTokens } from './serverToken';

export type SyncStatus = 'off' | 'synced' | 'pending' | 'error';

/** What the status bar shows and Sync Now answers. */
export interface SyncState {
  status: SyncStatus;
  /** Why sync is off ('' when it is on). */
  offReason: string;
  server: string | undefined;
  /** Records waiting for upload, as far as known: the outbox's last count plus records written since. */
  pending: number;
  running: boolean;
  /** ms since the epoch of the last successful upload. */
  lastSyncAt: number | undefined;
  lastError: string | undefined;
  /** The upload privacy level of the last run (never above the local level). */
  privacy: string | undefined;
  /** Consecutive failed attempts (reset by a success). */
  failures: number;
}

/** Capture writes start a run after this quiet time (at most MAX_WAIT after the first write). */
const WRITE_DEBOUNCE_MS = 10_000;
const WRITE_MAX_WAIT_MS = 60_000;
/** The first run after the editor starts (with sync on) waits this long: not on the activation path. */
const FIRST_RUN_DELAY_MS = 5_000;

/**
 * Background upload of the local store to a team server. Lazy: until sync is enabled, the workspace is
 * trusted, a server is set and a token for it is in SecretStorage, nothing runs (no timer, no secret
 * read beyond the check, no child process). Each run is `lineagelens sync` in a child process (one
 * attempt: feed the outbox from the journal, upload it); between runs the schedule waits the interval, or
 * backs off with jitter after failures. Runs never overlap; Sync Now waits for a running one and runs again.
 */
export class SyncService implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<SyncState>();
  readonly onDidChange = this.emitter.event;
  private settings: SyncSettings;
  private token: string | undefined;
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  private schedule: SyncSchedule;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly afterWrites: Debounced;
  private disposed = false;
  private checkGeneration = 0;
  private readonly repoInfo = new RepoInfoCache();
  private state: SyncState = { status: 'off', offReason: 'sync is not enabled', server: undefined, pending: 0, running: false, lastSyncAt: undefined, lastError: undefined, privacy: undefined, failures: 0 };

  constructor(
    private readonly deps: { extensionPath: string; store: StoreService; tokens: ServerTokens; log: Log },
  ) {
    this.settings = readSyncSettings();
    this.schedule = new SyncSchedule({ intervalMs: this.settings.intervalMs });
    this.afterWrites = debounce(() => this.request('records written'), WRITE_DEBOUNCE_MS, WRITE_MAX_WAIT_MS);
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('lineagelens.sync') || e.affectsConfiguration('lineagelens.privacy') || e.affectsConfiguration('lineagelens.storePath')) void this.refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
      deps.tokens.onDidChange(() => void this.refresh()),
    );
    if (this.settings.enabled) void this.refresh();
  }

  get current(): SyncState {
    return { ...this.state };
  }

  /**
   * Re-reads settings, trust and the token; starts or stops the background sync. Resolves when done
   * (commands await it so that a sign-in is in effect when they return).
   */
  async refresh(): Promise<void> {
    const generation = ++this.checkGeneration;
    const settings = readSyncSettings();
    let offReason = '';
    let token: string | undefined;
    if (!settings.enabled) offReason = 'sync is not enabled (lineagelens.sync.enabled)';
    else if (!vscode.workspace.isTrusted) offReason = 'the workspace is not trusted';
    else if (!settings.server) offReason = 'no team server URL (lineagelens.sync.serverUrl)';
    else {
      try {
        token = await this.deps.tokens.get(settings.server);
      } catch (err) {
        this.deps.log.error('could not read the team-server token from SecretStorage', err);
      }
      if (!token) offReason = `not signed in to ${settings.server} (LineageLens: Sign in to Team Server)`;
    }
    if (generation !== this.checkGeneration || this.disposed) return; // a newer refresh won
    const wasActive = this.active;
    const serverChanged = settings.server !== this.settings.server;
    this.settings = settings;
    this.token = token;
    this.active = offReason === '';
    if (this.active !== wasActive || serverChanged) this.schedule = new SyncSchedule({ intervalMs: settings.intervalMs });
    if (!this.active) {
      this.clearTimer();
      this.afterWrites.cancel();
      this.update({ status: 'off', offReason, server: settings.server, running: this.state.running });
      if (wasActive) this.deps.log.info(`sync stopped: ${offReason}`);
      return;
    }
    if (!wasActive || serverChanged) {
      this.deps.log.info(`sync on: ${settings.server} (every ${Math.round(settings.intervalMs / 60_000)} min)`);
      this.update({ status: this.state.pending > 0 ? 'pending' : this.state.lastSyncAt ? 'synced' : 'pending', offReason: '', server: settings.server, lastError: undefined, failures: 0 });
      this.scheduleIn(FIRST_RUN_DELAY_MS);
    } else {
      this.update({ offReason: '', server: settings.server });
    }
  }

  /** Capture wrote records: count them as pending and sync soon (debounced). Cheap; the hot path may call it. */
  noteWrites(count: number): void {
    if (!this.active || count <= 0) return;
    this.update({ pending: this.state.pending + count, status: this.state.status === 'error' ? 'error' : 'pending' });
    this.afterWrites();
  }

  /** Sync Now: waits for a running upload, then runs one more; resolves with the state after it. */
  async syncNow(): Promise<SyncState> {
    await this.refresh();
    if (!this.active) return this.current;
    this.afterWrites.cancel();
    await this.enqueueRun('sync now');
    return this.current;
  }

  private request(reason: string): void {
    if (!this.active) return;
    void this.enqueueRun(reason);
  }

  private enqueueRun(reason: string): Promise<void> {
    this.clearTimer();
    const run = this.chain.then(() => this.runOnce(reason));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async runOnce(reason: string): Promise<void> {
    if (!this.active || this.disposed) return;
    const settings = this.settings;
    const token = this.token;
    if (!settings.server || !token) return;
    const local = this.deps.store.privacy;
    const privacy = effectiveUploadPrivacy(settings.privacy, local);
    const writtenBefore = this.state.pending;
    this.update({ running: true, privacy });
    let next: number;
    try {
      const repos = await this.repoIds(settings.repositories);
      const args = ['--server', settings.server, '--home', this.deps.store.home, '--privacy', privacy, '--retries', '1', ...repos.flatMap((id) => ['--repo', id])];
      const started = Date.now();
      const result = await runSyncChild({ cli: path.join(this.deps.extensionPath, 'dist', 'cli.js'), args, token, signal: this.abort.signal });
      if (this.disposed) return;
      // Records noted while the child ran may not have been in the journal it read: keep them pending.
      const writtenDuring = Math.max(0, this.state.pending - writtenBefore);
      if (result.ok) {
        const pending = result.pending + writtenDuring;
        this.update({ status: pending > 0 ? 'pending' : 'synced', pending, lastSyncAt: Date.now(), lastError: undefined, failures: 0 });
        this.deps.log.info(`sync (${reason}): ${result.sent} sent, ${result.accepted} accepted, ${result.duplicate} already on the server, ${result.pending} pending, in ${Date.now() - started} ms (privacy ${privacy})`);
        next = this.schedule.next({ ok: true, pending: result.pending });
      } else if (result.busy) {
        // Another window syncs this store: its upload covers ours; look again after a short backoff.
        next = this.schedule.next({ ok: false, transient: true });
        this.deps.log.debug(`sync (${reason}): another process is syncing this store; next look in ${(next / 1000).toFixed(1)} s`);
      } else {
        const transient = isTransientStatus(result.status);
        next = this.schedule.next({ ok: false, transient });
        const pending = (result.pending ?? writtenBefore) + writtenDuring;
        this.update({ status: 'error', pending, lastError: result.error, failures: this.schedule.consecutiveFailures || this.state.failures + 1 });
        this.deps.log.warn(`sync (${reason}) failed: ${result.error}; ${pending} pending; next attempt in ${(next / 1000).toFixed(1)} s`);
      }
    } catch (err) {
      next = this.schedule.next({ ok: false, transient: false });
      this.update({ status: 'error', lastError: (err as Error).message, failures: this.state.failures + 1 });
      this.deps.log.error(`sync (${reason}) could not run`, err);
    } finally {
      this.update({ running: false });
    }
    if (this.active && !this.disposed) this.scheduleIn(next);
  }

  /** Repository ids for `--repo`: ids and remotes as given, folders through git. */
  private async repoIds(entries: string[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const { ids, folders } = classifyRepoEntries(entries);
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    for (const folder of folders) {
      const candidates = path.isAbsolute(folder) ? [folder] : roots.map((r) => path.join(r, folder));
      let found = false;
      for (const dir of candidates) {
        const info = await this.repoInfo.forFile(path.join(dir, '.lineagelens'));
        if (info) {
          ids.push(info.identity.id);
          found = true;
          break;
        }
      }
      if (!found) this.deps.log.warn(`lineagelens.sync.repositories: "${folder}" is not a git repository; skipped`);
    }
    // Entries given, none usable: uploading everything would send what was not chosen.
    if (ids.length === 0) throw new Error('none of the lineagelens.sync.repositories entries names a repository; nothing uploaded');
    return [...new Set(ids)];
  }

  private scheduleIn(ms: number): void {
    this.clearTimer();
    if (!this.active || this.disposed) return;
    this.timer = setTimeout(() => this.request('scheduled'), ms);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private update(patch: Partial<SyncState>): void {
    this.state = { ...this.state, ...patch };
    this.emitter.fire(this.current);
  }

  dispose(): void {
    this.disposed = true;
    this.active = false;
    this.clearTimer();
    this.afterWrites.cancel();
    this.abort.abort();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
