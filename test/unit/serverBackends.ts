/**
 * The storage backends the team-server suites run against: SQLite always, and a real PostgreSQL 15.
 * PostgreSQL comes from $LINEAGELENS_TEST_POSTGRES_URL (a URL of a role that may create databases; .ci/run
 * sets it), else the harness makes the local Debian cluster ready itself (scripts/test-postgres.sh, as
 * root). Each suite gets a database of its own with a random name, dropped afterwards.
 *
 * In CI (CI=true) a PostgreSQL that cannot be reached fails the PostgreSQL suites; elsewhere, only when
 * no PostgreSQL can be found at all, they are left out with a message saying so.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import pg from 'pg';
import type { ServerBackend } from '../../src/server/backend/backend';
import { openSqliteBackend } from '../../src/server/backend/sqliteBackend';
import { openPgBackend } from '../../src/server/postgres/pgBackend';
import { repoRoot } from './helpers';
import { removeDir, tempDir } from './serverHarness';

export const TEST_POSTGRES_ENV = 'LINEAGELENS_TEST_POSTGRES_URL';

export interface TestStorage {
  /** A fresh data folder (SQLite's file lives there; PostgreSQL runs keep other files there). */
  data: string;
  /** Arguments for `serve` and `server ...` besides `--data`: `--postgres URL` for PostgreSQL, none for SQLite. */
  args: string[];
  /** The PostgreSQL URL of this storage's database (null for SQLite). */
  postgresUrl: string | null;
  drop(): Promise<void>;
}

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  create(prefix: string): Promise<TestStorage>;
}

let adminUrl: string | null | undefined;
let adminError = '';

/** The URL of a role that may create databases, or null (with adminError saying why). */
export function testPostgresAdminUrl(): string | null {
  if (adminUrl !== undefined) return adminUrl;
  const fromEnv = process.env[TEST_POSTGRES_ENV]?.trim();
  if (fromEnv) {
    try {
      return (adminUrl = checkedUrl(fromEnv, TEST_POSTGRES_ENV));
    } catch (err) {
      adminError = (err as Error).message;
      return (adminUrl = null);
    }
  }
  try {
    const printed = execFileSync('bash', [path.join(repoRoot, 'scripts', 'test-postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim();
    adminUrl = checkedUrl(printed, 'scripts/test-postgres.sh');
  } catch (err) {
    adminError = `${TEST_POSTGRES_ENV} is not set and scripts/test-postgres.sh could not start a local PostgreSQL 15: ${((err as { stderr?: string }).stderr || (err as Error).message).trim().slice(0, 300)}`;
    adminUrl = null;
  }
  return adminUrl;
}

/**
 * The URL as given, when it is one postgres:// URL; else an error that shows what was given. (A start-up
 * note that slipped into the captured output once made every PostgreSQL suite fail to connect in CI.)
 */
function checkedUrl(value: string, from: string): string {
  if (/^postgres(ql)?:\/\/\S+$/.test(value)) {
    try {
      new URL(value);
      return value;
    } catch {
      // reported below
    }
  }
  throw new Error(`${from} is not one postgres:// URL: ${JSON.stringify(value.slice(0, 200))}`);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = testPostgresAdminUrl();
  if (!url) throw new Error(`no PostgreSQL for the tests: ${adminError}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * DROP ... WITH (FORCE) ends the other sessions on the database, but may not end an autovacuum worker
 * (a superuser's process) that just started on a freshly written database: that answers 42501 and is
 * tried again once the worker is gone.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A new, empty database (random name); its URL and how to drop it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ll_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(testPostgresAdminUrl()!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

const sqlite: TestBackend = {
  name: 'sqlite',
  create: async (prefix) => {
    const data = tempDir(prefix);
    return { data, args: [], postgresUrl: null, drop: async () => removeDir(data) };
  },
};

const postgres: TestBackend = {
  name: 'postgres',
  create: async (prefix) => {
    const db = await createTestDatabase();
    const data = tempDir(prefix);
    return {
      data,
      args: ['--postgres', db.url],
      postgresUrl: db.url,
      drop: async () => {
        removeDir(data);
        await db.drop();
      },
    };
  },
};

let warned = false;

/**
 * SQLite, and PostgreSQL when it is there; always when $LINEAGELENS_TEST_POSTGRES_URL is set (as .ci/run
 * does) or in CI, where a PostgreSQL that cannot be used fails the suites instead of leaving them out.
 */
export function backendsUnderTest(): TestBackend[] {
  if (testPostgresAdminUrl() || process.env.CI || process.env[TEST_POSTGRES_ENV]) return [sqlite, postgres];
  if (!warned) {
    warned = true;
    process.stderr.write(`\n  !! PostgreSQL suites of the team server are SKIPPED: ${adminError}\n     Set ${TEST_POSTGRES_ENV} (see scripts/test-postgres.sh) to run them.\n\n`);
  }
  return [sqlite];
}

/** A backend opened in process on fresh storage: `open` opens it (again: a second connection, as a restart would). */
export interface InProcessStorage {
  open(): Promise<ServerBackend>;
  drop(): Promise<void>;
}

export async function inProcessStorage(kind: TestBackend['name'], prefix: string): Promise<InProcessStorage> {
  if (kind === 'sqlite') {
    const dir = tempDir(prefix);
    const file = path.join(dir, 'lite.db');
    return { open: async () => openSqliteBackend(file), drop: async () => removeDir(dir) };
  }
  const db = await createTestDatabase();
  return { open: async () => (await openPgBackend(db.url)).backend, drop: db.drop };
}
