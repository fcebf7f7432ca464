/**
 * Repository facts for a file: root, stable identity, branch, HEAD commit and the git identity of the
 * person at the keyboard. Uses the real `git` binary, asynchronously, cached per repository root; never
 * throws — a file outside any repository simply has no repo facts.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { sha256Hex } from '../model/content';
import type { RepoIdentity } from '../model/schema';

export interface RepoInfo {
  root: string;
  identity: RepoIdentity;
  branch?: string;
  commit?: string;
  user: { name?: string; email?: string };
}

function git(cwd: string, args: string[], timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}

/**
 * Normalises a remote URL so every clone names the repository alike: no credentials, no scheme or `.git`,
 * scp-style `git@host:owner/repo` as `host/owner/repo`, lower-case host.
 */
export function normaliseRemote(url: string): string {
  let u = url.trim();
  const scp = /^([^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(u);
  if (scp && !/^[a-z]+:\/\//i.test(u)) u = `${scp[2]}/${scp[3]}`;
  else {
    try {
      const parsed = new URL(u);
      u = `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
    } catch {
      // a local path remote: keep as is
    }
  }
  u = u.replace(/\.git\/?$/, '').replace(/\/+$/, '');
  const slash = u.indexOf('/');
  return slash > 0 ? u.slice(0, slash).toLowerCase() + u.slice(slash) : u;
}

export class RepoInfoCache {
  private readonly byRoot = new Map<string, Promise<RepoInfo | undefined>>();
  private readonly rootByDir = new Map<string, Promise<string | undefined>>();

  /** Facts for the repository that contains `filePath`, or undefined outside a repository. */
  async forFile(filePath: string): Promise<RepoInfo | undefined> {
    const dir = path.dirname(filePath);
    let root = this.rootByDir.get(dir);
    if (!root) {
      root = git(dir, ['rev-parse', '--show-toplevel']);
      this.rootByDir.set(dir, root);
    }
    const top = await root;
    if (!top) return undefined;
    let info = this.byRoot.get(top);
    if (!info) {
      info = this.load(top);
      this.byRoot.set(top, info);
    }
    const loaded = await info;
    if (!loaded) return undefined;
    // Branch and commit move; read them fresh (cheap) rather than trusting the cache.
    const [branch, commit] = await Promise.all([git(top, ['symbolic-ref', '--short', '-q', 'HEAD']), git(top, ['rev-parse', '-q', '--verify', 'HEAD'])]);
    return { ...loaded, ...(branch ? { branch } : {}), ...(commit ? { commit } : {}) };
  }

  /** Forget cached identities (a remote was added, a repository was created). */
  clear(): void {
    this.byRoot.clear();
    this.rootByDir.clear();
  }

  private async load(root: string): Promise<RepoInfo | undefined> {
    const [remotes, firstCommit, name, email] = await Promise.all([
      git(root, ['remote', '-v']),
      git(root, ['rev-list', '--max-parents=0', '--max-count=1', 'HEAD']),
      git(root, ['config', 'user.name']),
      git(root, ['config', 'user.email']),
    ]);
    const fetchUrl = remotes
      ?.split('\n')
      .map((l) => /^(\S+)\s+(\S+)\s+\(fetch\)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => (a[1] === 'origin' ? -1 : b[1] === 'origin' ? 1 : a[1]!.localeCompare(b[1]!)))[0]?.[2];
    const remote = fetchUrl ? normaliseRemote(fetchUrl) : undefined;
    // Without a remote, the root commit names the repository; without any commit, its path on this machine.
    const basis = remote ? `remote:${remote}` : firstCommit ? `root-commit:${firstCommit}` : `path:${root}`;
    return {
      root,
      identity: { id: sha256Hex(basis), ...(remote ? { remote } : {}) },
      user: { ...(name ? { name } : {}), ...(email ? { email } : {}) },
    };
  }
}
