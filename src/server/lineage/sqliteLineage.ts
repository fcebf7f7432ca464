/** The lineage tables on SQLite (Lite). See lineageStore.ts for what they hold. */
import type { EdgeKind, LineageEdge } from '../../core/lineage/lineageGraph';
import type { Statement } from 'better-sqlite3';
import { recordsInScope } from '../access/scopeSql';
import type { Db } from '../db/serverDb';
import { writeTransaction } from '../db/writeTransaction';
import {
  DOWN_IN_KINDS,
  DOWN_OUT_KINDS,
  type EdgeRowIn,
  foldEdges,
  foldNodes,
  edgeFromRow,
  FULL_COMMIT,
  oneCommit,
  type HashRow,
  type ImpactCounts,
  type DeleterProbe,
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

/** Schema step (appended to serverDb's migrations). */
export const SQLITE_LINEAGE_MIGRATION = `
  CREATE TABLE lineage_nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id TEXT,
    repo_id TEXT,
    time TEXT,
    tool TEXT,
    model TEXT,
    path TEXT,
    lines INTEGER,
    attrs TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX lineage_nodes_time ON lineage_nodes (kind, time);
  CREATE INDEX lineage_nodes_tool ON lineage_nodes (kind, tool, time);
  CREATE INDEX lineage_nodes_model ON lineage_nodes (kind, model, time);
  CREATE TABLE lineage_edges (
    src TEXT NOT NULL,
    kind TEXT NOT NULL,
    dst TEXT NOT NULL,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    attrs TEXT,
    PRIMARY KEY (src, kind, dst)
  ) WITHOUT ROWID;
  CREATE INDEX lineage_edges_dst ON lineage_edges (dst, kind);
  CREATE TABLE lineage_line_hashes (
    repo_id TEXT NOT NULL,
    path TEXT NOT NULL,
    hash TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('i', 'd')),
    edit_id TEXT NOT NULL,
    time TEXT NOT NULL,
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    PRIMARY KEY (repo_id, path, hash, side, edit_id)
  ) WITHOUT ROWID;
  CREATE INDEX lineage_line_hashes_edit ON lineage_line_hashes (edit_id, side);
`;

const list = (kinds: string[]) => kinds.map((k) => `'${k}'`).join(', ');
const EDGE_COLS = 'e.src, e.kind, e.dst, e.evidence, e.confidence, e.attrs';

function filterSql(f: ImpactFilter, alias = 'n'): { where: string; params: Record<string, string> } {
  const parts = [`${alias}.kind = 'edit'`];
  const params: Record<string, string> = {};
  for (const [key, col, op] of [['tool', 'tool', '='], ['model', 'model', '='], ['since', 'time', '>='], ['until', 'time', '<=']] as const) {
    const v = f[key];
    if (!v) continue;
    parts.push(`${alias}.${col} ${op} @${key}`);
    params[key] = v;
  }
  if (f.scope) parts.push(`${alias}.record_id IN (SELECT id FROM records WHERE ${recordsInScope(f.scope)})`);
  return { where: parts.join(' AND '), params };
}

export class SqliteLineage implements LineageStore {
  /** The indexer runs these per record: each statement is prepared once (preparing was 16% of ingest CPU). */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /**
   * One transaction around a batch (a commit per record group was 30% of ingest CPU). The store's methods
   * never wait for I/O, so the batch runs within one turn of the event loop; a request handled in that
   * turn (an upload's own better-sqlite3 transaction nests as a savepoint) is committed with it. On an
   * error the work done is still committed, never rolled back: the rollback could take another request's
   * acknowledged writes with it, and lineage is derived data (the failure is logged and counted).
   */
  async batch(work: () => Promise<void>): Promise<void> {
    if (this.db.inTransaction) return work();
    this.db.exec('BEGIN');
    try {
      await work();
    } finally {
      this.db.exec('COMMIT');
    }
  }

  private st<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s as unknown as Statement<P, R>;
  }

  /** Several writes of one node or edge become one statement run (foldNodes, foldEdges: the same result). */
  async putNodes(nodes: StoredNode[], mode: 'merge' | 'ifMissing'): Promise<void> {
    if (nodes.length === 0) return;
    const conflict =
      mode === 'merge'
        ? `DO UPDATE SET attrs = json_patch(attrs, @patch), record_id = coalesce(excluded.record_id, record_id), repo_id = coalesce(excluded.repo_id, repo_id),
           time = coalesce(excluded.time, time), tool = coalesce(excluded.tool, tool), model = coalesce(excluded.model, model), path = coalesce(excluded.path, path), lines = coalesce(excluded.lines, lines)`
        : 'DO NOTHING';
    const stmt = this.st(`INSERT INTO lineage_nodes (id, kind, record_id, repo_id, time, tool, model, path, lines, attrs) VALUES (@id, @kind, @recordId, @repoId, @time, @tool, @model, @path, @lines, @attrs) ON CONFLICT (id) ${conflict}`);
    this.inTransaction(() => {
      for (const { node: n, cols: c, created } of foldNodes(nodes, mode)) {
        const row: Record<string, unknown> = { id: n.id, kind: n.kind, recordId: n.recordId, repoId: n.repoId, ...c, attrs: JSON.stringify(created) };
        if (mode === 'merge') row.patch = JSON.stringify(n.attrs);
        stmt.run(row);
      }
    });
  }

  async putEdges(edges: LineageEdge[]): Promise<void> {
    if (edges.length === 0) return;
    const stmt = this.st(
      `INSERT INTO lineage_edges (src, kind, dst, evidence, confidence, attrs) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (src, kind, dst) DO UPDATE SET evidence = excluded.evidence, confidence = excluded.confidence, attrs = excluded.attrs WHERE excluded.confidence >= confidence`,
    );
    this.inTransaction(() => {
      for (const e of foldEdges(edges, false)) stmt.run(e.from, e.kind, e.to, e.evidence, e.confidence, e.attrs ? JSON.stringify(e.attrs) : null);
    });
  }

  /** Runs `work` in the batch's transaction when there is one, else in a transaction of its own. */
  private inTransaction(work: () => void): void {
    if (this.db.inTransaction) work();
    else writeTransaction(this.db, work)();
  }

  async retainEdges(kind: EdgeKind, keep: { from: string; to: string | null }[]): Promise<void> {
    if (keep.length === 0) return;
    const stmt = this.st('DELETE FROM lineage_edges WHERE src = ? AND kind = ? AND dst IS NOT ?');
    this.inTransaction(() => {
      for (const k of keep) stmt.run(k.from, kind, k.to);
    });
  }

  async putHashes(rows: HashRow[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.st('INSERT OR IGNORE INTO lineage_line_hashes (repo_id, path, hash, side, edit_id, time, line_start, line_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.inTransaction(() => {
      for (const r of rows) stmt.run(r.repoId, r.path, r.hash, r.side, r.editId, r.time, r.lineStart, r.lineEnd);
    });
  }

  async putIndexed(nodes: StoredNode[], edges: LineageEdge[], hashes: HashRow[]): Promise<void> {
    await this.putNodes(nodes, 'merge');
    await this.putEdges(edges);
    await this.putHashes(hashes);
  }

  /** One prepared lookup per probe: in process, a statement run costs microseconds, not a round trip. */
  async latestInserters(probes: InserterProbe[]): Promise<(InserterHit | null)[]> {
    const stmt = this.st<[string, string, string, string, string], InserterHit>(
      `SELECT edit_id AS editId, time, line_start AS lineStart, line_end AS lineEnd FROM lineage_line_hashes
       WHERE repo_id = ? AND path = ? AND hash = ? AND side = 'i' AND time < ? AND edit_id <> ? ORDER BY time DESC, edit_id DESC LIMIT 1`,
    );
    return probes.map((p) => stmt.get(p.repoId, p.path, p.hash, p.before, p.exclude) ?? null);
  }

  async laterDeleters(probes: DeleterProbe[]): Promise<HashRow[]> {
    const find = this.st<[string, string, string, string], { e: string }>(`SELECT edit_id AS e FROM lineage_line_hashes WHERE repo_id = ? AND path = ? AND hash = ? AND side = 'd' AND time > ?`);
    const rowsOf = this.st<[string], HashRow>(
      "SELECT repo_id AS repoId, path, hash, side, edit_id AS editId, time, line_start AS lineStart, line_end AS lineEnd FROM lineage_line_hashes WHERE edit_id = ? AND side = 'd'",
    );
    const edits = new Set<string>();
    for (const p of probes) for (const r of find.all(p.repoId, p.path, p.hash, p.after)) edits.add(r.e);
    return [...edits].flatMap((e) => rowsOf.all(e));
  }

  async hashesOf(editIds: string[]): Promise<HashRow[]> {
    const stmt = this.st<[string], HashRow>(
      'SELECT repo_id AS repoId, path, hash, side, edit_id AS editId, time, line_start AS lineStart, line_end AS lineEnd FROM lineage_line_hashes WHERE edit_id = ?',
    );
    return [...new Set(editIds)].flatMap((e) => stmt.all(e));
  }

  async nodes(ids: string[]): Promise<StoredNode[]> {
    if (ids.length === 0) return [];
    const out: StoredNode[] = [];
    // json_each: any number of ids in one statement (no host-parameter limit).
    const stmt = this.db.prepare<[string], NodeRowIn>('SELECT id, kind, record_id, repo_id, attrs FROM lineage_nodes WHERE id IN (SELECT value FROM json_each(?))');
    for (const r of stmt.all(JSON.stringify([...new Set(ids)]))) out.push(nodeFromRow(r));
    return out;
  }

  async bindingsAt(repoId: string, rev: string, path: string) {
    const commit = FULL_COMMIT.test(rev)
      ? rev
      : oneCommit(rev, this.db.prepare<[string, string, string], { c: string }>('SELECT DISTINCT commit_id AS c FROM git_bindings WHERE repo_id = ? AND commit_id >= ? AND commit_id < ? LIMIT 2').all(repoId, rev, `${rev}g`).map((r) => r.c), repoId);
    const bindings = this.db.prepare<[string, string, string], { json: string }>('SELECT json FROM git_bindings WHERE repo_id = ? AND commit_id = ? AND path = ?').all(repoId, commit, path).map((r) => r.json);
    return { commit, bindings };
  }

  async bindingsOfEdits(editIds: string[]) {
    if (editIds.length === 0) return [];
    return this.st<[string], { editId: string; repoId: string; path: string; commit: string }>(
      'SELECT edit_id AS editId, repo_id AS repoId, path, commit_id AS "commit" FROM git_bindings WHERE edit_id IN (SELECT value FROM json_each(?)) ORDER BY edit_id, repo_id, path, commit_id',
    ).all(JSON.stringify([...new Set(editIds)]));
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
    const rows = this.db
      .prepare<[{ start: string }], EdgeRowIn>(
        `WITH RECURSIVE walk(src, kind, dst) AS (
           SELECT src, kind, dst FROM lineage_edges WHERE src = @start AND kind IN (${list([...START_KINDS, ...UPSTREAM_KINDS])})
           UNION
           SELECT e.src, e.kind, e.dst FROM walk w JOIN lineage_edges e ON e.src = w.dst AND e.kind IN (${list(UPSTREAM_KINDS)})
         )
         SELECT ${EDGE_COLS} FROM lineage_edges e JOIN walk w USING (src, kind, dst)`,
      )
      .all({ start });
    return this.withNodes(rows.map(edgeFromRow), start);
  }

  async downstream(start: string, limit: number): Promise<Walk> {
    const rows = this.db
      .prepare<[{ start: string; limit: number }], EdgeRowIn>(
        `WITH RECURSIVE walk(src, kind, dst, node, depth) AS (
           SELECT NULL, NULL, NULL, @start, 0
           UNION
           SELECT e.src, e.kind, e.dst, CASE WHEN e.src = w.node THEN e.dst ELSE e.src END, w.depth + 1
           FROM walk w JOIN lineage_edges e
             ON (e.src = w.node AND e.kind IN (${list(DOWN_OUT_KINDS)})) OR (e.dst = w.node AND e.kind IN (${list(DOWN_IN_KINDS)}))
           WHERE w.depth < ${MAX_DEPTH}
         )
         SELECT ${EDGE_COLS} FROM lineage_edges e JOIN (SELECT DISTINCT src, kind, dst FROM walk WHERE src IS NOT NULL LIMIT @limit) w USING (src, kind, dst)`,
      )
      .all({ start, limit });
    return this.withNodes(rows.map(edgeFromRow), start);
  }

  async impact(f: ImpactFilter): Promise<ImpactCounts> {
    const { where, params } = filterSql(f);
    const one = <T>(sql: string) => this.db.prepare(sql).get(params) as T;
    const base = one<{ edits: number; lines: number | null; files: number }>(`SELECT count(*) AS edits, sum(n.lines) AS lines, count(DISTINCT n.path) AS files FROM lineage_nodes n WHERE ${where}`);
    const via = (kind: string, dir: 'out' | 'in', count: string) =>
      one<{ c: number }>(`SELECT ${count} AS c FROM lineage_nodes n JOIN lineage_edges e ON ${dir === 'out' ? 'e.src' : 'e.dst'} = n.id AND e.kind = '${kind}' WHERE ${where}`).c;
    return {
      edits: base.edits,
      lines: base.lines ?? 0,
      files: base.files,
      sessions: via('part-of', 'out', 'count(DISTINCT e.dst)'),
      commits: via('landed-in', 'out', 'count(DISTINCT e.dst)'),
      rewrittenBy: via('derived-from', 'in', 'count(*)'),
    };
  }

  async neighbourhood(f: ImpactFilter, limit: number): Promise<Walk> {
    const { where, params } = filterSql(f);
    const rows = this.db
      .prepare(
        `WITH picked AS (SELECT n.id FROM lineage_nodes n WHERE ${where} ORDER BY n.time DESC LIMIT ${Math.floor(limit)})
         SELECT ${EDGE_COLS} FROM lineage_edges e WHERE e.src IN (SELECT id FROM picked)
         UNION SELECT ${EDGE_COLS} FROM lineage_edges e WHERE e.dst IN (SELECT id FROM picked) AND e.kind = 'derived-from'`,
      )
      .all(params) as EdgeRowIn[];
    const picked = (this.db.prepare(`SELECT n.id FROM lineage_nodes n WHERE ${where} ORDER BY n.time DESC LIMIT ${Math.floor(limit)}`).all(params) as { id: string }[]).map((r) => r.id);
    const edges = rows.map(edgeFromRow);
    const ids = new Set(picked);
    for (const e of edges) {
      ids.add(e.from);
      ids.add(e.to);
    }
    return { nodes: await this.nodes([...ids]), edges };
  }
}
