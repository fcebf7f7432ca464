/**
 * The sql.js database of the index: applying index ops (upsert by record id, prune by seq) and running
 * queries. Synchronous and single-threaded by design; it runs in the store worker (or in-process for
 * one-shot CLI commands), never on the editor's thread.
 */
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { formatIssues } from '../../model/version';
import type { JournalLocation } from '../journal/journalWriter';
import { compileQuery, type InternLookups, ProvenanceQuery, type ProvenanceHit, type QueryPage, encodeCursor } from './indexQuery';
import { DISPOSITIONS, type IndexOp, LIN_FROM_JOURNAL } from './indexRow';
import { type IndexMigration, INDEX_MIGRATIONS, migrateIndex, SECONDARY_INDEXES, tuneIndexConnection } from './indexSchema';
import { fileKey, INTERN_SPECS, InternTable } from './internTable';
import { LineageIndex } from './lineageIndex';

const RECORD_INSERT_COLUMNS = 'seq, id, kind, repo, file, session, tool, model, time, time_end, disposition, line_start, line_end, content_hash, segment, offset, length';
const VALUES_PER_ROW = 17;
/**
 * Rows per upsert statement when folding: binding and stepping one statement per row costs about as much
 * JavaScript <-> WebAssembly crossing as a row's B-tree work; a multi-row VALUES amortises it. Rows of one
 * statement are inserted in order, so a later put of the same id in it still wins.
 */
const ROWS_PER_UPSERT = 32;

const upsertSql = (rows: number) => `
  INSERT INTO record (${RECORD_INSERT_COLUMNS})
  VALUES ${Array.from({ length: rows }, () => `(?${', ?'.repeat(VALUES_PER_ROW - 1)})`).join(', ')}
  ON CONFLICT (id) DO UPDATE SET
    seq = excluded.seq, kind = excluded.kind, repo = excluded.repo, file = excluded.file, session = excluded.session,
    tool = excluded.tool, model = excluded.model, time = excluded.time, time_end = excluded.time_end,
    disposition = excluded.disposition, line_start = excluded.line_start, line_end = excluded.line_end,
    content_hash = excluded.content_hash, segment = excluded.segment, offset = excluded.offset, length = excluded.length`;

const MAX_CACHED_STATEMENTS = 64;

/**
 * A fold is a bulk load, which drops the secondary indexes until they are needed, when it puts at least
 * this many rows and at least a quarter as many as the table holds. Building an index afterwards is one
 * sort of the whole table (~1-2 us per row and index) instead of a random B-tree insert per row (~3.5 us
 * per row and index, growing with the table); a small batch into a big table is cheaper maintained.
 */
const BULK_LOAD_MIN_ROWS = 1_000;
const BULK_LOAD_MIN_FRACTION = 0.25;

export interface IndexCounts {
  records: number;
  edits: number;
  sessions: number;
  repositories: number;
  files: number;
  tools: number;
  models: number;
  /** Size of the database in bytes (what a snapshot holds). */
  bytes: number;
  /** Whether the secondary indexes exist, or were dropped by a bulk load and wait to be built. */
  secondaryIndexes: 'built' | 'deferred';
  /** How long the last build of the secondary indexes took (ms); null if this index never built them. */
  lastIndexBuildMs: number | null;
}

export class ProvenanceIndex {
  private readonly repos: InternTable;
  private readonly files: InternTable;
  private readonly sessions: InternTable;
  private readonly tools: InternTable;
  private readonly models: InternTable;
  private readonly upsert: Statement;
  private readonly upsertMany: Statement;
  private readonly pruneStatement: Statement;
  private readonly queries = new Map<string, Statement>();
  private readonly lookups: InternLookups;
  /** File ids by repository id and path: folding looks files up without building a `repo NUL path` key per record. */
  private readonly fileIds = new Map<number, Map<string, number>>();
  /** False while a bulk load has deferred the secondary indexes (see BULK_LOAD_MIN_ROWS). */
  private secondaryBuilt: boolean;
  private lastIndexBuildMs: number | null = null;
  /** Rows in the record table, approximately (replacing puts count too): only steers bulk-load detection. */
  private rows: number;
  /** The lineage graph's tables (nodes, edges, line hashes), folded in the same transactions. */
  readonly lineage: LineageIndex;
  /** Whether the schema has the lineage tables (an index opened with older migrations, in tests, has not). */
  private readonly hasLineage: boolean;

  /** Opens a database from snapshot bytes (or empty), migrated to the current schema. Throws IndexVersionError for a newer one. */
  static open(SQL: SqlJsStatic, bytes?: Uint8Array, migrations: readonly IndexMigration[] = INDEX_MIGRATIONS): ProvenanceIndex {
    const db = new SQL.Database(bytes);
    try {
      tuneIndexConnection(db);
      migrateIndex(db, migrations);
      return new ProvenanceIndex(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(private readonly db: Database) {
    this.repos = new InternTable(db, INTERN_SPECS.repo);
    this.files = new InternTable(db, INTERN_SPECS.file);
    this.sessions = new InternTable(db, INTERN_SPECS.session);
    this.tools = new InternTable(db, INTERN_SPECS.tool);
    this.models = new InternTable(db, INTERN_SPECS.model);
    this.upsert = db.prepare(upsertSql(1));
    this.upsertMany = db.prepare(upsertSql(ROWS_PER_UPSERT));
    this.pruneStatement = db.prepare('DELETE FROM record WHERE seq <= ?');
    this.lookups = {
      repo: (key) => this.repos.id(key),
      file: (repo, path) => this.files.id(fileKey(repo, path)),
      session: (key) => this.sessions.id(key),
      tool: (key) => this.tools.id(key),
      models: (keyOrId) => [...this.models.entries()].filter(([key]) => key === keyOrId || key.endsWith(`/${keyOrId}`)).map(([, id]) => id),
    };
    const present = new Set((db.exec("SELECT name FROM sqlite_master WHERE type = 'index'")[0]?.values ?? []).map(([name]) => String(name)));
    this.secondaryBuilt = SECONDARY_INDEXES.every((index) => present.has(index.name));
    this.rows = this.countRows();
    this.lineage = new LineageIndex(db);
    this.hasLineage = db.exec("SELECT 1 FROM sqlite_master WHERE name = 'lin_node'").length > 0;
  }

  private countRows(): number {
    return Number(this.db.exec('SELECT count(*) FROM record')[0]?.values[0]?.[0] ?? 0);
  }

  /** Whether the secondary indexes are deferred (dropped by a bulk load, not built again yet). */
  get indexesDeferred(): boolean {
    return !this.secondaryBuilt;
  }

  /**
   * Builds the secondary indexes if a bulk load deferred them (one transaction; a sort of the whole table
   * per index). Returns the milliseconds it took, 0 when there was nothing to build.
   */
  buildDeferredIndexes(): number {
    if (this.secondaryBuilt) return 0;
    const started = performance.now();
    this.db.run('BEGIN');
    try {
      for (const index of SECONDARY_INDEXES) this.db.run(index.sql);
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
    this.secondaryBuilt = true;
    this.lastIndexBuildMs = performance.now() - started;
    return this.lastIndexBuildMs;
  }

  private deferIndexes(): void {
    for (const index of SECONDARY_INDEXES) this.db.run(`DROP INDEX IF EXISTS ${index.name}`);
    this.secondaryBuilt = false;
  }

  /** Applies ops in order, in one transaction. */
  apply(ops: readonly IndexOp[]): void {
    if (ops.length === 0) return;
    let puts = 0;
    for (const op of ops) if (op.op === 'put') puts++;
    if (this.secondaryBuilt && puts >= BULK_LOAD_MIN_ROWS && puts >= this.rows * BULK_LOAD_MIN_FRACTION) this.deferIndexes();
    let pruned = false;
    // Rows waiting for a multi-row upsert: ROWS_PER_UPSERT x VALUES_PER_ROW values.
    const pending: SqlValue[] = new Array(ROWS_PER_UPSERT * VALUES_PER_ROW);
    let rows = 0;
    const flush = () => {
      for (let i = 0; i < rows; i++) this.upsert.run(pending.slice(i * VALUES_PER_ROW, (i + 1) * VALUES_PER_ROW));
      rows = 0;
    };
    this.db.run('BEGIN');
    try {
      for (const op of ops) {
        if (op.op === 'prune') {
          flush();
          this.pruneStatement.run([op.toSeq]);
          pruned = true;
          continue;
        }
        const r = op.fields;
        const repo = r.repo === null ? 0 : (this.repos.id(r.repo) ?? this.repos.add(r.repo, [r.repo, r.remote]));
        let at = rows * VALUES_PER_ROW;
        pending[at++] = op.seq;
        pending[at++] = r.id;
        pending[at++] = r.kind;
        pending[at++] = repo;
        const file = r.path === null ? 0 : this.fileId(repo, r.path);
        pending[at++] = file;
        pending[at++] = this.sessions.id(r.session) ?? this.sessions.add(r.session, [r.session]);
        pending[at++] = this.tools.id(r.tool) ?? this.tools.add(r.tool, [r.tool]);
        pending[at++] = this.models.id(r.model) ?? this.models.add(r.model, [r.model]);
        pending[at++] = r.time;
        pending[at++] = r.timeEnd;
        pending[at++] = r.disposition;
        pending[at++] = r.lineStart;
        pending[at++] = r.lineEnd;
        pending[at++] = r.contentHash === null ? null : Buffer.from(r.contentHash, 'hex');
        pending[at++] = op.segment;
        pending[at++] = op.offset;
        pending[at++] = op.length;
        if (r.lin && this.hasLineage) {
          // Lineage is derived and secondary: a record whose facts do not fold is still indexed.
          try {
            this.lineage.putRecord(r.id, r.lin === LIN_FROM_JOURNAL ? { segment: op.segment, offset: op.offset, length: op.length } : r.lin, file);
          } catch {
            this.lineage.failures++;
          }
        }
        if (++rows === ROWS_PER_UPSERT) {
          this.upsertMany.run(pending);
          rows = 0;
        }
      }
      flush();
      if (this.hasLineage) this.lineage.flushQueued();
      // Retention must not leave the paths and ids of removed records behind in the lookup tables.
      if (pruned) {
        if (this.hasLineage) this.lineage.pruneOrphans();
        this.fileIds.clear();
        this.repos.dropUnreferenced('repo');
        this.files.dropUnreferenced('file');
        this.sessions.dropUnreferenced('session');
        this.tools.dropUnreferenced('tool');
        this.models.dropUnreferenced('model');
      }
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      this.lineage.discardQueued();
      this.fileIds.clear();
      this.rows = this.countRows();
      throw err;
    }
    this.rows = pruned ? this.countRows() : this.rows + puts;
  }

  /** Runs `work` in one transaction (rolled back if it throws). */
  transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    try {
      const result = work();
      this.db.run('COMMIT');
      return result;
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
  }

  /** The id of a file (interned on first sight), through the per-repository cache. */
  private fileId(repo: number, path: string): number {
    let paths = this.fileIds.get(repo);
    if (!paths) this.fileIds.set(repo, (paths = new Map()));
    let id = paths.get(path);
    if (id === undefined) {
      id = this.files.intern(fileKey(repo, path), [repo, path]);
      paths.set(path, id);
    }
    return id;
  }

  query(input: ProvenanceQuery): QueryPage {
    const parsed = ProvenanceQuery.safeParse(input);
    if (!parsed.success) throw new Error(`invalid query: ${formatIssues(parsed.error)}`);
    const q = parsed.data;
    const compiled = compileQuery(q, this.lookups);
    if (!compiled) return { hits: [], nextCursor: null };
    // File and line queries read the clustered primary key; everything else wants a secondary index.
    if (q.path === undefined || compiled.order === 'time') this.buildDeferredIndexes();
    const statement = this.statement(compiled.sql);
    const hits: ProvenanceHit[] = [];
    try {
      statement.bind(compiled.params);
      while (statement.step()) hits.push(this.hit(statement.get()));
    } finally {
      statement.reset();
    }
    if (hits.length <= compiled.limit) return { hits, nextCursor: null };
    hits.length = compiled.limit;
    const last = hits.at(-1)!;
    const n = compiled.newestFirst ? ({ n: true } as const) : {};
    const nextCursor = compiled.order === 'seq' ? encodeCursor({ o: 'seq', s: last.seq, ...n }) : encodeCursor({ o: 'time', t: Date.parse(last.time), s: last.seq, ...n });
    return { hits, nextCursor };
  }

  /** How SQLite will run a query (EXPLAIN QUERY PLAN details), for tests and diagnostics. */
  plan(input: ProvenanceQuery): string[] {
    const compiled = compileQuery(ProvenanceQuery.parse(input), this.lookups);
    if (!compiled) return [];
    this.buildDeferredIndexes(); // plans describe the index as queries use it
    const rows = this.db.exec(`EXPLAIN QUERY PLAN ${compiled.sql}`, compiled.params)[0]?.values ?? [];
    return rows.map((row) => String(row[3]));
  }

  /** Whether records with these ids are in the index (one lookup in the id index each; nothing is read from the journal). */
  hasRecords(ids: readonly string[]): boolean[] {
    const statement = this.statement('SELECT 1 FROM record WHERE id = ?');
    return ids.map((id) => {
      try {
        statement.bind([id]);
        return statement.step();
      } finally {
        statement.reset();
      }
    });
  }

  /** Journal locations of records by seq (or by record id); missing ones are left out. */
  locate(keys: readonly (number | string)[]): Map<number | string, JournalLocation & { seq: number }> {
    const bySeq = this.statement('SELECT seq, segment, offset, length FROM record WHERE seq = ?');
    const byId = this.statement('SELECT seq, segment, offset, length FROM record WHERE id = ?');
    const found = new Map<number | string, JournalLocation & { seq: number }>();
    if (keys.some((key) => typeof key === 'number')) this.buildDeferredIndexes(); // by seq: record_seq
    for (const key of keys) {
      const statement = typeof key === 'number' ? bySeq : byId;
      try {
        statement.bind([key]);
        if (statement.step()) {
          const [seq, segment, offset, length] = statement.get() as number[];
          found.set(key, { seq: seq!, segment: segment!, offset: offset!, length: length! });
        }
      } finally {
        statement.reset();
      }
    }
    return found;
  }

  counts(): IndexCounts {
    const [row] = this.db.exec(
      'SELECT count(*), sum(kind = 0), sum(kind = 1), (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size()) FROM record',
    );
    const [records, edits, sessions, bytes] = (row?.values[0] ?? []).map((v) => Number(v ?? 0));
    return {
      records: records!,
      edits: edits!,
      sessions: sessions!,
      repositories: this.repos.size,
      files: this.files.size,
      tools: this.tools.size,
      models: this.models.size,
      bytes: bytes!,
      secondaryIndexes: this.secondaryBuilt ? 'built' : 'deferred',
      lastIndexBuildMs: this.lastIndexBuildMs,
    };
  }

  /** The whole database as bytes (sql.js copies it; the connection and its statements stay usable). */
  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    this.lineage.close();
    for (const statement of this.queries.values()) statement.free();
    this.queries.clear();
    for (const table of [this.repos, this.files, this.sessions, this.tools, this.models]) table.free();
    this.upsert.free();
    this.upsertMany.free();
    this.pruneStatement.free();
    this.db.close();
  }

  private statement(sql: string): Statement {
    let statement = this.queries.get(sql);
    if (statement) {
      // Refresh its place: the map is kept in least-recently-used order.
      this.queries.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.queries.size >= MAX_CACHED_STATEMENTS) {
        const [oldestSql, oldest] = this.queries.entries().next().value!;
        oldest.free();
        this.queries.delete(oldestSql);
      }
    }
    this.queries.set(sql, statement);
    return statement;
  }

  private hit(row: SqlValue[]): ProvenanceHit {
    const [seq, kind, id, repo, file, session, tool, model, time, timeEnd, disposition, lineStart, lineEnd, contentHash] = row;
    const fileKeyText = file === 0 ? undefined : this.files.key(Number(file));
    return {
      seq: Number(seq),
      kind: kind === 0 ? 'edit' : 'session',
      id: String(id),
      time: new Date(Number(time)).toISOString(),
      endTime: timeEnd === null ? null : new Date(Number(timeEnd)).toISOString(),
      repoId: repo === 0 ? null : (this.repos.key(Number(repo)) ?? null),
      path: fileKeyText === undefined ? null : fileKeyText.slice(fileKeyText.indexOf('\u0000') + 1),
      sessionId: this.sessions.key(Number(session)) ?? '',
      tool: this.tools.key(Number(tool)) ?? '',
      model: this.models.key(Number(model)) ?? '',
      disposition: disposition === null ? null : (DISPOSITIONS[Number(disposition)] ?? null),
      lines: lineStart === null || lineEnd === null ? null : { start: Number(lineStart), end: Number(lineEnd) },
      contentHash: contentHash instanceof Uint8Array ? Buffer.from(contentHash).toString('hex') : null,
    };
  }
}
