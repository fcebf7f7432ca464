/**
 * Lineage questions on the server, over the stored graph (lineageStore.ts): the subgraph a question needs
 * is read with one recursive walk, then core's queries (core/lineage/lineageQueries.ts) answer it, the
 * same code the CLI and the hover use.
 *
 * Access: every answer passes through a `canRead(recordId)` predicate. A node whose record the caller may
 * not read is shown as a redacted node (its id and "outside your access", nothing of it) in place: the
 * path through it is never dropped silently. Commits, PRs and files carry no record and are shown.
 */
import { type LineageEdge, type LineageNode, LineageGraph, nodeId } from '../../core/lineage/lineageGraph';
import { ancestryOf, descendantsOf, type Subgraph } from '../../core/lineage/lineageQueries';
import { type ProvDocument, toProvJson } from '../../core/lineage/provJson';
import { type RedactedNode, redactedNode } from '../../core/access/visibility';
import { LedgerView } from '../../core/git/gitLedger';
import type { Binding } from '../../core/git/gitRecords';
import { BlameCommitError } from '../db/blame';
import { type HumanChangeLookup, rangesHold } from './humanChangeLookup';
import type { ImpactCounts, ImpactFilter, LineageStore, StoredNode, Walk } from './lineageStore';

/** May the caller read this record? */
export type CanRead = (recordId: string) => boolean;
export const readAll: CanRead = () => true;
/**
 * The caller's access, asked once per answer for the records a walk reached (one query, not one per
 * node): the route builds it from the caller's scope (access/scope.ts); `allReadable` reads everything.
 */
export type RecordAccess = (recordIds: readonly string[]) => Promise<CanRead>;
export const allReadable: RecordAccess = async () => readAll;
const recordIdsOf = (walk: Walk) => [...new Set(walk.nodes.flatMap((n) => (n.recordId ? [n.recordId] : [])))];

export type ShownNode = LineageNode | RedactedNode;

export interface AncestryJson {
  start: string;
  chain: { node: ShownNode; session: ShownNode | null; prompts: ShownNode[]; via: { evidence: string; confidence: number } | null }[];
  landed: { commit: ShownNode; path: string | null; rewrittenAs: ShownNode[]; prs: ShownNode[] }[];
  graph: { nodes: ShownNode[]; edges: LineageEdge[] };
}

export interface LineAncestryJson {
  repo: string;
  path: string;
  line: number;
  rev: string;
  /**
   * `ai`: the ledger binds the line at that revision to an edit; `human-over-ai`: a person's commit
   * changed an AI edit's line there (a ledger `human-change` fact: the ancestry starts at its `human`
   * node); `unbound`: neither (a person's line from nothing, or not uploaded).
   */
  origin: 'ai' | 'human-over-ai' | 'unbound';
  editId: string | null;
  ancestry: AncestryJson | null;
}

export interface GraphJson {
  nodes: ShownNode[];
  edges: LineageEdge[];
}

export class LineageService {
  constructor(
    readonly store: LineageStore,
    private readonly humans: HumanChangeLookup | null = null,
  ) {}

  private shower(walk: Walk, canRead: CanRead): (n: LineageNode | undefined) => ShownNode | null {
    const records = new Map(walk.nodes.map((n) => [n.id, n.recordId]));
    return (n) => {
      if (!n) return null;
      const rid = records.get(n.id);
      if (rid && !canRead(rid)) return redactedNode(n.id);
      return { id: n.id, kind: n.kind, attrs: n.attrs };
    };
  }

  private graphOf(walk: Walk): LineageGraph {
    return LineageGraph.fromParts(
      walk.nodes.map((n) => ({ id: n.id, kind: n.kind, attrs: n.attrs })),
      walk.edges,
    );
  }

  /** Ancestry of a node (an edit, usually): null when the graph has no such node. */
  async nodeAncestry(id: string, access: RecordAccess = allReadable): Promise<AncestryJson | null> {
    const walk = await this.store.upstream(id);
    const a = ancestryOf(this.graphOf(walk), id);
    if (!a) return null;
    const show = this.shower(walk, await access(recordIdsOf(walk)));
    return {
      start: id,
      chain: a.chain.map((s) => ({ node: show(s.node)!, session: show(s.session), prompts: (s.prompts ?? []).map((p) => show(p)!), via: s.via ?? null })),
      landed: a.landed.map((l) => ({ commit: show(l.commit)!, path: l.path, rewrittenAs: l.rewrittenAs.map((c) => show(c)!), prs: l.prs.map((p) => show(p)!) })),
      graph: this.shownGraph(a.graph, show),
    };
  }

  /** Ancestry of a line of a file at a revision: the ledger's binding of that line, then its edit's ancestry. */
  async lineAncestry(q: { repo: string; path: string; line: number; rev: string }, access: RecordAccess = allReadable): Promise<LineAncestryJson> {
    // The same line lookup as server blame (core's LedgerView over the bindings of that file and commit).
    const at = await this.store.bindingsAt(q.repo, q.rev, q.path);
    const hit = new LedgerView(at.bindings.map((json) => JSON.parse(json) as Binding)).lineAt(at.commit, q.path, q.line);
    const base = { repo: q.repo, path: q.path, line: q.line, rev: at.commit };
    if (!hit) return (await this.humanLine(q, at.commit, access)) ?? { ...base, origin: 'unbound', editId: null, ancestry: null };
    const editId = hit.binding.edit.id;
    const id = nodeId.edit(editId);
    let ancestry = await this.nodeAncestry(id, access);
    // A binding whose edit record was never uploaded: the edit is still known from the ledger.
    ancestry ??= { start: id, chain: [], landed: [], graph: { nodes: [], edges: [] } };
    return { ...base, origin: 'ai', editId: (await access([editId]))(editId) ? editId : null, ancestry };
  }

  /**
   * A line no binding holds: a person's change over AI lines when a `human-change` fact covers it. `known`
   * is the commit the bindings resolved `rev` to (`rev` itself when they know none with that prefix).
   */
  private async humanLine(q: { repo: string; path: string; line: number; rev: string }, known: string, access: RecordAccess): Promise<LineAncestryJson | null> {
    if (!this.humans) return null;
    const resolved = known !== q.rev;
    const found = await this.humans.at(q.repo, resolved ? known : q.rev);
    const commits = new Set(found.map((n) => String(n.attrs.commit)));
    if (!resolved && commits.size > 1) throw new BlameCommitError(`commit prefix ${q.rev} is ambiguous in repository ${q.repo.slice(0, 200)}: give more digits`);
    const node = found.find((n) => n.attrs.path === q.path && rangesHold(n.attrs.ranges, q.line));
    if (!node) return null;
    const ancestry = await this.nodeAncestry(node.id, access);
    if (!ancestry) return null;
    const derived = ancestry.graph.edges.find((e) => e.from === node.id && e.kind === 'derived-from' && e.to.startsWith('edit:'));
    const editId = derived ? derived.to.slice('edit:'.length) : null;
    const readable = editId !== null && (await access([editId]))(editId);
    return { repo: q.repo, path: q.path, line: q.line, rev: String(node.attrs.commit), origin: 'human-over-ai', editId: readable ? editId : null, ancestry };
  }

  /**
   * The ancestry subgraph of many edits at once (a signed export's `lineage=1`): every edit's upstream
   * walk (where it came from, the commits it landed in, their rewrites and PRs), merged, shown through the
   * caller's access like every answer. One walk per edit; more than `maxNodes` nodes is refused.
   */
  async ancestryOfEdits(editIds: readonly string[], access: RecordAccess = allReadable, maxNodes = 200_000): Promise<GraphJson> {
    const nodes = new Map<string, StoredNode>();
    const edges = new Map<string, LineageEdge>();
    for (const id of new Set(editIds)) {
      const walk = await this.store.upstream(nodeId.edit(id));
      for (const n of walk.nodes) nodes.set(n.id, n);
      for (const e of walk.edges) edges.set(`${e.from}\u0000${e.kind}\u0000${e.to}`, e);
      if (nodes.size > maxNodes) throw new LineageTooLargeError(`the lineage of these records holds more than ${maxNodes} nodes: narrow the export's filter`);
    }
    const walk: Walk = { nodes: [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), edges: [...edges.values()] };
    const show = this.shower(walk, await access(recordIdsOf(walk)));
    return { nodes: walk.nodes.map((n) => show(n)!), edges: walk.edges };
  }

  /** Everything downstream of a session or prompt node (edits, rewrites, commits, moves, PRs). */
  async descendants(id: string, access: RecordAccess = allReadable, limit = 50_000): Promise<GraphJson | null> {
    const walk = await this.store.downstream(id, limit);
    const sub = descendantsOf(this.graphOf(walk), id);
    if (!sub) return null;
    return this.shownGraph(sub, this.shower(walk, await access(recordIdsOf(walk))));
  }

  /** Aggregates only (counts, never content): what a tool or model produced in a time window. */
  impact(filter: ImpactFilter): Promise<ImpactCounts> {
    return this.store.impact(filter);
  }

  /** The dashboard's overview: the newest matching edits and their neighbours. */
  async overview(filter: ImpactFilter, limit: number, access: RecordAccess = allReadable): Promise<GraphJson> {
    const walk = await this.store.neighbourhood(filter, limit);
    const show = this.shower(walk, await access(recordIdsOf(walk)));
    return { nodes: walk.nodes.map((n) => show(n)!), edges: walk.edges };
  }

  private shownGraph(sub: Subgraph, show: (n: LineageNode | undefined) => ShownNode | null): GraphJson {
    return { nodes: sub.nodes.map((n) => show(n)!), edges: sub.edges };
  }
}

export class LineageTooLargeError extends Error {}

/** PROV-JSON of a shown graph: a redacted node stays an entity that says so, nothing more. */
export function provOf(g: GraphJson): ProvDocument {
  const nodes: LineageNode[] = g.nodes.map((n) => (n.kind === 'redacted' ? { id: n.id, kind: 'edit', attrs: { redacted: n.reason } } : n));
  return toProvJson({ nodes, edges: g.edges });
}

export type { StoredNode };
