/**
 * The lineage tables on PostgreSQL (Plus/Max). See lineageStore.ts for what they hold. Keyed by org first
 * like every growing table (docs/ARCHITECTURE.md, "How Plus scales"). A line's ancestry is one recursive
 * CTE whose every hop is a lookup in the edges' primary key (org, src, kind, dst); walking down uses the
 * (org, dst, kind) index as well.
 */
import type { Pool } from 'pg';
import type { LineageEdge } from '../../core/lineage/lineageGraph';
import {
  DOWN_IN_KINDS,
  DOWN_OUT_KINDS,
  type EdgeRowIn,
  edgeFromRow,
  FULL_COMMIT,
  oneCommit,
  type HashRow,
  type ImpactCounts,
  type ImpactFilter,
  type LineageStore,
  MAX_DEPTH,
  type NodeRowIn,
  nodeColumns,
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

export class PgLineage implements LineageStore {
  constructor(private readonly pool: Pool) {}

  async putNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): Promise<void> {
    if (nodes.length === 0) return;
    const conflict =
      mode === 'merge'
        ? `DO UPDATE SET attrs = lineage_nodes.attrs || excluded.attrs, record_id = coalesce(excluded.record_id, lineage_nodes.record_id), repo_id = coalesce(excluded.repo_id, lineage_nodes.repo_id),
           time = coalesce(excluded.time, lineage_nodes.time), tool = coalesce(excluded.tool, lineage_nodes.tool), model = coalesce(excluded.model, lineage_nodes.model),
           path = coalesce(excluded.path, lineage_nodes.path), lines = coalesce(excluded.lines, lineage_nodes.lines)`
        : 'DO NOTHING';
    // One row per id (ON CONFLICT DO UPDATE may not touch a row twice in one statement).
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const rows = [...byId.values()];
    const cols = rows.map(nodeColumns);
    await this.pool.query(
      `INSERT INTO lineage_nodes (org_id, id, kind, record_id, repo_id, time, tool, model, path, lines, attrs)
       SELECT ${ORG}, * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::jsonb[])
       ON CONFLICT (org_id, id) ${conflict}`,
      [
        rows.map((n) => n.id),
        rows.map((n) => n.kind),
        rows.map((n) => n.recordId),
        rows.map((n) => n.repoId),
        cols.map((c) => c.time),
        cols.map((c) => c.tool),
        cols.map((c) => c.model),
        cols.map((c) => c.path),
        cols.map((c) => c.lines),
        rows.map((n) => JSON.stringify(n.attrs)),
      ],
    );
  }

  async putEdges(edges: LineageEdge[]): Promise<void> {
    if (edges.length === 0) return;
    const byKey = new Map(edges.map((e) => [`${e.from}\u0000${e.kind}\u0000${e.to}`, e]));
    const rows = [...byKey.values()];
    await this.pool.query(
      `INSERT INTO lineage_edges (org_id, src, kind, dst, evidence, confidence, attrs)
       SELECT ${ORG}, * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::real[], $6::jsonb[])
       ON CONFLICT (org_id, src, kind, dst) DO UPDATE SET evidence = excluded.evidence, confidence = excluded.confidence, attrs = excluded.attrs
       WHERE excluded.confidence >= lineage_edges.confidence`,
      [rows.map((e) => e.from), rows.map((e) => e.kind), rows.map((e) => e.to), rows.map((e) => e.evidence), rows.map((e) => e.confidence), rows.map((e) => (e.attrs ? JSON.stringify(e.attrs) : null))],
    );
  }

  async putHashes(rows: HashRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO lineage_line_hashes (org_id, repo_id, path, hash, side, edit_id, time, line_start, line_end)
       SELECT ${ORG}, * FROM unnest($1::text[], $2::text[], $3::text[], $4::"char"[], $5::text[], $6::text[], $7::int[], $8::int[]) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.repoId), rows.map((r) => r.path), rows.map((r) => r.hash), rows.map((r) => r.side), rows.map((r) => r.editId), rows.map((r) => r.time), rows.map((r) => r.lineStart), rows.map((r) => r.lineEnd)],
    );
  }

  async latestInserters(repoId: string, path: string, hashes: string[], before: string, exclude: string) {
    if (hashes.length === 0) return [];
    const r = await this.pool.query<{ hash: string; editId: string; lineStart: number; lineEnd: number }>(
      `SELECT h.hash, x.edit_id AS "editId", x.line_start AS "lineStart", x.line_end AS "lineEnd" FROM unnest($3::text[]) AS h(hash)
       CROSS JOIN LATERAL (SELECT edit_id, line_start, line_end FROM lineage_line_hashes
         WHERE org_id = ${ORG} AND repo_id = $1 AND path = $2 AND hash = h.hash AND side = 'i' AND time < $4 AND edit_id <> $5 ORDER BY time DESC LIMIT 1) x`,
      [repoId, path, [...new Set(hashes)], before, exclude],
    );
    return r.rows;
  }

  async laterDeleters(repoId: string, path: string, hashes: string[], after: string): Promise<string[]> {
    if (hashes.length === 0) return [];
    const r = await this.pool.query<{ e: string }>(
      `SELECT DISTINCT edit_id AS e FROM lineage_line_hashes WHERE org_id = ${ORG} AND repo_id = $1 AND path = $2 AND hash = ANY($3::text[]) AND side = 'd' AND time > $4`,
      [repoId, path, [...new Set(hashes)], after],
    );
    return r.rows.map((x) => x.e);
  }

  async hashesOf(editId: string, side: 'i' | 'd'): Promise<HashRow[]> {
    const r = await this.pool.query<HashRow>(
      `SELECT repo_id AS "repoId", path, hash, side, edit_id AS "editId", time, line_start AS "lineStart", line_end AS "lineEnd" FROM lineage_line_hashes WHERE org_id = ${ORG} AND edit_id = $1 AND side = $2`,
      [editId, side],
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

  async bindingsOfEdit(editId: string) {
    const r = await this.pool.query<{ repoId: string; path: string; commit: string }>(`SELECT repo_id AS "repoId", path, commit_id AS "commit" FROM git_bindings WHERE org_id = ${ORG} AND edit_id = $1`, [editId]);
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
