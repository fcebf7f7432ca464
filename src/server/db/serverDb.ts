/**
 * The Lite server's one database file: SQLite through better-sqlite3, in WAL mode so readers (queries,
 * the dashboard) never wait for the writer (ingest). The schema is created and migrated here, by
 * `user_version`, in one transaction per step.
 *
 * better-sqlite3 is a native module: it is loaded here only (the server and its CLI commands), never by
 * the extension bundle, so the VSIX needs no native code.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { BINDINGS_MIGRATION } from './bindings';
import { writeTransaction } from './writeTransaction';
import { GOVERNANCE_MIGRATION } from '../governance/sqliteGovernance';

/**
 * Team visibility (issue #9; schema 5 once merged after the others): organisations, teams and team
 * members, and the roles admin / auditor / lead / developer. Every existing user goes into the default
 * organisation and a 'member' becomes a 'developer'. SQLite cannot change a CHECK constraint in place, so
 * `users` is rebuilt the documented way (new table, copy, drop, rename) with foreign keys off (migrate()).
 */
const TEAM_VISIBILITY_MIGRATION = `
  CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  INSERT INTO orgs (id, name, created_at) VALUES (1, 'default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL DEFAULT 1 REFERENCES orgs(id),
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'lead', 'developer')),
    created_at TEXT NOT NULL
  );
  INSERT INTO users_new (id, org_id, name, role, created_at)
    SELECT id, 1, name, CASE role WHEN 'member' THEN 'developer' ELSE role END, created_at FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;
  CREATE INDEX users_org ON users (org_id);
  CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, name)
  );
  CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    lead INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX team_members_user ON team_members (user_id);
  -- Scoped reads look up records by their uploader (records.uploader_id IN (uploaders of these users)).
  CREATE INDEX records_uploader ON records (uploader_id, time);
  CREATE INDEX git_bindings_user ON git_bindings (user_id);
`;
import { SQLITE_LINEAGE_MIGRATION } from '../lineage/sqliteLineage';
import { SQLITE_LINEAGE_OUTBOX_MIGRATION } from '../lineage/sqliteOutbox';

export type Db = BetterSqlite3.Database;

export const DATA_ENV = 'LINEAGELENS_SERVER_DATA';
export const DEFAULT_DATA_DIR = 'lineagelens-data';
export const DB_FILE = 'lite.db';

/** `--data`, else `$LINEAGELENS_SERVER_DATA`, else `./lineagelens-data`, as an absolute folder. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag?.trim() || env[DATA_ENV]?.trim() || DEFAULT_DATA_DIR);
}

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE uploaders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    head_seq INTEGER NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL,
    UNIQUE (user_id, source)
  );
  CREATE TABLE chain_entries (
    uploader_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (uploader_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE records (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    time TEXT NOT NULL,
    repo_id TEXT,
    path TEXT,
    session_id TEXT,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    author TEXT,
    line_start INTEGER,
    line_end INTEGER,
    lines INTEGER NOT NULL,
    disposition TEXT,
    uploader_id INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX records_time ON records (time, rid);
  CREATE INDEX records_file ON records (repo_id, path, time);
  CREATE INDEX records_session ON records (session_id, time);
  CREATE INDEX records_tool ON records (tool, time);
  CREATE INDEX records_model ON records (model, time);
  CREATE INDEX records_author ON records (author, time);
  CREATE VIRTUAL TABLE records_fts USING fts5 (prompt, code, content='', contentless_delete=1, tokenize='unicode61');
  `,
  BINDINGS_MIGRATION,
  // 3: pull request webhooks (server/reviews/prFactsStore.ts)
  `
  CREATE TABLE pr_deliveries (
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    facts INTEGER NOT NULL,
    PRIMARY KEY (provider, delivery_id)
  ) WITHOUT ROWID;
  CREATE TABLE pr_facts (
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    repo_id TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (provider, delivery_id, idx)
  );
  CREATE INDEX pr_facts_repo ON pr_facts (repo_id);
  `,
  // 4: team visibility (organisations, teams, roles)
  TEAM_VISIBILITY_MIGRATION,
  // 5: governance (issue #9): policies, findings, purges, audit log
  GOVERNANCE_MIGRATION,
  // 6: the lineage graph (server/lineage/sqliteLineage.ts)
  SQLITE_LINEAGE_MIGRATION,
  // 7: the lineage outbox: uploads waiting to be indexed (server/lineage/sqliteOutbox.ts)
  SQLITE_LINEAGE_OUTBOX_MIGRATION,
];

export function openServerDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  // Loaded on demand: a clear message when the native module is missing (e.g. the CLI inside the VSIX).
  let Database: typeof BetterSqlite3;
  try {
    Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    throw new Error(`the team server needs the better-sqlite3 package (npm install -g lineagelens, or npm ci in a checkout): ${(err as Error).message}`);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes, fsync at checkpoints
  db.pragma('busy_timeout = 5000'); // the CLI's user/token commands may write while the server runs
  db.pragma('foreign_keys = ON');
  // Ingest inserts into seven B-trees (ids, indexes, FTS) at random places: a 64 MiB page cache and reads
  // through mmap cut its page misses (about 10% of ingest CPU); both are bounds, not allocations.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database was written by a newer LineageLens server (schema ${current}; this one knows up to ${MIGRATIONS.length})`);
  }
  if (current === MIGRATIONS.length) return;
  // A migration may rebuild a table others reference (SQLite's documented way to change a constraint):
  // foreign keys are off meanwhile (this pragma cannot change inside a transaction) and checked before
  // each step commits.
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < MIGRATIONS.length; v++) {
      writeTransaction(db, () => {
        db.exec(MIGRATIONS[v]!);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`schema migration ${v + 1} left ${broken.length} broken reference(s)`);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
