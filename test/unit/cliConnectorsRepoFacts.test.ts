import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RepoInfoCache } from '../../src/core/git/repoInfo';
import { readHead, REPO_FACTS_TTL_MS, RepoFactsCache } from '../../src/core/hookState/repoFacts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function gitOrUndefined(cwd: string, ...args: string[]): string | undefined {
  try {
    return git(cwd, ...args) || undefined;
  } catch {
    return undefined;
  }
}

/** What git itself says, the way RepoInfoCache asks it. */
function fromGit(root: string): { branch?: string; commit?: string } {
  const branch = gitOrUndefined(root, 'symbolic-ref', '--short', '-q', 'HEAD');
  const commit = gitOrUndefined(root, 'rev-parse', '-q', '--verify', 'HEAD');
  return { ...(branch ? { branch } : {}), ...(commit ? { commit } : {}) };
}

function repo(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'll-head-'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'T');
  git(root, 'config', 'user.email', 't@example.com');
  return root;
}

function commit(root: string, name: string): void {
  writeFileSync(path.join(root, name), name);
  git(root, 'add', name);
  git(root, 'commit', '-q', '-m', name);
}

describe('hook repository facts without git', () => {
  it('reads branch and HEAD commit as git gives them: loose and packed refs, detached, unborn, nested branch names', () => {
    const root = repo();
    assert.deepEqual(readHead(root), fromGit(root), 'unborn branch');
    commit(root, 'a');
    assert.deepEqual(readHead(root), fromGit(root), 'loose ref');
    git(root, 'pack-refs', '--all');
    assert.deepEqual(readHead(root), fromGit(root), 'packed ref');
    git(root, 'checkout', '-q', '-b', 'feature/x');
    commit(root, 'b');
    assert.deepEqual(readHead(root), fromGit(root), 'nested branch name');
    git(root, 'checkout', '-q', '--detach', 'main');
    assert.deepEqual(readHead(root), fromGit(root), 'detached HEAD');
    assert.equal(readHead(root)?.branch, undefined);
  });

  it('leaves worktrees (a .git file) and non-repositories to git', () => {
    const root = repo();
    commit(root, 'a');
    const worktree = path.join(mkdtempSync(path.join(tmpdir(), 'll-wt-')), 'wt');
    git(root, 'worktree', 'add', '-q', worktree);
    assert.equal(readHead(worktree), undefined);
    assert.equal(readHead(mkdtempSync(path.join(tmpdir(), 'll-none-'))), undefined);
  });

  it('remembers root, identity and user per directory for a while, and no repository too', async () => {
    const root = repo();
    commit(root, 'a');
    const home = mkdtempSync(path.join(tmpdir(), 'll-facts-'));
    const info = await new RepoInfoCache().forFile(path.join(root, 'a'));
    const outside = mkdtempSync(path.join(tmpdir(), 'll-outside-'));
    const now = Date.now();
    const cache = new RepoFactsCache(home, now);
    assert.equal(cache.lookup(root), undefined);
    cache.remember(root, info);
    cache.remember(outside, undefined);
    cache.save();
    const later = new RepoFactsCache(home, now + 1_000);
    assert.deepEqual(later.lookup(root), info);
    assert.equal(later.lookup(outside), null);
    commit(root, 'b');
    assert.equal(later.lookup(root)?.commit, git(root, 'rev-parse', 'HEAD'), 'HEAD is read fresh');
    assert.equal(new RepoFactsCache(home, now + REPO_FACTS_TTL_MS + 1).lookup(root), undefined, 'expired');
    mkdirSync(path.join(home, 'hook-state'), { recursive: true });
    writeFileSync(path.join(home, 'hook-state', 'repos.json'), '{broken');
    assert.equal(new RepoFactsCache(home, now).lookup(root), undefined, 'a broken cache is ignored');
  });
});
