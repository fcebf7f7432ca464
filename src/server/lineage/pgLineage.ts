/**
 * The lineage tables on PostgreSQL (Plus/Max). See lineageStore.ts for what they hold. Keyed by org first
 * like every growing table (docs/ARCHITECTURE.md, "How Plus scales"). A line's ancestry is one recursive
 * CTE whose every hop is a lookup in the edges' primary key (org, src, kind, dst); walking down uses the
 * (org, dst, kind) index as well.
 */
import type { Pool } from 'pg';
import { recordsInScope } from '../access/scopeSql';
import type { EdgeKind, LineageEdge } from '../../core/lineage/lineageGraph';
import {
  DOWN_IN_KINDS,
  DOWN_OUT_KINDS,
  type EdgeRowIn,
  edgeFromRow,
  FULL_COMMIT,
  oneCommit,
  type HashRow,
  type ImpactCounts,
  type DeleterProbe,
  foldEdges,
  foldNodes,
  type ImpactFilter,
  type InserterHit,
  type InserterProbe,
  type LineageStore,
  MAX_DEPTH,
  type NodeRowIn,
  nodeFromRow,
  START_KINDS,
  type StoredNode,
  UPSTREAM_KINDS,
  type Walk,
} from './lineageStore';

export const PG_LINEAGE_MIGRATION = `
CREATE TABLE lineage_nodes (
  org_id integer NOT NULL DEFAULT 1,
  id text COLLATE "C" NOT NULL,
  kind text NOT NULL,
  record_id text,
  repo_id text,
  time text COLLATE "C",
  tool text,
  model text,
  path text,
  lines integer,
  attrs jsonb NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX lineage_nodes_time ON lineage_nodes (org_id, kind, time);
CREATE INDEX lineage_nodes_tool ON lineage_nodes (org_id, kind, tool, time);
CREATE INDEX lineage_nodes_model ON lineage_nodes (org_id, kind, model, time);
CREATE TABLE lineage_edges (
  org_id integer NOT NULL DEFAULT 1,
  src text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  dst text COLLATE "C" NOT NULL,
  evidence text NOT NULL,
  confidence real NOT NULL,
  attrs jsonb,
  PRIMARY KEY (org_id, src, kind, dst)
);
CREATE INDEX lineage_edges_dst ON lineage_edges (org_id, dst, kind);
CREATE TABLE lineage_line_hashes (
  org_id integer NOT NULL DEFAULT 1,
  repo_id text NOT NULL,
  path text NOT NULL,
  hash text COLLATE "C" NOT NULL,
  side "char" NOT NULL,
  edit_id text NOT NULL,
  time text COLLATE "C" NOT NULL,
  line_start integer NOT NULL,
  line_end integer NOT NULL,
  PRIMARY KEY (org_id, repo_id, path, hash, side, edit_id)
);
CREATE INDEX lineage_line_hashes_edit ON lineage_line_hashes (org_id, edit_id, side);
`;

const ORG = 1;
const arr = (kinds: string[]) => `ARRAY[${kinds.map((k) => `'${k}'`).join(', ')}]::text[]`;
const EDGE_COLS = 'e.src, e.kind, e.dst, e.evidence, e.confidence, e.attrs';

function filterSql(f: ImpactFilter, first: number): { where: string; params: string[] } {
  const parts = [`n.org_id = ${ORG}`, `n.kind = 'edit'`];
  const params: string[] = [];
  const add = (col: string, op: string, v: string | undefined) => {
    if (!v) return;
    params.push(v);
    parts.push(`n.${col} ${op} $${first + params.length - 1}`);
  };
  add('tool', '=', f.tool);
  add('model', '=', f.model);
  add('time', '>=', f.since);
  add('time', '<=', f.until);
  if (f.scope) {
    parts.push(`n.record_id IN (SELECT m.id FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
                                WHERE m.org_id = ${ORG} AND ${recordsInScope(f.scope, 'r.uploader_id')})`);
  }
  return { where: parts.join(' AND '), params };
}

/**
 * The ancestry walk's SQL (also run by the benchmark): $1 the start node. UNION over the edge itself: each
 * edge is expanded once, so the walk ends on its own, cycles included.
 */
export const UPSTREAM_SQL = `
WITH RECURSIVE walk(src, kind, dst) AS (
  SELECT src, kind, dst FROM lineage_edges WHERE org_id = ${ORG} AND src = $1 AND kind = ANY(${arr([...START_KINDS, ...UPSTREAM_KINDS])})
  UNION
  SELECT e.src, e.kind, e.dst FROM walk w JOIN lineage_edges e ON e.org_id = ${ORG} AND e.src = w.dst AND e.kind = ANY(${arr(UPSTREAM_KINDS)})
)
SELECT ${EDGE_COLS} FROM walk w
JOIN lineage_edges e ON e.org_id = ${ORG} AND e.src = w.src AND e.kind = w.kind AND e.dst = w.dst`;

const NODE_MERGE = `DO UPDATE SET attrs = lineage_nodes.attrs || excluded.attrs, record_id = coalesce(excluded.record_id, lineage_nodes.record_id), repo_id = coalesce(excluded.repo_id, lineage_nodes.repo_id),
  time = coalesce(excluded.time, lineage_nodes.time), tool = coalesce(excluded.tool, lineage_nodes.tool), model = coalesce(excluded.model, lineage_nodes.model),
  path = coalesce(excluded.path, lineage_nodes.path), lines = coalesce(excluded.lines, lineage_nodes.lines)`;

/** A multi-row write: its SQL (parameters numbered from `first`) and parameters, one array per column. */
interface Write {
  sql: string;
  params: unknown[];
}

const $ = (first: number, types: string[]) => types.map((t, i) => `$${first + i}::${t}`).join(', ');

/** Nodes through unnest, one row per id (foldNodes: ON CONFLICT DO UPDATE may not touch a row twice). */
function nodeWrite(nodes: StoredNode[], mode: 'merge' | 'ifMissing', first: number): Write {
  const rows = foldNodes(nodes, mode);
  return {
    sql: `INSERT INTO lineage_nodes (org_id, id, kind, record_id, repo_id, time, tool, model, path, lines, attrs)
      SELECT ${ORG}, * FROM unnest(${$(first, ['text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'int[]', 'jsonb[]'])})
      ON CONFLICT (org_id, id) ${mode === 'merge' ? NODE_MERGE : 'DO NOTHING'}`,
    params: [
      rows.map((r) => r.node.id),
      rows.map((r) => r.node.kind),
      rows.map((r) => r.node.recordId),
      rows.map((r) => r.node.repoId),
      rows.map((r) => r.cols.time),
      rows.map((r) => r.cols.tool),
      rows.map((r) => r.cols.model),
      rows.map((r) => r.cols.path),
      rows.map((r) => r.cols.lines),
      rows.map((r) => JSON.stringify(r.node.attrs)),
    ],
  };
}

function edgeWrite(edges: LineageEdge[], first: number): Write {
  const rows = foldEdges(edges, true);
  return {
    sql: `INSERT INTO lineage_edges (org_id, src, kind, dst, evidence, confidence, attrs)
      SELECT ${ORG}, * FROM unnest(${$(first, ['text[]', 'text[]', 'text[]', 'text[]', 'real[]', 'jsonb[]'])})
      ON CONFLICT (org_id, src, kind, dst) DO UPDATE SET evidence = excluded.evidence, confidence = excluded.confidence, attrs = excluded.attrs
      WHERE excluded.confidence >= lineage_edges.confidence`,
    params: [rows.map((e) => e.from), rows.map((e) => e.kind), rows.map((e) => e.to), rows.map((e) => e.evidence), rows.map((e) => e.confidence), rows.map((e) => (e.attrs ? JSON.stringify(e.attrs) : null))],
  };
}

/** Line hashes: the first of several rows with one key stays (DO NOTHING skips the others, as one at a time). */
function hashWrite(rows: HashRow[], first: number): Write {
  return {
    sql: `INSERT INTO lineage_line_hashes (org_id, repo_id, path, hash, side, edit_id, time, line_start, line_end)
      SELECT ${ORG}, * FROM unnest(${$(first, ['text[]', 'text[]', 'text[]', '"char"[]', 'text[]', 'text[]', 'int[]', 'int[]'])}) ON CONFLICT DO NOTHING`,
    params: [rows.map((r) => r.repoId), rows.map((r) => r.path), rows.map((r) => r.hash), rows.map((r) => r.side), rows.map((r) => r.editId), rows.map((r) => r.time), rows.map((r) => r.lineStart), rows.map((r) => r.lineEnd)],
  };
}

export class PgLineage implements LineageStore {
  constructor(private readonly pool: Pool) {}

  async putNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): Promise<void> {
    if (nodes.length === 0) return;
    const w = nodeWrite(nodes, mode, 1);
    await this.pool.query(w.sql, w.params);
  }

  async putEdges(edges: LineageEdge[]): Promise<void> {
    if (edges.length === 0) return;
    const w = edgeWrite(edges, 1);
    await this.pool.query(w.sql, w.params);
  }

  async retainEdges(kind: EdgeKind, keep: { from: string; to: string | null }[]): Promise<void> {
    if (keep.length === 0) return;
    await this.pool.query(
      `DELETE FROM lineage_edges e USING unnest($1::text[], $2::text[]) AS k(src, keep)
       WHERE e.org_id = ${ORG} AND e.src = k.src AND e.kind = $3 AND e.dst IS DISTINCT FROM k.keep`,
      [keep.map((k) => k.from), keep.map((k) => k.to), kind],
    );
  }

  async putHashes(rows: HashRow[]): Promise<void> {
    if (rows.length === 0) return;
    const w = hashWrite(rows, 1);
    await this.pool.query(w.sql, w.params);
  }

  /** The three multi-row upserts as data-modifying CTEs of one statement: one round trip, one transaction. */
  async putIndexed(nodes: StoredNode[], edges: LineageEdge[], hashes: HashRow[]): Promise<void> {
    const n = nodeWrite(nodes, 'merge', 1);
    const e = edgeWrite(edges, 1 + n.params.length);
    const h = hashWrite(hashes, 1 + n.params.length + e.params.length);
    await this.pool.query(`WITH n AS (${n.sql}), e AS (${e.sql}), h AS (${h.sql}) SELECT 1`, [...n.params, ...e.params, ...h.params]);
  }

  /** One statement: per probe, a LATERAL lookup on the hashes' primary key, newest first. */
  async latestInserters(probes: InserterProbe[]): Promise<(InserterHit | null)[]> {
    if (probes.length === 0) return [];
    const r = await this.pool.query<InserterHit & { i: string }>(
      `SELECT p.i, x.edit_id AS "editId", x.time, x.line_start AS "lineStart", x.line_end AS "lineEnd"
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS p(repo_id, path, hash, before, exclude, i)
       CROSS JOIN LATERAL (SELECT h.edit_id, h.time, h.line_start, h.line_end FROM lineage_line_hashes h
         WHERE h.org_id = ${ORG} AND h.repo_id = p.repo_id AND h.path = p.path AND h.hash = p.hash AND h.side = 'i' AND h.time < p.before AND h.edit_id <> p.exclude
         ORDER BY h.time DESC, h.edit_id COLLATE "C" DESC LIMIT 1) x`,
      [probes.map((p) => p.repoId), probes.map((p) => p.path), probes.map((p) => p.hash), probes.map((p) => p.before), probes.map((p) => p.exclude)],
    );
    const out: (InserterHit | null)[] = probes.map(() => null);
    for (const row of r.rows) out[Number(row.i) - 1] = { editId: row.editId, time: row.time, lineStart: row.lineStart, lineEnd: row.lineEnd };
    return out;
  }

  async laterDeleters(probes: DeleterProbe[]): Promise<HashRow[]> {
    if (probes.length === 0) return [];
    const r = await this.pool.query<HashRow>(
      `WITH later AS (
         SELECT DISTINCT h.edit_id FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS p(repo_id, path, hash, after)
         JOIN lineage_line_hashes h ON h.org_id = ${ORG} AND h.repo_id = p.repo_id AND h.path = p.path AND h.hash = p.hash AND h.side = 'd' AND h.time > p.after
       )
       SELECT h.repo_id AS "repoId", h.path, h.hash, h.side, h.edit_id AS "editId", h.time, h.line_start AS "lineStart", h.line_end AS "lineEnd"
       FROM later JOIN lineage_line_hashes h ON h.org_id = ${ORG} AND h.edit_id = later.edit_id AND h.side = 'd'`,
      [probes.map((p) => p.repoId), probes.map((p) => p.path), probes.map((p) => p.hash), probes.map((p) => p.after)],
    );
    return r.rows;
  }

  async hashesOf(editIds: string[]): Promise<HashRow[]> {
    if (editIds.length === 0) return [];
    const r = await this.pool.query<HashRow>(
      `SELECT repo_id AS "repoId", path, hash, side, edit_id AS "editId", time, line_start AS "lineStart", line_end AS "lineEnd" FROM lineage_line_hashes
       WHERE org_id = ${ORG} AND edit_id = ANY($1::text[])`,
      [[...new Set(editIds)]],
    );
    return r.rows;
  }

  async nodes(ids: string[]): Promise<StoredNode[]> {
    if (ids.length === 0) return [];
    const r = await this.pool.query<NodeRowIn>(`SELECT id, kind, record_id, repo_id, attrs FROM lineage_nodes WHERE org_id = ${ORG} AND id = ANY($1::text[])`, [[...new Set(ids)]]);
    return r.rows.map(nodeFromRow);
  }

  async bindingsAt(repoId: string, rev: string, path: string) {
    const commit = FULL_COMMIT.test(rev)
      ? rev
      : oneCommit(rev, (await this.pool.query<{ c: string }>(`SELECT DISTINCT commit_id AS c FROM git_bindings WHERE org_id = ${ORG} AND repo_id = $1 AND commit_id >= $2 AND commit_id < $3 LIMIT 2`, [repoId, rev, `${rev}g`])).rows.map((r) => r.c), repoId);
    const r = await this.pool.query<{ json: string }>(`SELECT json FROM git_bindings WHERE org_id = ${ORG} AND repo_id = $1 AND commit_id = $2 AND path = $3`, [repoId, commit, path]);
    return { commit, bindings: r.rows.map((x) => x.json) };
  }

  async bindingsOfEdits(editIds: string[]) {
    if (editIds.length === 0) return [];
    const r = await this.pool.query<{ editId: string; repoId: string; path: string; commit: string }>(
      `SELECT edit_id AS "editId", repo_id AS "repoId", path, commit_id AS "commit" FROM git_bindings WHERE org_id = ${ORG} AND edit_id = ANY($1::text[])
       ORDER BY edit_id COLLATE "C", repo_id COLLATE "C", path COLLATE "C", commit_id COLLATE "C"`,
      [[...new Set(editIds)]],
    );
    return r.rows;
  }

  private async withNodes(edges: LineageEdge[], start: string): Promise<Walk> {
    const ids = new Set<string>([start]);
    for (const e of edges) {
      ids.add(e.from);
      ids.add(e.to);
    }
    return { nodes: await this.nodes([...ids]), edges };
  }

  async upstream(start: string): Promise<Walk> {
    const r = await this.pool.query<EdgeRowIn>(UPSTREAM_SQL, [start]);
    return this.withNodes(r.rows.map(edgeFromRow), start);
  }

  async downstream(start: string, limit: number): Promise<Walk> {
    const r = await this.pool.query<EdgeRowIn>(
      `WITH RECURSIVE walk(src, kind, dst, node, depth) AS (
         SELECT NULL::text COLLATE "C", NULL::text COLLATE "C", NULL::text COLLATE "C", $1::text COLLATE "C", 0
         UNION
         SELECT e.src, e.kind, e.dst, CASE WHEN e.src = w.node THEN e.dst ELSE e.src END, w.depth + 1
         FROM walk w JOIN lineage_edges e ON e.org_id = ${ORG}
           AND ((e.src = w.node AND e.kind = ANY(${arr(DOWN_OUT_KINDS)})) OR (e.dst = w.node AND e.kind = ANY(${arr(DOWN_IN_KINDS)})))
         WHERE w.depth < ${MAX_DEPTH}
       )
       SELECT ${EDGE_COLS} FROM (SELECT DISTINCT src, kind, dst FROM walk WHERE src IS NOT NULL LIMIT $2) w
       JOIN lineage_edges e ON e.org_id = ${ORG} AND e.src = w.src AND e.kind = w.kind AND e.dst = w.dst`,
      [start, limit],
    );
    return this.withNodes(r.rows.map(edgeFromRow), start);
  }

  async impact(f: ImpactFilter): Promise<ImpactCounts> {
    const { where, params } = filterSql(f, 1);
    const r = await this.pool.query<{ edits: number; lines: number | null; files: number; sessions: number; commits: number; rewritten: number }>(
      `WITH picked AS (SELECT n.id, n.lines, n.path FROM lineage_nodes n WHERE ${where})
       SELECT (SELECT count(*) FROM picked)::int AS edits, (SELECT sum(lines) FROM picked)::bigint AS lines, (SELECT count(DISTINCT path) FROM picked)::int AS files,
         (SELECT count(DISTINCT e.dst) FROM picked p JOIN lineage_edges e ON e.org_id = ${ORG} AND e.src = p.id AND e.kind = 'part-of')::int AS sessions,
         (SELECT count(DISTINCT e.dst) FROM picked p JOIN lineage_edges e ON e.org_id = ${ORG} AND e.src = p.id AND e.kind = 'landed-in')::int AS commits,
         (SELECT count(*) FROM picked p JOIN lineage_edges e ON e.org_id = ${ORG} AND e.dst = p.id AND e.kind = 'derived-from')::int AS rewritten`,
      params,
    );
    const x = r.rows[0]!;
    return { edits: x.edits, lines: Number(x.lines ?? 0), files: x.files, sessions: x.sessions, commits: x.commits, rewrittenBy: x.rewritten };
  }

  async neighbourhood(f: ImpactFilter, limit: number): Promise<Walk> {
    const { where, params } = filterSql(f, 1);
    const picked = (await this.pool.query<{ id: string }>(`SELECT n.id FROM lineage_nodes n WHERE ${where} ORDER BY n.time DESC LIMIT ${Math.floor(limit)}`, params)).rows.map((r) => r.id);
    const r = await this.pool.query<EdgeRowIn>(
      `SELECT ${EDGE_COLS} FROM lineage_edges e WHERE e.org_id = ${ORG} AND e.src = ANY($1::text[])
       UNION SELECT ${EDGE_COLS} FROM lineage_edges e WHERE e.org_id = ${ORG} AND e.dst = ANY($1::text[]) AND e.kind = 'derived-from'`,
      [picked],
    );
    const edges = r.rows.map(edgeFromRow);
    const ids = new Set(picked);
    for (const e of edges) {
      ids.add(e.from);
      ids.add(e.to);
    }
    return { nodes: await this.nodes([...ids]), edges };
  }
}
