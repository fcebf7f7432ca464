/**
 * Repository facts remembered between hook processes. Looking them up with git costs seven process
 * spawns in three rounds (root; remote, root commit, user name and email; branch and HEAD), the largest
 * part of a hook's time; they change rarely, so the hook keeps root, identity and git user per directory
 * for a few minutes in `<home>/hook-state/repos.json`, and reads the branch and HEAD commit from the
 * repository's files on every edit (they move all the time). Anything unusual (a worktree or submodule
 * whose .git is a file, the reftable format, a HEAD that is not a branch or a commit) is left to git.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../config/atomicWrite';
import type { RepoInfo } from '../git/repoInfo';
import { RepoIdentity } from '../model/schema';
import { hookStateDir } from './conversationState';

/** How long root, identity and git user of a directory are trusted without asking git again. */
export const REPO_FACTS_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 200;

const Entry = z.object({
  /** The repository root, or null: the directory is in no repository. */
  repo: z.object({ root: z.string(), identity: RepoIdentity, user: z.object({ name: z.string().optional(), email: z.string().optional() }) }).nullable(),
  checkedAt: z.number(),
});
const CacheFile = z.object({ version: z.literal(1), dirs: z.record(z.string(), Entry) });
type Entry = z.infer<typeof Entry>;

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class RepoFactsCache {
  private readonly file: string;
  private loaded?: Record<string, Entry>;
  private dirty = false;

  constructor(
    home: string,
    private readonly now: number = Date.now(),
  ) {
    this.file = path.join(hookStateDir(home), 'repos.json');
  }

  /** Read when first needed: most hook events (prompts, pre-edit) never look at a repository. */
  private get dirs(): Record<string, Entry> {
    this.loaded ??= readCache(this.file);
    return this.loaded;
  }

  /** Facts for a directory: a RepoInfo, null (in no repository), or undefined (unknown: ask git). */
  lookup(dir: string): RepoInfo | null | undefined {
    const entry = this.dirs[dir];
    if (!entry || this.now - entry.checkedAt > REPO_FACTS_TTL_MS || entry.checkedAt > this.now) return undefined;
    if (entry.repo === null) return null;
    const head = readHead(entry.repo.root);
    if (!head) return undefined;
    return { ...entry.repo, ...head };
  }

  remember(dir: string, info: RepoInfo | undefined): void {
    this.dirs[dir] = { repo: info ? { root: info.root, identity: info.identity, user: info.user } : null, checkedAt: this.now };
    this.dirty = true;
  }

  /** Writes the cache when it learned something; failures are ignored (it is only a cache). */
  save(): void {
    if (!this.dirty) return;
    const fresh = Object.entries(this.dirs)
      .filter(([, e]) => this.now - e.checkedAt <= REPO_FACTS_TTL_MS)
      .sort((a, b) => b[1].checkedAt - a[1].checkedAt)
      .slice(0, MAX_ENTRIES);
    try {
      writeFileAtomicSync(this.file, JSON.stringify({ version: 1, dirs: Object.fromEntries(fresh) }));
    } catch {
      // The next hook asks git again.
    }
  }
}

function readCache(file: string): Record<string, Entry> {
  try {
    const parsed = CacheFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.dirs : {};
  } catch {
    return {};
  }
}

/**
 * Branch and HEAD commit read from `<root>/.git` as `git symbolic-ref --short -q HEAD` and `git rev-parse
 * -q --verify HEAD` would give them; undefined when the layout is not the plain one.
 */
export function readHead(root: string): { branch?: string; commit?: string } | undefined {
  const gitDir = path.join(root, '.git');
  try {
    if (!statSync(gitDir).isDirectory() || existsSync(path.join(gitDir, 'reftable'))) return undefined;
    const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (COMMIT.test(head)) return { commit: head };
    const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    const branch = ref.slice('refs/heads/'.length);
    const commit = looseRef(gitDir, ref) ?? packedRef(gitDir, ref);
    // A branch without a commit yet (a new repository) has no HEAD commit, as with git.
    return commit ? { branch, commit } : { branch };
  } catch {
    return undefined;
  }
}

function looseRef(gitDir: string, ref: string): string | undefined {
  try {
    const sha = readFileSync(path.join(gitDir, ...ref.split('/')), 'utf8').trim();
    return COMMIT.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

function packedRef(gitDir: string, ref: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && COMMIT.test(sha)) return sha;
  }
  return undefined;
}
