/**
 * Binding AI-attributed lines to a commit: the post-commit path (CLI hook) and what the editor calls
 * when its git extension reports a new commit.
 *
 * For each text file the commit added lines to, the lines are attributed from two sources:
 *  1. the store's live AI edits of that file (their inserted text, found again in the committed blob;
 *     with privacy "hash" only a whole-line insertion whose hash matches is found), later edits winning;
 *  2. lines already bound in other commits of the repository, found again by their line hashes (a
 *     cherry-pick, `merge --squash`, a commit of a popped stash, code moved between commits).
 * Only lines the commit added are bound: older lines keep the binding of the commit that added them.
 */
import * as path from 'node:path';
import { contentText } from '../model/content';
import type { EditEvent } from '../model/schema';
import type { ProvenanceStore } from '../store/provenanceStore';
import { RepoInfoCache } from './repoInfo';
import { buildBindings, boundEditOf, type LineSource } from './bindingBuilder';
import { commitAdditions } from './commitChanges';
import { catFiles, repoRoot, resolveCommit } from './gitExec';
import type { GitLedger } from './gitLedger';
import { LedgerView } from './gitLedger';
import type { Binding, HumanChange } from './gitRecords';
import { humanChangesOf } from './humanChanges';
import { blobLines, isTrivialLine, lineHash } from './lineHashes';
import { matchInsertedText, matchRuns } from './lineMatch';
import { createHash } from 'node:crypto';

export interface BindResult {
  commit: string;
  repoId: string;
  bindings: Binding[];
  /** AI lines bound in this commit. */
  aiLines: number;
  addedLines: number;
  /** A person's changes over AI lines in this commit (core/git/humanChanges.ts). */
  humanChanges: HumanChange[];
  /** Why they were not computed (a diff too large), when they were not. */
  humanChangeNote: string | null;
}

export interface BindCommitOptions {
  repoDir: string;
  /** Default HEAD. */
  commit?: string;
  /** The store with an index (`inProcess` or `worker`), or null to bind only from earlier bindings. */
  store: ProvenanceStore | null;
  ledger: GitLedger;
}

export async function repoIdentityOf(root: string): Promise<{ id: string; remote?: string }> {
  const info = await new RepoInfoCache().forFile(path.join(root, '.lineagelens'));
  if (!info) throw new Error(`${root} is not inside a git repository`);
  return info.identity;
}

export async function bindCommit(options: BindCommitOptions): Promise<BindResult> {
  const root = await repoRoot(options.repoDir);
  const commit = await resolveCommit(root, options.commit ?? 'HEAD');
  const repoId = (await repoIdentityOf(root)).id;
  const files = (await commitAdditions(root, commit)).filter((f) => !f.path.includes('\n'));
  const blobs = await catFiles(root, files.map((f) => `${commit}:${f.path}`));
  const view = new LedgerView(options.ledger.readAll());
  const time = new Date().toISOString();
  const created: Binding[] = [];
  let aiLines = 0;
  let addedLines = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const lines = blobs[i] ? blobLines(blobs[i]!) : null;
    if (!lines) continue;
    addedLines += file.added.size;
    const assigned = new Map<number, LineSource>();
    if (options.store) {
      for (const edit of await liveEdits(options.store, repoId, file.path)) {
        const source: LineSource = { edit: boundEditOf(edit), via: 'commit' };
        for (const line of editLines(edit, lines)) assigned.set(line, source);
      }
    }
    // Bound content seen again: only for lines no edit claimed.
    const targetHashes = lines.map(lineHash);
    const trivial = new Set(lines.filter(isTrivialLine).map(lineHash));
    const earlier = view.ofRepoPath(repoId, file.path).filter((b) => b.commit !== commit);
    for (const b of earlier.sort((x, y) => x.edit.time.localeCompare(y.edit.time))) {
      const source = b.ranges.flatMap((r) => r.lines);
      const via: LineSource = { edit: b.edit, via: 'content', from: { commit: b.commit, binding: b.id } };
      for (const run of matchRuns(source, targetHashes, source.map((h) => !trivial.has(h)))) {
        for (let k = 0; k < run.length; k++) if (!assigned.has(run.target + k) || assigned.get(run.target + k)!.via === 'content') assigned.set(run.target + k, via);
      }
    }
    for (const line of [...assigned.keys()]) if (!file.added.has(line + 1)) assigned.delete(line);
    aiLines += assigned.size;
    for (const binding of buildBindings(repoId, commit, file.path, lines, assigned, time)) {
      if (view.has(binding.id)) continue;
      created.push(binding);
      view.add(binding);
    }
  }
  // With this commit's bindings known: the lines a person changed over AI lines of the parent.
  // A failure here must not cost the bindings: it becomes the note.
  const human = await humanChangesOf(root, commit, repoId, view, time).catch((err: Error) => ({ changes: [], note: `${commit.slice(0, 12)}: people's changes over AI lines not computed: ${err.message.split('\n')[0]}` }));
  await options.ledger.append([...created, ...human.changes]);
  return { commit, repoId, bindings: created, aiLines, addedLines, humanChanges: human.changes, humanChangeNote: human.note };
}

/** The file's edits that still attribute lines, oldest first (so later edits win a line). */
async function liveEdits(store: ProvenanceStore, repoId: string, file: string): Promise<EditEvent[]> {
  const edits: EditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ repoId, path: file, kind: 'edit', limit: 1_000, ...(cursor ? { cursor } : {}) });
    const records = await store.getRecords(page.hits.map((h) => h.seq));
    for (const r of records) if (r?.kind === 'edit' && r.disposition !== 'rejected') edits.push(r);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return edits.sort((a, b) => a.time.localeCompare(b.time));
}

/** 0-based committed lines holding what the edit inserted. */
export function editLines(edit: EditEvent, lines: readonly string[]): number[] {
  const hint = edit.rangeAfter.start.line;
  const text = contentText(edit.insertedText);
  if (text !== undefined) return matchInsertedText(text, edit.rangeAfter.start.character > 0, lines, hint);
  // Only a hash: a whole-line insertion can still be found by hashing windows of the same height.
  if (edit.rangeAfter.start.character !== 0) return [];
  const height = edit.rangeAfter.end.line - edit.rangeAfter.start.line + (edit.rangeAfter.end.character > 0 ? 1 : 0);
  if (height < 1) return [];
  let best: number | null = null;
  for (let k = 0; k + height <= lines.length; k++) {
    const body = lines.slice(k, k + height).join('\n');
    const h1 = createHash('sha256').update(body).digest('hex');
    const h2 = createHash('sha256').update(`${body}\n`).digest('hex');
    if ((h1 === edit.contentHash || h2 === edit.contentHash) && (best === null || Math.abs(k - hint) < Math.abs(best - hint))) best = k;
  }
  return best === null ? [] : Array.from({ length: height }, (_, i) => best! + i);
}
