/**
 * The server's lineage tables, as one asynchronous interface over SQLite (sqliteLineage.ts) and
 * PostgreSQL (pgLineage.ts):
 *
 *   lineage_nodes        one row per node (core/lineage/lineageGraph.ts ids), with the columns queries
 *                        filter on (kind, tool, model, time, path, lines) and the record it came from
 *                        (`record_id`: what a role filter checks);
 *   lineage_edges        (src, kind, dst) with evidence, confidence and display-safe attrs; indexed both
 *                        ways, so a walk up or down the graph is an index lookup per hop;
 *   lineage_line_hashes  per file, the line hashes each edit inserted ('i') and deleted ('d'): how a later
 *                        edit is found to have rewritten an earlier one's lines (derived-from by content),
 *                        whichever of the two arrives first.
 *
 * Writes are idempotent (a resent record changes nothing); reads walk with recursive CTEs.
 */
import type { RecordScope } from '../access/scopeSql';
import type { Impact } from '../../core/lineage/lineageQueries';
import type { EdgeKind, LineageEdge, LineageNode } from '../../core/lineage/lineageGraph';
import { BlameCommitError } from '../db/blame';

export const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** One commit for a prefix, or the prefix itself when none is known (then nothing is bound there). */
export function oneCommit(rev: string, found: string[], repoId: string): string {
  if (found.length > 1) throw new BlameCommitError(`commit prefix ${rev} is ambiguous in repository ${repoId.slice(0, 200)}: give more digits`);
  return found[0] ?? rev;
}

export interface StoredNode extends LineageNode {
  /** The provenance record this node came from (edit, session, prompt); null for commits, PRs, files. */
  recordId: string | null;
  repoId: string | null;
}

export interface HashRow {
  repoId: string;
  path: string;
  hash: string;
  side: 'i' | 'd';
  editId: string;
  time: string;
  /** 1-based, inclusive: the inserted lines after the edit ('i'), the replaced lines before it ('d'). */
  lineStart: number;
  lineEnd: number;
}

export interface ImpactFilter {
  tool?: string;
  model?: string;
  since?: string;
  until?: string;
  /** Impact only: count the edits of these uploaders' records (the caller's aggregate scope). */
  scope?: RecordScope;
}

/** The same counts core answers for an in-memory graph. */
export type ImpactCounts = Impact;

export interface Walk {
  nodes: StoredNode[];
  edges: LineageEdge[];
}

/** Edges followed upstream from an edit (where it came from) and from its commits (where it went). */
export const UPSTREAM_KINDS: EdgeKind[] = ['derived-from', 'part-of', 'prompted-by', 'rewritten-as', 'reviewed-in'];
/** From the start node only: the commits and files its lines landed in. */
export const START_KINDS: EdgeKind[] = ['landed-in', 'moved-to'];
/** Downstream from a session or prompt: edges followed against their direction, and with it. */
export const DOWN_IN_KINDS: EdgeKind[] = ['prompted-by', 'part-of', 'derived-from'];
export const DOWN_OUT_KINDS: EdgeKind[] = ['landed-in', 'moved-to', 'rewritten-as', 'reviewed-in'];

/** The deepest walk (hops): ancestry chains are a handful of steps; the bound only stops runaway data. */
export const MAX_DEPTH = 64;

/** A "newest earlier inserter" question: the edit `exclude` (at `before`) replaced a line with this hash. */
export interface InserterProbe {
  repoId: string;
  path: string;
  hash: string;
  before: string;
  exclude: string;
}

/** The answer to an InserterProbe: the newest such 'i' row (ties in time: the greatest edit id, bytewise). */
export interface InserterHit {
  editId: string;
  time: string;
  lineStart: number;
  lineEnd: number;
}

/** A "later deleters" question: edits of the file after `after` that deleted a line with this hash. */
export interface DeleterProbe {
  repoId: string;
  path: string;
  hash: string;
  after: string;
}

/** Orders two inserters as the stores' ORDER BY time DESC, edit_id DESC does (true: `a` is newer). */
export function newerInserter(a: InserterHit, b: InserterHit): boolean {
  if (a.time !== b.time) return a.time > b.time;
  return Buffer.compare(Buffer.from(a.editId), Buffer.from(b.editId)) > 0;
}

export interface LineageStore {
  /**
   * Runs one batch of indexing as one unit of storage work where that is cheaper (SQLite: one transaction
   * instead of one per statement group); without it each call stands alone.
   */
  batch?(work: () => Promise<void>): Promise<void>;
  /**
   * Inserts nodes; an existing node's attrs are merged (`merge`) or left alone (`ifMissing`). Several rows
   * with one id are applied in order, as if written one at a time.
   */
  putNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): Promise<void>;
  /**
   * Inserts edges; an existing edge is replaced when the new one is at least as sure. Several rows with one
   * key are applied in order, as if written one at a time.
   */
  putEdges(edges: LineageEdge[]): Promise<void>;
  putHashes(rows: HashRow[]): Promise<void>;
  /**
   * Per node, drops its `kind` edges to anything but `to` (null: all of them): for edges that are
   * re-derived as a whole, e.g. a commit's reviewed-in when a later PR merges it.
   */
  retainEdges(kind: EdgeKind, keep: { from: string; to: string | null }[]): Promise<void>;
  /**
   * What a batch of records indexes, as one write (PostgreSQL: one statement, so one transaction and one
   * round trip): nodes merged, edges and line hashes, each in order.
   */
  putIndexed(nodes: StoredNode[], edges: LineageEdge[], hashes: HashRow[]): Promise<void>;
  /** Per probe (same positions), the newest stored edit of the file before `before`, other than `exclude`, that inserted such a line. */
  latestInserters(probes: InserterProbe[]): Promise<(InserterHit | null)[]>;
  /** Every 'd' row of each stored edit that deleted a line with a probe's hash after the probe's time. */
  laterDeleters(probes: DeleterProbe[]): Promise<HashRow[]>;
  /** Every stored line-hash row of these edits (both sides). */
  hashesOf(editIds: string[]): Promise<HashRow[]>;
  nodes(ids: string[]): Promise<StoredNode[]>;
  /**
   * The ledger's bindings (JSON) of a file at a commit, the commit given in full or as a prefix of at
   * least 7 digits (several commits with that prefix: BlameCommitError).
   */
  bindingsAt(repoId: string, rev: string, path: string): Promise<{ commit: string; bindings: string[] }>;
  /**
   * Commits and paths the ledger bound these edits' lines to (git_bindings), ordered by edit, repository,
   * path and commit (so a batch sees them in the same order as one edit at a time).
   */
  bindingsOfEdits(editIds: string[]): Promise<{ editId: string; repoId: string; path: string; commit: string }[]>;

  /** Edges reachable from `start`: START_KINDS from it, UPSTREAM_KINDS from there on (recursive CTE). */
  upstream(start: string): Promise<Walk>;
  /** Everything downstream of a session or prompt (recursive CTE), at most `limit` edges. */
  downstream(start: string, limit: number): Promise<Walk>;
  impact(filter: ImpactFilter): Promise<ImpactCounts>;
  /** The newest edits matching the filter and the edges touching them (the dashboard's overview). */
  neighbourhood(filter: ImpactFilter, limit: number): Promise<Walk>;
}

/** A node row as stored: attrs as JSON text (SQLite) or jsonb (PostgreSQL, already parsed). */
export interface NodeRowIn {
  id: string;
  kind: string;
  record_id: string | null;
  repo_id: string | null;
  attrs: string | Record<string, string | number | null>;
}

export function nodeFromRow(r: NodeRowIn): StoredNode {
  return { id: r.id, kind: r.kind as StoredNode['kind'], recordId: r.record_id, repoId: r.repo_id, attrs: typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs };
}

export interface EdgeRowIn {
  src: string;
  kind: string;
  dst: string;
  evidence: string;
  confidence: number;
  attrs: string | Record<string, string | number | null> | null;
}

export function edgeFromRow(r: EdgeRowIn): LineageEdge {
  const e: LineageEdge = { from: r.src, to: r.dst, kind: r.kind as EdgeKind, evidence: r.evidence as LineageEdge['evidence'], confidence: Number(r.confidence) };
  if (r.attrs) e.attrs = typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs;
  return e;
}

/** The filter columns of a node (queries filter on columns, not inside attrs). */
export function nodeColumns(n: StoredNode): { time: string | null; tool: string | null; model: string | null; path: string | null; lines: number | null } {
  const a = n.attrs;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { time: str(a.time) ?? str(a.startedAt), tool: str(a.tool), model: str(a.model), path: str(a.path), lines: typeof a.lines === 'number' ? a.lines : null };
}

/** A node's writes folded into one row (foldNodes). */
export interface FoldedNode {
  node: StoredNode;
  cols: ReturnType<typeof nodeColumns>;
  /**
   * The attrs a fresh row ends with under SQLite's json_patch (RFC 7396: the first write as given, a null
   * in a later one removes the key); `node.attrs` is the merged patch itself (key by key, nulls kept), what
   * an existing row is patched with. PostgreSQL's `||` keeps nulls, so there both are `node.attrs`.
   */
  created: StoredNode['attrs'];
}

/**
 * Several writes of one node as the single row a multi-row upsert may carry (PostgreSQL's ON CONFLICT DO
 * UPDATE may touch a row once per statement): `merge` applies them in order (attrs merged key by key, each
 * filter column the last non-null one, kind and the rest from the first), `ifMissing` keeps the first.
 * The columns are folded from each write's own attrs, as the one-at-a-time upserts coalesce them.
 */
export function foldNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): FoldedNode[] {
  const byId = new Map<string, FoldedNode>();
  for (const n of nodes) {
    const cols = nodeColumns(n);
    const had = byId.get(n.id);
    if (!had) byId.set(n.id, { node: n, cols, created: n.attrs });
    else if (mode === 'merge') {
      const c = had.cols;
      const created = { ...had.created };
      for (const [k, v] of Object.entries(n.attrs)) {
        if (v === null) delete created[k];
        else created[k] = v;
      }
      byId.set(n.id, {
        node: { ...had.node, attrs: { ...had.node.attrs, ...n.attrs }, recordId: n.recordId ?? had.node.recordId, repoId: n.repoId ?? had.node.repoId },
        cols: { time: cols.time ?? c.time, tool: cols.tool ?? c.tool, model: cols.model ?? c.model, path: cols.path ?? c.path, lines: cols.lines ?? c.lines },
        created,
      });
    }
  }
  return [...byId.values()];
}

/**
 * Several writes of one edge (src, kind, dst) as one row: in order, a write replaces the one before when it
 * is at least as sure, as the upsert's WHERE does (`real4`: compared as the 4-byte real PostgreSQL stores).
 */
export function foldEdges(edges: LineageEdge[], real4: boolean): LineageEdge[] {
  const byKey = new Map<string, LineageEdge>();
  const sure = real4 ? Math.fround : (x: number) => x;
  for (const e of edges) {
    const key = `${e.from}\u0000${e.kind}\u0000${e.to}`;
    const had = byKey.get(key);
    if (!had || sure(e.confidence) >= sure(had.confidence)) byKey.set(key, e);
  }
  return [...byKey.values()];
}
