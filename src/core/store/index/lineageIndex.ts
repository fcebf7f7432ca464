/**
 * The lineage graph kept in the index (sql.js), filled as things are stored, never rebuilt per query:
 *
 *   records       queued with the record rows (same transaction, lin_pending: one row each) and folded
 *                 in arrival order before the next lineage question or prune, so ingest pays one insert
 *                 per record and a burst (an import) is folded once, when first asked: edit/session/prompt nodes, part-of,
 *                 prompted-by, and derived-from by content (lin_ins: hashes of the lines each edit
 *                 inserted; lin_del: the lines each edit deleted, to link an earlier edit that arrives late)
 *   git ledger    bindings -> landed-in, rewritten-as, moved-to (tailed from `git/ledger.jsonl`)
 *   rewrite log   editor-seen rewrites -> derived-from, evidence `editor` (tailed from `lineage/rewrites.jsonl`)
 *
 * The rules are LineageGraph's (src/core/lineage/lineageGraph.ts), so a graph loaded from these tables
 * answers exactly what one built in memory from the same records answers (a property test holds them to
 * that). Queries are recursive CTEs; `ancestry` returns the out-closure of the start nodes, which is all
 * that ancestryOf reads.
 */
import type { Database, SqlValue, Statement } from 'sql.js';
import type { Binding } from '../../git/gitRecords';
import type { LineageFacts } from '../../lineage/lineageFacts';
import type { EdgeKind, Evidence, LineageEdge, LineageNode } from '../../lineage/lineageGraph';
import { nodeId } from '../../lineage/lineageGraph';
import type { Impact, Subgraph } from '../../lineage/lineageQueries';
import type { JournalLocation } from '../journal/journalWriter';
import { JournalFactsReader } from './journalFacts';

type Attrs = Record<string, string | number | null>;

const DESCENDANT_IN: EdgeKind[] = ['prompted-by', 'part-of', 'derived-from'];
const DESCENDANT_OUT: EdgeKind[] = ['landed-in', 'moved-to', 'rewritten-as', 'reviewed-in'];
const list = (kinds: EdgeKind[]) => kinds.map((k) => `'${k}'`).join(', ');

// Statement texts are constants: the statement cache is keyed by them, and folding runs these per record.
const NODE_REPLACE = 'INSERT INTO lin_node (id, kind, attrs) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET attrs = excluded.attrs';
const NODE_KEEP = 'INSERT INTO lin_node (id, kind, attrs) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING';
const EDGE_UPSERT = `INSERT INTO lin_edge (src, dst, kind, evidence, confidence, time, attrs, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (src, kind, dst) DO UPDATE SET evidence = excluded.evidence, confidence = excluded.confidence, time = excluded.time,
    attrs = coalesce(excluded.attrs, lin_edge.attrs), owner = excluded.owner WHERE excluded.confidence > lin_edge.confidence`;

const PENDING_ROWS_PER_INSERT = 32;
const PENDING_INSERT = 'INSERT INTO lin_pending (id, file, facts) VALUES (?, ?, ?)';
const PENDING_INSERT_MANY = `INSERT INTO lin_pending (id, file, facts) VALUES ${Array.from({ length: PENDING_ROWS_PER_INSERT }, () => '(?, ?, ?)').join(', ')}`;

export class LineageIndex {
  private readonly statements = new Map<string, Statement>();
  /** Records whose lineage facts could not be folded by this process (the record itself is still indexed). */
  failures = 0;

  /** Rows putRecord has not inserted yet: id, file, facts per row. */
  private readonly queued: SqlValue[] = new Array(PENDING_ROWS_PER_INSERT * 3);
  private queuedRows = 0;
  /** The journal directory, where queued records' facts are read from (null: such records fold without lineage). */
  journalDir: string | null = null;

  constructor(private readonly db: Database) {}

  private st(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private run(sql: string, params: SqlValue[]): void {
    const s = this.st(sql);
    s.run(params);
  }

  private one(sql: string, params: SqlValue[]): SqlValue[] | null {
    const s = this.st(sql);
    try {
      s.bind(params);
      return s.step() ? s.get() : null;
    } finally {
      s.reset();
    }
  }

  private all(sql: string, params: SqlValue[]): SqlValue[][] {
    const s = this.st(sql);
    const rows: SqlValue[][] = [];
    try {
      s.bind(params);
      while (s.step()) rows.push(s.get());
    } finally {
      s.reset();
    }
    return rows;
  }

  private node(id: string, kind: LineageNode['kind'], attrs: Attrs, replace: boolean): void {
    this.run(replace ? NODE_REPLACE : NODE_KEEP, [id, kind, JSON.stringify(attrs)]);
  }

  /** An edge; one that exists is replaced only by stronger evidence (higher confidence), as in LineageGraph. */
  private edge(e: LineageEdge, time: string | null, owner: string): void {
    this.run(EDGE_UPSERT, [e.from, e.to, e.kind, e.evidence, e.confidence, time, e.attrs ? JSON.stringify(e.attrs) : null, owner]);
  }

  /**
   * Queues one stored record (called inside the index's fold transaction). `file` is its interned file id.
   * `f`: its facts, or where its journal line is, for facts computed from that line when the queue is
   * folded (queued as `[segment, offset, length]` instead of the facts' JSON; see journalFacts.ts).
   */
  putRecord(recordId: string, f: LineageFacts | JournalLocation, file: number): void {
    const facts = 'segment' in f ? `[${f.segment},${f.offset},${f.length}]` : JSON.stringify(f);
    const at = this.queuedRows++ * 3;
    this.queued[at] = recordId;
    this.queued[at + 1] = file;
    this.queued[at + 2] = facts;
    if (this.queuedRows === PENDING_ROWS_PER_INSERT) {
      this.queuedRows = 0; // a failed insert is not retried with the next row
      this.st(PENDING_INSERT_MANY).run(this.queued);
    }
  }

  /**
   * Inserts what putRecord holds back (it inserts PENDING_ROWS_PER_INSERT rows per statement: one
   * statement per row cost as much JavaScript <-> WebAssembly crossing as the insert). Called before
   * the fold transaction commits, and before the queue is read.
   */
  flushQueued(): void {
    const rows = this.queuedRows;
    this.queuedRows = 0;
    for (let i = 0; i < rows; i++) this.run(PENDING_INSERT, this.queued.slice(i * 3, i * 3 + 3));
  }

  /** Forgets what putRecord holds back (the fold transaction was rolled back). */
  discardQueued(): void {
    this.queuedRows = 0;
  }

  /** Folds the queued records in arrival order (inside a transaction); how many were folded. */
  foldPending(): number {
    this.flushQueued();
    const rows = this.all('SELECT id, file, facts FROM lin_pending ORDER BY seq', []);
    if (rows.length === 0) return 0;
    let reader: JournalFactsReader | null = null;
    try {
      for (const [id, file, facts] of rows) {
        // Lineage is derived and secondary: a record whose facts do not fold is still indexed.
        try {
          const queued = JSON.parse(String(facts)) as LineageFacts | [number, number, number];
          let f: LineageFacts | null;
          if (Array.isArray(queued)) {
            reader ??= this.journalDir === null ? null : new JournalFactsReader(this.journalDir);
            f = reader?.facts({ segment: queued[0], offset: queued[1], length: queued[2] }, String(id)) ?? null;
          } else f = queued;
          if (f) this.foldRecord(String(id), f, Number(file));
        } catch {
          this.failures++;
        }
      }
    } finally {
      reader?.close();
    }
    this.db.run('DELETE FROM lin_pending');
    return rows.length;
  }

  private foldRecord(recordId: string, f: LineageFacts, file: number): void {
    const owner = `r:${recordId}`;
    if (f.k === 'session') {
      this.node(f.node, 'session', f.attrs, true);
      for (const p of f.prompts) {
        this.node(p.node, 'prompt', p.attrs, true);
        this.edge({ from: f.node, to: p.node, kind: 'prompted-by', evidence: 'record', confidence: 1 }, null, owner);
      }
      return;
    }
    const time = typeof f.attrs.time === 'string' ? f.attrs.time : '';
    const had = this.one("SELECT json_extract(attrs, '$.path') FROM lin_node WHERE id = ?", [f.node]);
    this.node(f.node, 'edit', f.attrs, true);
    // A put of an id already folded from a record (a disposition update): new facts, same text and session.
    if (had && had[0] !== null) return;
    if (f.session) {
      this.node(f.session.node, 'session', { tool: f.session.tool }, false);
      this.edge({ from: f.node, to: f.session.node, kind: 'part-of', evidence: 'session-id', confidence: 1 }, time, owner);
      if (f.prompt) {
        this.node(f.prompt.node, 'prompt', f.prompt.attrs, true);
        this.edge({ from: f.session.node, to: f.prompt.node, kind: 'prompted-by', evidence: 'record', confidence: 1 }, time, owner);
      }
    }
    for (const h of f.ins) this.run('INSERT INTO lin_ins (file, hash, time, edit) VALUES (?, ?, ?, ?)', [file, h, time, recordId]);
    if (f.del.length > 0) {
      this.run('INSERT OR REPLACE INTO lin_del (edit, file, time, hashes) VALUES (?, ?, ?, ?)', [recordId, file, time, f.del.join(',')]);
      this.derive(recordId, file, time, f.del);
    }
    // As the earlier edit: later edits already folded that deleted lines it inserted (records out of order).
    if (f.ins.length > 0) {
      const mine = new Set(f.ins);
      for (const [edit, t, hashes] of this.all('SELECT edit, time, hashes FROM lin_del WHERE file = ? AND time > ?', [file, time])) {
        const del = String(hashes).split(',');
        if (edit !== recordId && del.some((h) => mine.has(h))) this.derive(String(edit), file, String(t), del);
      }
    }
  }

  /** derived-from: per deleted line, the latest earlier edit of the file that inserted such a line. */
  private derive(later: string, file: number, time: string, del: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const h of del) {
      const source = this.one('SELECT edit FROM lin_ins WHERE file = ? AND hash = ? AND time < ? AND edit <> ? ORDER BY time DESC, rowid ASC LIMIT 1', [file, h, time, later]);
      if (source) counts.set(String(source[0]), (counts.get(String(source[0])) ?? 0) + 1);
    }
    for (const [editId, n] of counts) {
      const confidence = Math.round((n / del.length) * 1000) / 1000;
      this.edge({ from: nodeId.edit(later), to: nodeId.edit(editId), kind: 'derived-from', evidence: 'content-hash', confidence, attrs: { lines: n } }, time, `r:${later}`);
    }
  }

  /** Folds a git-ledger binding: landed-in, and rewritten-as / moved-to when it says so. */
  putBinding(b: Binding): void {
    const owner = `l:${b.id}`;
    const e = nodeId.edit(b.edit.id);
    this.node(e, 'edit', { tool: b.edit.tool, model: b.edit.model, time: b.edit.time, disposition: b.edit.disposition }, false);
    const c = nodeId.commit(b.repoId, b.commit);
    this.node(c, 'commit', { sha: b.commit }, true);
    const lines = b.ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
    this.edge({ from: e, to: c, kind: 'landed-in', evidence: 'binding', confidence: 1, attrs: { path: b.path, lines, ranges: b.ranges.map((r) => `${r.start}-${r.end}`).join(',') } }, b.time, owner);
    if (b.via === 'rewrite' && b.from) {
      const old = nodeId.commit(b.repoId, b.from.commit);
      this.node(old, 'commit', { sha: b.from.commit }, true);
      this.edge({ from: old, to: c, kind: 'rewritten-as', evidence: 'rewrite', confidence: 1 }, b.time, owner);
    }
    const written = this.one("SELECT json_extract(attrs, '$.path') FROM lin_node WHERE id = ?", [e])?.[0];
    if (typeof written === 'string' && written !== b.path) {
      const f = nodeId.file(b.repoId, b.path);
      this.node(f, 'file', { path: b.path }, true);
      this.edge({ from: e, to: f, kind: 'moved-to', evidence: 'content-hash', confidence: 1, attrs: { from: written, commit: b.commit } }, b.time, owner);
    }
  }

  /** An editor-seen rewrite (certain). Kept even when a record is missing: queries drop edges to absent nodes. */
  putObservedRewrite(later: string, earlier: string, time: string): void {
    this.edge({ from: nodeId.edit(later), to: nodeId.edit(earlier), kind: 'derived-from', evidence: 'editor', confidence: 1 }, time, 'w:rewrites');
  }

  /** How far a tailed source (the ledger, the rewrite log) has been folded, in bytes. */
  sourceOffset(name: string): number {
    return Number(this.one('SELECT offset FROM lin_source WHERE name = ?', [name])?.[0] ?? 0);
  }

  setSourceOffset(name: string, offset: number): void {
    this.run('INSERT INTO lin_source (name, offset) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET offset = excluded.offset', [name, offset]);
  }

  /** After retention: what records no longer in the index contributed goes too (ledger edges stay). */
  pruneOrphans(): void {
    this.foldPending();
    this.db.run(`
      DELETE FROM lin_edge WHERE owner LIKE 'r:%' AND substr(owner, 3) NOT IN (SELECT id FROM record);
      DELETE FROM lin_ins WHERE edit NOT IN (SELECT id FROM record);
      DELETE FROM lin_del WHERE edit NOT IN (SELECT id FROM record);
      DELETE FROM lin_node WHERE kind IN ('edit', 'session', 'prompt')
        AND id NOT IN (SELECT src FROM lin_edge) AND id NOT IN (SELECT dst FROM lin_edge)
        AND substr(id, instr(id, ':') + 1) NOT IN (SELECT id FROM record);
    `);
  }

  private subgraph(nodeSql: string, edgeSql: string, params: SqlValue[]): Subgraph {
    const nodes: LineageNode[] = this.all(nodeSql, params).map(([id, kind, attrs]) => ({ id: String(id), kind: kind as LineageNode['kind'], attrs: JSON.parse(String(attrs)) as Attrs }));
    const present = new Set(nodes.map((n) => n.id));
    const edges: LineageEdge[] = [];
    for (const [src, dst, kind, evidence, confidence, attrs] of this.all(edgeSql, params)) {
      if (!present.has(String(src)) || !present.has(String(dst))) continue;
      const e: LineageEdge = { from: String(src), to: String(dst), kind: kind as EdgeKind, evidence: evidence as Evidence, confidence: Number(confidence) };
      if (attrs !== null) e.attrs = JSON.parse(String(attrs)) as Attrs;
      edges.push(e);
    }
    return { nodes, edges };
  }

  /**
   * Everything reachable from the start nodes along out-edges (earlier edits, sessions, prompts, commits,
   * rewritten commits, PRs, moved-to files) with those edges, in the order they were folded.
   */
  ancestry(starts: readonly string[], maxNodes = 10_000): Subgraph {
    const closure = `WITH RECURSIVE r(id) AS (SELECT value FROM json_each(?1) UNION SELECT e.dst FROM lin_edge e JOIN r ON e.src = r.id LIMIT ?2)`;
    return this.subgraph(
      `${closure} SELECT n.id, n.kind, n.attrs FROM r JOIN lin_node n ON n.id = r.id`,
      `${closure} SELECT src, dst, kind, evidence, confidence, attrs FROM lin_edge WHERE src IN (SELECT id FROM r) ORDER BY rowid`,
      [JSON.stringify(starts), maxNodes],
    );
  }

  /** Downstream of a session or prompt: its edits, edits and people that rewrote them, commits, moves, PRs. */
  descendants(id: string, maxNodes = 100_000): Subgraph | null {
    if (!this.one('SELECT 1 FROM lin_node WHERE id = ?', [id])) return null;
    const closure = `WITH RECURSIVE r(id) AS (
        SELECT ?1
        UNION
        SELECT x.next FROM r JOIN (
          SELECT src AS next, dst AS at FROM lin_edge WHERE kind IN (${list(DESCENDANT_IN)})
          UNION ALL SELECT dst, src FROM lin_edge WHERE kind IN (${list(DESCENDANT_OUT)})
        ) x ON x.at = r.id
        LIMIT ?2)`;
    return this.subgraph(
      `${closure} SELECT n.id, n.kind, n.attrs FROM r JOIN lin_node n ON n.id = r.id`,
      `${closure} SELECT src, dst, kind, evidence, confidence, attrs FROM lin_edge
         WHERE (kind IN (${list(DESCENDANT_IN)}) AND dst IN (SELECT id FROM r)) OR (kind IN (${list(DESCENDANT_OUT)}) AND src IN (SELECT id FROM r)) ORDER BY rowid`,
      [id, maxNodes],
    );
  }

  /** What one tool or model produced between `since` and `until` (ISO, inclusive), as impactOf counts it. */
  impact(filter: { tool?: string; model?: string; since?: string; until?: string }): Impact {
    const sel = `WITH sel(id, attrs) AS (SELECT id, attrs FROM lin_node WHERE kind = 'edit'
        AND (?1 IS NULL OR json_extract(attrs, '$.tool') = ?1) AND (?2 IS NULL OR json_extract(attrs, '$.model') = ?2)
        AND (?3 IS NULL OR coalesce(json_extract(attrs, '$.time'), '') >= ?3) AND (?4 IS NULL OR coalesce(json_extract(attrs, '$.time'), '') <= ?4))`;
    const row = this.one(
      `${sel} SELECT
         (SELECT count(*) FROM sel),
         (SELECT coalesce(sum(coalesce(json_extract(attrs, '$.lines'), 0)), 0) FROM sel),
         (SELECT count(DISTINCT dst) FROM lin_edge WHERE kind = 'part-of' AND src IN (SELECT id FROM sel)),
         (SELECT count(DISTINCT dst) FROM lin_edge WHERE kind = 'landed-in' AND src IN (SELECT id FROM sel)),
         (SELECT count(*) FROM lin_edge WHERE kind = 'derived-from' AND dst IN (SELECT id FROM sel) AND src IN (SELECT id FROM lin_node)),
         (SELECT count(DISTINCT json_extract(attrs, '$.path')) FROM sel)`,
      [filter.tool ?? null, filter.model ?? null, filter.since ?? null, filter.until ?? null],
    )!;
    const [edits, lines, sessions, commits, rewrittenBy, files] = row.map((v) => Number(v ?? 0));
    return { edits: edits!, lines: lines!, sessions: sessions!, commits: commits!, rewrittenBy: rewrittenBy!, files: files! };
  }

  counts(): { nodes: number; edges: number; failures: number } {
    const [nodes, edges] = (this.db.exec('SELECT (SELECT count(*) FROM lin_node), (SELECT count(*) FROM lin_edge)')[0]?.values[0] ?? [0, 0]).map(Number);
    return { nodes: nodes!, edges: edges!, failures: this.failures };
  }

  close(): void {
    for (const s of this.statements.values()) s.free();
    this.statements.clear();
  }
}
