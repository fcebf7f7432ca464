/**
 * AI versus human lines over a revision range: lines ADDED by the range's commits (from their diffs) and
 * lines of those commits still KEPT at the range's end (from blame of the files they touched), per tool,
 * per model and per commit author. A line is AI when the ledger binds it (see blame.ts).
 */
import { commitAdditions, commitInfo } from './commitChanges';
import { gitText, repoRoot, resolveCommit } from './gitExec';
import type { LedgerView } from './gitLedger';
import { gitBlame } from './blame';
import { lineHash } from './lineHashes';

export interface Tally {
  added: number;
  kept: number;
}

export interface RangeStats {
  range: string;
  commits: number;
  ai: Tally;
  human: Tally;
  byTool: Record<string, Tally>;
  byModel: Record<string, Tally>;
  byAuthor: Record<string, { ai: Tally; human: Tally }>;
}

const tally = (): Tally => ({ added: 0, kept: 0 });

/** `range`: `A..B`, or a single revision (its whole history). Default HEAD. */
export async function rangeStats(repoDir: string, ledger: LedgerView, range = 'HEAD'): Promise<RangeStats> {
  const root = await repoRoot(repoDir);
  const commits = (await gitText(root, ['rev-list', '--no-merges', range])).split('\n').filter(Boolean);
  const tip = await resolveCommit(root, range.includes('..') ? range.split('..')[1] || 'HEAD' : range);
  const inRange = new Set(commits);
  const stats: RangeStats = { range, commits: commits.length, ai: tally(), human: tally(), byTool: {}, byModel: {}, byAuthor: {} };
  const author = (key: string) => (stats.byAuthor[key] ??= { ai: tally(), human: tally() });
  const authors = new Map<string, string>();
  const touched = new Set<string>();
  for (const commit of commits) {
    const info = await commitInfo(root, commit);
    const who = info.author.email ? `${info.author.name} <${info.author.email}>` : info.author.name;
    authors.set(commit, who);
    for (const file of await commitAdditions(root, commit, info.parents[0] ?? null)) {
      touched.add(file.path);
      for (const line of file.added) {
        const hit = ledger.lineAt(commit, file.path, line);
        if (hit) {
          stats.ai.added++;
          (stats.byTool[hit.binding.edit.tool] ??= tally()).added++;
          (stats.byModel[hit.binding.edit.model] ??= tally()).added++;
          author(who).ai.added++;
        } else {
          stats.human.added++;
          author(who).human.added++;
        }
      }
    }
  }
  const existing = new Set((await gitText(root, ['ls-tree', '-r', '--name-only', tip])).split('\n'));
  for (const file of touched) {
    if (!existing.has(file)) continue;
    for (const l of await gitBlame(root, file, tip)) {
      if (!inRange.has(l.commit)) continue;
      const who = authors.get(l.commit)!;
      const hit = ledger.lineAt(l.commit, l.origPath, l.origLine);
      if (hit && hit.lineHash === lineHash(l.text)) {
        stats.ai.kept++;
        (stats.byTool[hit.binding.edit.tool] ??= tally()).kept++;
        (stats.byModel[hit.binding.edit.model] ??= tally()).kept++;
        author(who).ai.kept++;
      } else {
        stats.human.kept++;
        author(who).human.kept++;
      }
    }
  }
  return stats;
}
