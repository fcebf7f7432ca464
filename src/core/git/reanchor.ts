/**
 * Following bindings through history rewrites. Input: old -> new commit pairs, from git's post-rewrite
 * hook (amend, rebase including interactive reorder/squash/fixup) or from `rewrite-map <old>..<new>`
 * (a server-side squash or rebase merge: every commit of the old side maps to every commit of the new).
 * For each new commit, the bindings of its old commits are found again in what the new commit added, by
 * line hashes (runs anchored on non-trivial lines), and bound to it with `via: "rewrite"` and the old
 * commit named in `from`. A squash gets the bindings of all the commits it swallowed.
 */
import { createHash } from 'node:crypto';
import { buildBindings, type LineSource } from './bindingBuilder';
import { commitAdditions } from './commitChanges';
import { catFiles, gitText, repoRoot, resolveCommit } from './gitExec';
import { type GitLedger, LedgerView } from './gitLedger';
import { type Binding, GIT_SCHEMA_ID, type HumanChange, type RewriteRecord } from './gitRecords';
import { humanChangesOf } from './humanChanges';
import { blobLines, isTrivialLine, lineHash } from './lineHashes';
import { matchRuns } from './lineMatch';
import { repoIdentityOf } from './bindCommit';

export interface ReanchorResult {
  pairs: number;
  bindings: Binding[];
  aiLines: number;
  /** A person's changes over AI lines in the new commits (they follow the bindings just made). */
  humanChanges: HumanChange[];
  notes: string[];
}

/** Parses post-rewrite input: one `<old> <new> [extra]` per line. */
export function parseRewritePairs(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-9a-f]{40}(?:[0-9a-f]{24})?)/.exec(line.trim());
    if (m) pairs.push([m[1]!, m[2]!]);
  }
  return pairs;
}

export async function reanchorRewrites(repoDir: string, pairs: readonly [string, string][], ledger: GitLedger, source: RewriteRecord['source']): Promise<ReanchorResult> {
  const root = await repoRoot(repoDir);
  const repoId = (await repoIdentityOf(root)).id;
  const view = new LedgerView(ledger.readAll());
  const oldByNew = new Map<string, string[]>();
  for (const [oldCommit, newCommit] of pairs) {
    const list = oldByNew.get(newCommit);
    if (list) list.push(oldCommit);
    else oldByNew.set(newCommit, [oldCommit]);
  }
  const time = new Date().toISOString();
  const created: Binding[] = [];
  let aiLines = 0;
  for (const [newCommit, olds] of oldByNew) {
    const sources = olds.flatMap((c) => view.ofCommit(c)).filter((b) => b.repoId === repoId);
    if (sources.length === 0) continue;
    const files = (await commitAdditions(root, newCommit)).filter((f) => !f.path.includes('\n'));
    const blobs = await catFiles(root, files.map((f) => `${newCommit}:${f.path}`));
    const filePaths = new Set(files.map((f) => f.path));
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const lines = blobs[i] ? blobLines(blobs[i]!) : null;
      if (!lines) continue;
      const targetHashes = lines.map(lineHash);
      const trivial = new Set(lines.filter(isTrivialLine).map(lineHash));
      const assigned = new Map<number, LineSource>();
      // Same path first; a binding whose path the new commit does not touch may have been renamed.
      const candidates = sources.filter((b) => b.path === file.path || !filePaths.has(b.path));
      for (const b of candidates.sort((x, y) => x.edit.time.localeCompare(y.edit.time))) {
        const hashes = b.ranges.flatMap((r) => r.lines);
        const via: LineSource = { edit: b.edit, via: 'rewrite', from: { commit: b.commit, binding: b.id } };
        for (const run of matchRuns(hashes, targetHashes, hashes.map((h) => !trivial.has(h)))) {
          for (let k = 0; k < run.length; k++) if (file.added.has(run.target + k + 1)) assigned.set(run.target + k, via);
        }
      }
      aiLines += assigned.size;
      for (const binding of buildBindings(repoId, newCommit, file.path, lines, assigned, time)) {
        if (view.has(binding.id)) continue;
        created.push(binding);
        view.add(binding);
      }
    }
  }
  // The new commits' people's changes over AI lines, oldest first (a later one may build on an earlier one's).
  const humanChanges: HumanChange[] = [];
  const notes: string[] = [];
  for (const newCommit of oldByNew.keys()) {
    const found = await humanChangesOf(root, newCommit, repoId, view, time).catch((err: Error) => ({ changes: [], note: `${newCommit.slice(0, 12)}: ${err.message.split('\n')[0]}` }));
    for (const h of found.changes) view.add(h);
    humanChanges.push(...found.changes);
    if (found.note) notes.push(found.note);
  }
  const record: RewriteRecord = {
    schema: GIT_SCHEMA_ID,
    kind: 'rewrite',
    id: `gr_${createHash('sha256').update(JSON.stringify(pairs)).digest('hex').slice(0, 32)}`,
    time,
    repoId,
    source,
    pairs: pairs.map(([a, b]) => [a, b] as [string, string]),
    bindings: created.length,
  };
  await ledger.append([...created, ...humanChanges, ...(view.has(record.id) ? [] : [record])]);
  return { pairs: pairs.length, bindings: created, aiLines, humanChanges, notes };
}

/**
 * `<old>..<new>`: the commits only on the old side (since the merge base) rewritten into the commits only
 * on the new side. Every new commit may hold lines of every old one.
 */
export async function rewriteMapPairs(repoDir: string, range: string): Promise<[string, string][]> {
  const m = /^(.+?)\.\.(.+)$/.exec(range);
  if (!m) throw new Error(`expected a range <old>..<new>, got "${range}"`);
  const root = await repoRoot(repoDir);
  const oldTip = await resolveCommit(root, m[1]!);
  const newTip = await resolveCommit(root, m[2]!);
  const base = (await gitText(root, ['merge-base', oldTip, newTip]).catch(() => '')).trim();
  const list = async (tip: string) => (await gitText(root, ['rev-list', '--reverse', base ? `${base}..${tip}` : tip])).split('\n').filter(Boolean);
  const [olds, news] = await Promise.all([list(oldTip), list(newTip)]);
  return news.flatMap((n) => olds.map((o) => [o, n] as [string, string]));
}
