import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { bindCommit, type BindResult } from '../../core/git/bindCommit';
import { GitLedger } from '../../core/git/gitLedger';
import type { ProvenanceStore } from '../../core/store/provenanceStore';
import { storeLayout } from '../../core/store/storeHome';
import type { Log } from '../log';

/** The part of the built-in git extension's API (`vscode.git`, getAPI(1)) we use. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly HEAD?: { readonly commit?: string }; readonly onDidChange: vscode.Event<void> };
}
interface GitApi {
  readonly repositories: readonly GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** Starts watching a few seconds after activation: never on the activation path. */
const START_DELAY_MS = 3_000;
/** HEAD moves several times in a rebase or a pull: bind once things settle. */
const SETTLE_MS = 1_500;

export interface CommitBinderDeps {
  log: Log;
  home: () => string;
  store: () => Promise<ProvenanceStore>;
  /** Resolves when capture has written everything it saw (the edits of the commit's lines). */
  captureIdle: () => Promise<void>;
}

/**
 * Binds every new HEAD commit the built-in git extension reports to the AI edits of its lines (core
 * `bindCommit`, what the CLI's post-commit hook does). Runs after a settle delay, one bind at a time;
 * errors are logged, never thrown. Without the git extension (or with git disabled) it does nothing.
 */
export class CommitWatcher implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Last HEAD seen per repository root; kept when the git extension closes a repository. */
  private readonly heads = new Map<string, string | undefined>();
  /** The state listener of each repository object the git extension has open. */
  private readonly watched = new Map<GitRepository, vscode.Disposable>();
  private readonly pending: { root: string; commit: string }[] = [];
  private readonly timer: NodeJS.Timeout;
  private settle: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  /** Commits bound since activation (for the status and the integration tests). */
  readonly bound: BindResult[] = [];
  watching: 'pending' | 'git-extension' | 'no-git-extension' = 'pending';

  constructor(private readonly deps: CommitBinderDeps) {
    this.timer = setTimeout(() => void this.start(), START_DELAY_MS);
  }

  private async start(): Promise<void> {
    try {
      const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
      if (!ext) return void (this.watching = 'no-git-extension');
      const exports = ext.isActive ? ext.exports : await ext.activate();
      if (this.disposed) return;
      if (!exports?.enabled) return void (this.watching = 'no-git-extension');
      const api = exports.getAPI(1);
      for (const repo of api.repositories) this.watch(repo);
      this.disposables.push(
        api.onDidOpenRepository((repo) => this.watch(repo)),
        // The git extension closes a nested repository when its last editor closes and opens a new
        // object for it later: drop the old listener so the new object is watched.
        api.onDidCloseRepository((repo) => {
          this.watched.get(repo)?.dispose();
          this.watched.delete(repo);
        }),
      );
      this.watching = 'git-extension';
      this.deps.log.info(`watching ${api.repositories.length} git repositories for commits`);
    } catch (err) {
      this.watching = 'no-git-extension';
      this.deps.log.warn(`the git extension could not be used for commit detection: ${(err as Error).message}`);
    }
  }

  private watch(repo: GitRepository): void {
    if (this.watched.has(repo)) return;
    const root = repo.rootUri.fsPath;
    // First sight of this root: its HEAD was committed before we watched (the CLI hook, if installed,
    // bound it). A root seen before keeps its last HEAD, so a commit made while it was closed is bound.
    if (!this.heads.has(root)) this.heads.set(root, repo.state.HEAD?.commit);
    this.watched.set(
      repo,
      repo.state.onDidChange(() => {
        const commit = repo.state.HEAD?.commit;
        const before = this.heads.get(root);
        if (!commit || commit === before) return;
        this.heads.set(root, commit);
        // No HEAD before: the repository's first status after opening, not a new commit.
        if (before === undefined) return;
        this.pending.push({ root, commit });
        clearTimeout(this.settle);
        this.settle = setTimeout(() => this.drain(), SETTLE_MS);
      }),
    );
  }

  private drain(): void {
    const batch = this.pending.splice(0);
    for (const { root, commit } of batch) this.queue = this.queue.then(() => this.bind(root, commit).then(() => undefined));
  }

  /** Binds one commit of the repository at `root`; never throws (null on failure). */
  async bind(root: string, commit: string): Promise<BindResult | null> {
    if (this.disposed) return null;
    try {
      await this.deps.captureIdle();
      // Nothing recorded yet: bind only from earlier bindings, without opening (creating) a store.
      const store = existsSync(storeLayout(this.deps.home()).manifest) ? await this.deps.store() : null;
      const result = await bindCommit({ repoDir: root, commit, store, ledger: new GitLedger(this.deps.home()) });
      this.bound.push(result);
      if (result.aiLines > 0) this.deps.log.info(`commit ${commit.slice(0, 10)}: bound ${result.aiLines} AI line(s) of ${result.addedLines} added`);
      return result;
    } catch (err) {
      this.deps.log.warn(`binding commit ${commit.slice(0, 10)} failed: ${(err as Error).message}`);
      return null;
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.settle);
    for (const d of this.disposables) d.dispose();
    for (const d of this.watched.values()) d.dispose();
    this.watched.clear();
  }
}
