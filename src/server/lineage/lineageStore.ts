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
}

export interface ImpactCounts {
  edits: number;
  lines: number;
  sessions: number;
  commits: number;
  rewrittenBy: number;
  files: number;
}

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

export interface LineageStore {
  /**
   * Runs one batch of indexing as one unit of storage work where that is cheaper (SQLite: one transaction
   * instead of one per statement group); without it each call stands alone.
   */
  batch?(work: () => Promise<void>): Promise<void>;
  /** Inserts nodes; an existing node's attrs are merged (`merge`) or left alone (`ifMissing`). */
  putNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): Promise<void>;
  /** Inserts edges; an existing edge is replaced when the new one is at least as sure. */
  putEdges(edges: LineageEdge[]): Promise<void>;
  putHashes(rows: HashRow[]): Promise<void>;
  /** Per hash, the newest edit of the file before `before` (other than `exclude`) that inserted such a line. */
  latestInserters(repoId: string, path: string, hashes: string[], before: string, exclude: string): Promise<{ hash: string; editId: string; lineStart: number; lineEnd: number }[]>;
  /** Edits of the file after `after` that deleted a line with one of these hashes. */
  laterDeleters(repoId: string, path: string, hashes: string[], after: string): Promise<string[]>;
  /** The hash rows of one edit and side. */
  hashesOf(editId: string, side: 'i' | 'd'): Promise<HashRow[]>;
  nodes(ids: string[]): Promise<StoredNode[]>;
  /**
   * The ledger's bindings (JSON) of a file at a commit, the commit given in full or as a prefix of at
   * least 7 digits (several commits with that prefix: BlameCommitError).
   */
  bindingsAt(repoId: string, rev: string, path: string): Promise<{ commit: string; bindings: string[] }>;
  /** Commits and paths the ledger bound an edit's lines to (git_bindings). */
  bindingsOfEdit(editId: string): Promise<{ repoId: string; path: string; commit: string }[]>;

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
