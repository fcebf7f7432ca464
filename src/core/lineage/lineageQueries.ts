/**
 * Questions asked of a lineage graph:
 *   ancestry     where a node (an edit, a person's change) came from, as a chain oldest first, plus the
 *                subgraph behind it (every edge that led here, for JSON and PROV export);
 *   descendants  everything a session or a prompt produced and where it went (edits that rewrote its
 *                lines, commits, moved files, PRs);
 *   impact       what one tool or model produced in a time window.
 */
import type { EdgeKind, LineageEdge, LineageGraph, LineageNode } from './lineageGraph';

export interface Subgraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface AncestryStep {
  node: LineageNode;
  /** The session and prompt of an edit step. */
  session?: LineageNode;
  prompts?: LineageNode[];
  /** How this step derives from the one before it (evidence and confidence); absent on the first. */
  via?: { evidence: string; confidence: number };
}

export interface Ancestry {
  chain: AncestryStep[];
  /** Commits the start node landed in (and what they were rewritten as), and PRs that reviewed them. */
  landed: { commit: LineageNode; path: string | null; rewrittenAs: LineageNode[]; prs: LineageNode[] }[];
  graph: Subgraph;
}

const UPSTREAM: EdgeKind[] = ['derived-from', 'part-of', 'prompted-by'];

function collect(graph: LineageGraph, start: string, follow: (id: string) => LineageEdge[], maxNodes: number): Subgraph {
  const seen = new Set<string>([start]);
  const edges: LineageEdge[] = [];
  const queue = [start];
  while (queue.length > 0 && seen.size < maxNodes) {
    const id = queue.shift()!;
    for (const e of follow(id)) {
      edges.push(e);
      const next = e.from === id ? e.to : e.from;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return { nodes: [...seen].map((id) => graph.node(id)).filter((n): n is LineageNode => !!n), edges };
}

function landedOf(graph: LineageGraph, id: string): Ancestry['landed'] {
  return graph.out(id, 'landed-in').map((e) => {
    const rewrittenAs: LineageNode[] = [];
    let at = e.to;
    for (let guard = 0; guard < 100; guard++) {
      const next = graph.out(at, 'rewritten-as')[0];
      if (!next) break;
      rewrittenAs.push(graph.node(next.to)!);
      at = next.to;
    }
    const prs = [e.to, ...rewrittenAs.map((n) => n.id)].flatMap((c) => graph.out(c, 'reviewed-in').map((p) => graph.node(p.to)!));
    return { commit: graph.node(e.to)!, path: (e.attrs?.path as string | undefined) ?? null, rewrittenAs, prs };
  });
}

function stepOf(graph: LineageGraph, node: LineageNode): AncestryStep {
  const step: AncestryStep = { node };
  const part = graph.out(node.id, 'part-of')[0];
  if (part) {
    step.session = graph.node(part.to);
    step.prompts = graph.out(part.to, 'prompted-by').map((p) => graph.node(p.to)!);
  }
  return step;
}

/** The ancestry of an edit or human node: the strongest derived-from path back to its origin. */
export function ancestryOf(graph: LineageGraph, id: string, maxNodes = 10_000): Ancestry | null {
  const start = graph.node(id);
  if (!start) return null;
  const chain: AncestryStep[] = [];
  const seen = new Set<string>();
  let at: LineageNode | undefined = start;
  // Newest first: each step names the edge to its parent (the strongest: highest confidence, then newest).
  while (at && !seen.has(at.id)) {
    seen.add(at.id);
    const parent: LineageEdge | undefined = graph
      .out(at.id, 'derived-from')
      .sort((a, b) => b.confidence - a.confidence || String(graph.node(b.to)?.attrs.time ?? '').localeCompare(String(graph.node(a.to)?.attrs.time ?? '')))[0];
    const step = stepOf(graph, at);
    if (parent) step.via = { evidence: parent.evidence, confidence: parent.confidence };
    chain.push(step);
    at = parent ? graph.node(parent.to) : undefined;
  }
  chain.reverse();
  return {
    chain,
    landed: landedOf(graph, id),
    graph: collect(graph, id, (n) => [...graph.out(n).filter((e) => UPSTREAM.includes(e.kind) || n === id), ...graph.out(n, 'rewritten-as'), ...graph.out(n, 'reviewed-in')], maxNodes),
  };
}

/** Everything downstream of a session or prompt: its edits, edits and people that rewrote them, commits, moves. */
export function descendantsOf(graph: LineageGraph, id: string, maxNodes = 100_000): Subgraph | null {
  if (!graph.node(id)) return null;
  return collect(
    graph,
    id,
    (n) => [
      ...graph.in(n, 'prompted-by'),
      ...graph.in(n, 'part-of'),
      ...graph.in(n, 'derived-from'),
      ...graph.out(n, 'landed-in'),
      ...graph.out(n, 'moved-to'),
      ...graph.out(n, 'rewritten-as'),
      ...graph.out(n, 'reviewed-in'),
    ],
    maxNodes,
  );
}

export interface Impact {
  edits: number;
  lines: number;
  sessions: number;
  commits: number;
  /** Later edits (by any tool) or people that rewrote this tool's / model's lines. */
  rewrittenBy: number;
  files: number;
}

/** What one tool or model produced between `since` and `until` (ISO times, inclusive). */
export function impactOf(graph: LineageGraph, filter: { tool?: string; model?: string; since?: string; until?: string }): Impact {
  const sessions = new Set<string>();
  const commits = new Set<string>();
  const files = new Set<string>();
  let edits = 0;
  let lines = 0;
  let rewrittenBy = 0;
  for (const n of graph.allNodes()) {
    if (n.kind !== 'edit') continue;
    const a = n.attrs;
    if (filter.tool && a.tool !== filter.tool) continue;
    if (filter.model && a.model !== filter.model) continue;
    const t = String(a.time ?? '');
    if ((filter.since && t < filter.since) || (filter.until && t > filter.until)) continue;
    edits++;
    lines += Number(a.lines ?? 0);
    if (a.path) files.add(String(a.path));
    for (const e of graph.out(n.id, 'part-of')) sessions.add(e.to);
    for (const e of graph.out(n.id, 'landed-in')) commits.add(e.to);
    rewrittenBy += graph.in(n.id, 'derived-from').length;
  }
  return { edits, lines, sessions: sessions.size, commits: commits.size, rewrittenBy, files: files.size };
}
