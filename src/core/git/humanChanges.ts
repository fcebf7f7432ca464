/**
 * A person's changes over AI lines, computed once per commit when it is bound (post-commit, and for the
 * new commits of a rewrite), so that whoever has the ledger but no git checkout (the team server) can
 * answer them as `lineLineage` does with git:
 *
 *   for every line of the commit's diff (against its first parent) that replaced lines (a hunk that
 *   removed some), the replaced line in the parent (`old start + min(k, removed - 1)`, as lineLineage's
 *   replacedLine) is blamed in the parent; when the ledger binds that line to an AI edit (its hash still
 *   matching), or an earlier person's change over AI lines holds it, the new line is a person's change
 *   over that edit. Lines the commit itself binds to an AI edit are not a person's.
 *
 * Bounded: a diff replacing more than MAX_REPLACED_LINES lines, or touching more than MAX_FILES files, is
 * skipped with a note (no facts for that commit; a local `lineagelens lineage` still answers with git).
 * Only ids, line numbers, hashes and the author's name and time are recorded; never the lines' text.
 */
import { createHash } from 'node:crypto';
import { gitBlame, type RawBlameLine } from './blame';
import { unquote } from './commitChanges';
import { catFiles, gitText } from './gitExec';
import type { LedgerView } from './gitLedger';
import { type ChangedRange, GIT_SCHEMA_V2, type HumanChange } from './gitRecords';
import { blobLines, lineHash } from './lineHashes';

export const MAX_REPLACED_LINES = 20_000;
export const MAX_FILES = 2_000;

interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

interface FileDiff {
  oldPath: string;
  newPath: string;
  hunks: Hunk[];
}

export interface HumanChangeResult {
  changes: HumanChange[];
  /** Why the commit was skipped (too large), when it was. */
  note: string | null;
}

export function humanChangeId(commit: string, path: string, editId: string): string {
  return `gh_${createHash('sha256').update(`${commit}\0${path}\0${editId}`).digest('hex').slice(0, 32)}`;
}

/** Files of a `git diff -U0 -M` with the hunks that replaced lines (removed some and added some). */
export function parseReplacements(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | null = null;
  let oldPath: string | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      oldPath = null;
    } else if (line.startsWith('--- ')) {
      const p = line.slice(4);
      oldPath = p === '/dev/null' ? null : unquote(p).replace(/^a\//, '');
    } else if (line.startsWith('+++ ')) {
      const p = line.slice(4);
      current = p === '/dev/null' || oldPath === null ? null : { oldPath, newPath: unquote(p).replace(/^b\//, ''), hunks: [] };
      if (current) files.push(current);
    } else if (current && line.startsWith('@@')) {
      const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!h) continue;
      const hunk = { oldStart: Number(h[1]), oldCount: h[2] === undefined ? 1 : Number(h[2]), newStart: Number(h[3]), newCount: h[4] === undefined ? 1 : Number(h[4]) };
      if (hunk.oldCount > 0 && hunk.newCount > 0) current.hunks.push(hunk);
    }
  }
  return files.filter((f) => f.hunks.length > 0 && !f.oldPath.includes('\n') && !f.newPath.includes('\n'));
}

/** The AI edit behind a line of the parent revision: bound there, or under an earlier person's change. */
function aiEditOf(view: LedgerView, at: RawBlameLine): string | null {
  const hash = lineHash(at.text);
  const bound = view.lineAt(at.commit, at.origPath, at.origLine);
  if (bound && bound.lineHash === hash) return bound.binding.edit.id;
  const human = view.humanChangeAt(at.commit, at.origPath, at.origLine);
  if (human && human.lineHash === hash) return human.change.edit.id;
  return null;
}

function rangesOf(lines: number[], text: readonly string[]): ChangedRange[] {
  lines.sort((a, b) => a - b);
  const ranges: ChangedRange[] = [];
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    if (i < lines.length && lines[i] === lines[i - 1]! + 1) continue;
    const [s, e] = [lines[start]!, lines[i - 1]!];
    ranges.push({ start: s, end: e, lines: text.slice(s - 1, e).map(lineHash) });
    start = i;
  }
  return ranges;
}

/**
 * The person's changes over AI lines in `commit` (new ones only: facts the ledger already holds are left
 * out). `view` must already hold the commit's own bindings and the ledger's earlier records.
 */
export async function humanChangesOf(root: string, commit: string, repoId: string, view: LedgerView, time: string): Promise<HumanChangeResult> {
  const [name, at, parents] = (await gitText(root, ['show', '-s', '--format=%an%x00%at%x00%P', commit])).replace(/\n+$/, '').split('\0');
  const parent = (parents ?? '').split(' ').filter(Boolean)[0];
  if (!parent) return { changes: [], note: null }; // a root commit replaced nothing
  // As `git blame` reports the author: the name, and the author time in whole seconds.
  const author = { name: (name ?? '').slice(0, 500), time: new Date(Number(at) * 1000).toISOString() };
  const files = parseReplacements(await gitText(root, ['diff', '--no-color', '--no-ext-diff', '--src-prefix=a/', '--dst-prefix=b/', '-U0', '-M', parent, commit, '--']));
  const replaced = files.reduce((n, f) => n + f.hunks.reduce((m, h) => m + h.newCount, 0), 0);
  const short = commit.slice(0, 12);
  if (files.length > MAX_FILES) return { changes: [], note: `${short}: ${files.length} files with replaced lines (more than ${MAX_FILES}): people's changes over AI lines not computed` };
  if (replaced > MAX_REPLACED_LINES) return { changes: [], note: `${short}: ${replaced} replaced lines (more than ${MAX_REPLACED_LINES}): people's changes over AI lines not computed` };

  const blobs = await catFiles(root, files.map((f) => `${commit}:${f.newPath}`));
  const changes: HumanChange[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const text = blobs[i] ? blobLines(blobs[i]!) : null;
    if (!text) continue; // binary, or not readable
    // Only the old lines the hunks removed are blamed in the parent (one -L per hunk).
    let blamed: RawBlameLine[];
    try {
      blamed = await gitBlame(root, file.oldPath, parent, file.hunks.map((h) => [h.oldStart, h.oldStart + h.oldCount - 1] as const));
    } catch {
      continue; // the path is not in the parent after all (a copy git paired differently): nothing to follow
    }
    const byLine = new Map(blamed.map((b) => [b.line, b]));
    const perEdit = new Map<string, number[]>();
    for (const h of file.hunks) {
      for (let k = 0; k < h.newCount; k++) {
        const line = h.newStart + k;
        if (line > text.length || view.lineAt(commit, file.newPath, line)) continue; // AI-bound in this commit
        const before = byLine.get(h.oldStart + Math.min(k, h.oldCount - 1));
        const editId = before ? aiEditOf(view, before) : null;
        if (!editId) continue;
        const list = perEdit.get(editId);
        if (list) list.push(line);
        else perEdit.set(editId, [line]);
      }
    }
    for (const [editId, lines] of perEdit) {
      const id = humanChangeId(commit, file.newPath, editId);
      if (view.has(id)) continue;
      changes.push({ schema: GIT_SCHEMA_V2, kind: 'human-change', id, time, repoId, commit, path: file.newPath, author, edit: { id: editId }, ranges: rangesOf(lines, text) });
    }
  }
  return { changes, note: null };
}
