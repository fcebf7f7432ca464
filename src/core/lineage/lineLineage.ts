/**
 * The ancestry of one line of a file at a revision, with real git:
 *
 *   1. `git blame` says which commit last wrote the line; if the ledger binds that committed line to an
 *      AI edit (and its hash still matches), the edit's ancestry in the lineage graph is the answer.
 *   2. Otherwise a person wrote the line in that commit. If the commit replaced lines (its diff hunk
 *      removed some), the line it replaced is blamed in the parent revision, and so on back (bounded):
 *      when an AI line is reached, the person's change becomes a `human` node derived from that edit.
 *      A line a person added from nothing has no AI ancestry. When the ledger already holds that
 *      commit's `human-change` fact (core/git/humanChanges.ts), it is the answer, as on the team server.
 */
import { blameFile, gitBlame } from '../git/blame';
import { gitText } from '../git/gitExec';
import type { LedgerView } from '../git/gitLedger';
import { lineHash } from '../git/lineHashes';
import type { LineageGraph } from './lineageGraph';
import { nodeId } from './lineageGraph';
import { ancestryOf, type Ancestry } from './lineageQueries';

export interface LineLineageOptions {
  repoDir: string;
  file: string;
  /** 1-based. */
  line: number;
  rev?: string;
  ledger: LedgerView;
  /** The lineage graph, or a loader of the part of it around some nodes (the store's lineage tables). */
  graph: LineageGraph | ((startNodes: string[]) => Promise<LineageGraph>);
  /** How many person-made changes to follow back before giving up. */
  maxHops?: number;
}

export interface LineLineage {
  path: string;
  rev: string;
  line: number;
  commit: string;
  author: { name: string; email: string; time: string };
  origin: 'ai' | 'human-over-ai' | 'human';
  ancestry: Ancestry | null;
}

/** Maps a line of `commit` to the line it replaced in `commit^`, or null when it was added from nothing. */
async function replacedLine(root: string, commit: string, path: string, line: number): Promise<{ path: string; line: number } | null> {
  let diff: string;
  try {
    diff = await gitText(root, ['diff', '--no-color', '--no-ext-diff', '-U0', '-M', `${commit}^`, commit, '--', path]);
  } catch {
    return null; // a root commit: nothing before it
  }
  let oldPath = path;
  for (const l of diff.split('\n')) {
    const rename = /^rename from (.+)$/.exec(l);
    if (rename) oldPath = rename[1]!;
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(l);
    if (!h) continue;
    const [a, b, c, d] = [Number(h[1]), h[2] === undefined ? 1 : Number(h[2]), Number(h[3]), h[4] === undefined ? 1 : Number(h[4])];
    if (line < c || line >= c + d) continue;
    if (b === 0) return null; // pure addition
    return { path: oldPath, line: a + Math.min(line - c, b - 1) };
  }
  return null;
}

export async function lineLineage(o: LineLineageOptions): Promise<LineLineage> {
  const blame = await blameFile({ repoDir: o.repoDir, file: o.file, rev: o.rev, ledger: o.ledger });
  const at = blame.lines[o.line - 1];
  if (!at) throw new Error(`${blame.path} has ${blame.lines.length} line(s) at ${blame.rev}; there is no line ${o.line}`);
  const base = { path: blame.path, rev: blame.rev, line: o.line, commit: at.commit, author: at.author };
  const graphAround = async (editId: string) => (typeof o.graph === 'function' ? o.graph([nodeId.edit(editId)]) : o.graph);
  if (at.ai) {
    const graph = await graphAround(at.ai.binding.edit.id);
    graph.addBinding(at.ai.binding);
    return { ...base, origin: 'ai', ancestry: ancestryOf(graph, nodeId.edit(at.ai.binding.edit.id)) };
  }
  // The ledger's fact for this commit's line (computed when the commit was bound): the same node the
  // team server answers with. Without one (a commit bound before such facts), git is followed back below.
  const fact = o.ledger.humanChangeAt(at.commit, at.origPath, at.origLine);
  if (fact && fact.lineHash === lineHash(at.text)) {
    const editId = fact.change.edit.id;
    const graph = await graphAround(editId);
    for (const b of o.ledger.bindingsOfEdit(editId)) graph.addBinding(b);
    return { ...base, origin: 'human-over-ai', ancestry: ancestryOf(graph, graph.addHumanChange(fact.change)) };
  }
  let hop = { commit: at.commit, path: at.origPath, line: at.origLine };
  for (let i = 0; i < (o.maxHops ?? 10); i++) {
    const prev = await replacedLine(blame.root, hop.commit, hop.path, hop.line);
    if (!prev) break;
    const parentBlame = (await gitBlame(blame.root, prev.path, `${hop.commit}^`))[prev.line - 1];
    if (!parentBlame) break;
    const hit = o.ledger.lineAt(parentBlame.commit, parentBlame.origPath, parentBlame.origLine);
    if (hit && hit.lineHash === lineHash(parentBlame.text)) {
      const graph = await graphAround(hit.binding.edit.id);
      graph.addBinding(hit.binding);
      const repoId = hit.binding.repoId;
      const human = graph.addHumanEdit(hit.binding.edit.id, { repoId, sha: at.commit, path: blame.path, line: o.line, author: at.author.name, time: at.author.time });
      return { ...base, origin: 'human-over-ai', ancestry: ancestryOf(graph, human) };
    }
    hop = { commit: parentBlame.commit, path: parentBlame.origPath, line: parentBlame.origLine };
  }
  return { ...base, origin: 'human', ancestry: null };
}
