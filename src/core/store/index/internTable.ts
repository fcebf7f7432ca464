/**
 * A string <-> integer table of the index (repositories, files, sessions, tools, models), mirrored in
 * memory: folding a record looks its strings up in a Map instead of asking SQLite, and query results
 * turn integers back into strings without joins.
 */
import type { Database, Statement } from 'sql.js';

export interface InternTableSpec {
  table: string;
  /** SQL expression producing the lookup key from a row (e.g. `repo || char(0) || path`). */
  keySql: string;
  /** Columns filled on insert, after `id`. */
  columns: string[];
}

export class InternTable {
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly insert: Statement;
  private nextId = 1;

  constructor(
    private readonly db: Database,
    readonly spec: InternTableSpec,
  ) {
    this.load();
    this.insert = db.prepare(`INSERT INTO ${spec.table} (id, ${spec.columns.join(', ')}) VALUES (?${', ?'.repeat(spec.columns.length)})`);
  }

  private load(): void {
    this.ids.clear();
    this.keys.length = 0;
    this.nextId = 1;
    const rows = this.db.exec(`SELECT id, ${this.spec.keySql} FROM ${this.spec.table}`)[0]?.values ?? [];
    for (const [id, key] of rows) {
      this.ids.set(String(key), Number(id));
      this.keys[Number(id)] = String(key);
      this.nextId = Math.max(this.nextId, Number(id) + 1);
    }
  }

  /** Deletes the entries no record refers to any more (after retention removed records), here and in SQLite. */
  dropUnreferenced(recordColumn: string): void {
    this.db.run(`DELETE FROM ${this.spec.table} WHERE id NOT IN (SELECT DISTINCT ${recordColumn} FROM record WHERE ${recordColumn} IS NOT NULL)`);
    this.load();
  }

  id(key: string): number | undefined {
    return this.ids.get(key);
  }

  key(id: number): string | undefined {
    return this.keys[id];
  }

  /** The id of `key`, inserting `values` (one per column) when it is new. */
  intern(key: string, values: (string | number | null)[]): number {
    return this.ids.get(key) ?? this.add(key, values);
  }

  /** Inserts a key not in the table yet (callers on hot paths look it up with id() first, allocating nothing). */
  add(key: string, values: (string | number | null)[]): number {
    const id = this.nextId++;
    this.insert.run([id, ...values]);
    this.ids.set(key, id);
    this.keys[id] = key;
    return id;
  }

  get size(): number {
    return this.ids.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }

  free(): void {
    this.insert.free();
  }
}

export const fileKey = (repo: number, path: string): string => `${repo}\u0000${path}`;

export const INTERN_SPECS = {
  repo: { table: 'repo', keySql: 'key', columns: ['key', 'remote'] },
  file: { table: 'file', keySql: "repo || char(0) || path", columns: ['repo', 'path'] },
  session: { table: 'session', keySql: 'key', columns: ['key'] },
  tool: { table: 'tool', keySql: 'key', columns: ['key'] },
  model: { table: 'model', keySql: 'key', columns: ['key'] },
} satisfies Record<string, InternTableSpec>;
