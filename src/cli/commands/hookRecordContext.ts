/**
 * Repository facts and the acceptor for agent edits, for the hook and import commands: where the edited
 * file's repository is (so the record's path is relative to its root), its identity, and who is at the
 * keyboard. Folders are resolved through symlinks first, as git reports the root by its real path (the
 * file itself is not: a symlink inside the repository is recorded under its own path).
 */
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUriToPath, type RecordContext } from '../../core/connectors/toRecords';
import type { AgentEdit } from '../../core/connectors/types';
import { type RepoInfo, RepoInfoCache } from '../../core/git/repoInfo';
import type { RepoFactsCache } from '../../core/hookState/repoFacts';
import type { Acceptor } from '../../core/model/schema';

export interface EditWithContext {
  /** The edit, its file path replaced by the real absolute path when the file is in a repository. */
  edit: AgentEdit;
  context: RecordContext;
}

export class RecordContexts {
  private readonly repos = new RepoInfoCache();
  private readonly byDir = new Map<string, Promise<RepoInfo | undefined>>();
  private readonly byFile = new Map<string, Promise<RepoInfo | undefined>>();
  private readonly osUser = safeOsUser();
  private readonly realDirs = new Map<string, string>();

  /**
   * @param withHead record the branch and HEAD commit (a hook: the edit just happened); an import of old
   *   transcripts leaves them out, as HEAD now says nothing about the commit at the time of the edit.
   * @param remembered repository facts kept between hook processes (asked before git).
   */
  constructor(
    private readonly withHead: boolean,
    private readonly remembered?: RepoFactsCache,
  ) {}

  absolutePathOf(edit: Pick<AgentEdit, 'filePath' | 'cwd'>): string {
    return path.resolve(edit.cwd ?? process.cwd(), fileUriToPath(edit.filePath));
  }

  /** Starts looking up the repository of a file, so git runs while the caller does other work. */
  prefetch(file: Pick<AgentEdit, 'filePath' | 'cwd'>): void {
    void this.repoOf(this.realPath(this.absolutePathOf(file)));
  }

  async forEdit(edit: AgentEdit): Promise<EditWithContext> {
    const real = this.realPath(this.absolutePathOf(edit));
    const info = await this.repoOf(real);
    const acceptor: Acceptor = {
      osUser: this.osUser,
      ...(info?.user.name ? { gitName: info.user.name.slice(0, 200) } : {}),
      ...(info?.user.email ? { gitEmail: info.user.email.slice(0, 320) } : {}),
    };
    if (!info) return { edit, context: { acceptor } };
    const context: RecordContext = {
      repoRoot: info.root,
      repo: info.identity,
      acceptor,
      ...(this.withHead && info.branch ? { branch: info.branch } : {}),
      ...(this.withHead && info.commit ? { commit: info.commit } : {}),
    };
    return { edit: { ...edit, filePath: real }, context };
  }

  private repoOf(file: string): Promise<RepoInfo | undefined> {
    // With HEAD, one lookup per file (and invocation); without, one per directory is enough (an import
    // touches many files of few directories).
    const [cache, key] = this.withHead ? [this.byFile, file] : [this.byDir, path.dirname(file)];
    let info = cache.get(key);
    if (!info) {
      info = this.lookUp(file);
      cache.set(key, info);
    }
    return info;
  }

  private async lookUp(file: string): Promise<RepoInfo | undefined> {
    const dir = path.dirname(file);
    const known = this.remembered?.lookup(dir);
    if (known !== undefined) return known ?? undefined;
    const info = await this.repos.forFile(file);
    this.remembered?.remember(dir, info);
    return info;
  }

  /** The path with its folder's symlinks resolved (once per folder: an import places thousands of edits). */
  private realPath(absolute: string): string {
    const dir = path.dirname(absolute);
    let real = this.realDirs.get(dir);
    if (real === undefined) {
      try {
        real = realpathSync.native(dir);
      } catch {
        real = dir; // a folder that is gone: as the agent named it
      }
      this.realDirs.set(dir, real);
    }
    return path.join(real, path.basename(absolute));
  }
}

function safeOsUser(): string {
  try {
    return os.userInfo().username.slice(0, 200) || 'unknown';
  } catch {
    return (process.env.USER ?? process.env.USERNAME ?? 'unknown').slice(0, 200);
  }
}
