/**
 * The Lite backend: the synchronous SQLite classes (db/*.ts) behind the asynchronous ServerBackend
 * interface. Each call runs to completion on the event loop as before; the promise only changes how
 * the caller waits for it (a thrown error becomes a rejection).
 */
import * as path from 'node:path';
import { Accounts } from '../db/accounts';
import { BindingStore } from '../db/bindings';
import { ServerBlame } from '../db/blame';
import { ExportRows } from '../db/exportRows';
import { Ingestor } from '../db/ingest';
import { OrgViews } from '../db/orgViews';
import { Queries } from '../db/queries';
import { type Db, openServerDb } from '../db/serverDb';
import { WalCheckpointer, type WalCheckpointerOptions } from '../threads/walCheckpointer';
import type { AccountsBackend, GitBackend, IngestBackend, QueriesBackend, ServerBackend } from './backend';

/** The methods K of T, each returning a promise of what it returned. */
type AsyncMethods<T, K extends keyof T> = { [P in K]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/** Every method of `target` named in `names`, as an async function calling it. */
function asyncMethods<T extends object, K extends keyof T>(target: T, names: readonly K[]): AsyncMethods<T, K> {
  const out = {} as Record<K, (...args: unknown[]) => Promise<unknown>>;
  for (const name of names) {
    const fn = target[name] as unknown as (...args: unknown[]) => unknown;
    out[name] = async (...args: unknown[]) => fn.apply(target, args);
  }
  return out as unknown as AsyncMethods<T, K>;
}

export class SqliteBackend implements ServerBackend {
  readonly kind = 'sqlite' as const;
  readonly accounts: AccountsBackend;
  readonly ingest: IngestBackend;
  readonly queries: QueriesBackend;
  readonly git: GitBackend;
  readonly views: OrgViews;
  /** The synchronous classes, for SQLite-only features and tools (benchmarks, the sync test). */
  readonly sync: { accounts: Accounts; ingestor: Ingestor; queries: Queries };
  private closed = false;
  /** Runs the WAL checkpoints in a thread of its own (a server on a database file), else null. */
  readonly checkpointer: WalCheckpointer | null;

  constructor(
    readonly db: Db,
    readonly description: string,
    options: SqliteBackendOptions = {},
  ) {
    this.checkpointer = options.backgroundCheckpoints && db.name !== ':memory:' ? new WalCheckpointer(db, db.name, options.backgroundCheckpoints) : null;
    this.sync = { accounts: new Accounts(db), ingestor: new Ingestor(db), queries: new Queries(db) };
    this.accounts = asyncMethods(this.sync.accounts, ['userCount', 'bootstrapAdmin', 'addUser', 'findUser', 'listUsers', 'setRole', 'createOrg', 'listOrgs', 'createTeam', 'listTeams', 'addTeamMember', 'removeTeamMember', 'accessOf', 'createToken', 'revokeToken', 'listTokens', 'authenticate'] as const);
    this.ingest = asyncMethods(this.sync.ingestor, ['ingest', 'head'] as const);
    this.queries = asyncMethods(this.sync.queries, ['record', 'readableIds', 'records', 'search', 'stats', 'timeline', 'topFiles', 'repos', 'recordCount'] as const);
    this.views = new OrgViews('sqlite', async (sql) => db.prepare(sql).all() as Record<string, unknown>[]);
    const bindings = new BindingStore(db);
    const blame = new ServerBlame(db);
    const rows = new ExportRows(db);
    // The signing key lives next to the database file (`<data>/keys/`); an in-memory database (tests) gets a per-process key.
    const keyDir = db.name && db.name !== ':memory:' ? path.dirname(db.name) : null;
    this.git = {
      ingest: (userId, records) => bindings.ingest(userId, records),
      blame: (scope, q) => blame.blame(scope, q),
      latestRid: (scope) => rows.latestRid(scope),
      exportPages: (scope, filter, asOf) => rows.pages(scope, filter, asOf),
      record: async (scope, rid) => rows.recordNow(scope, rid),
      recordNow: (scope, rid) => rows.recordNow(scope, rid),
      reviewMarks: (scope) => rows.reviewMarks(scope),
      hasCommit: (scope, repo, commit) => rows.hasCommit(scope, repo, commit),
      keyDir: () => keyDir,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.checkpointer?.close();
    this.db.close();
  }
}

export interface SqliteBackendOptions {
  /** For a server: WAL checkpoints in a background thread (threads/walCheckpointer.ts), not in its ingest. */
  backgroundCheckpoints?: WalCheckpointerOptions;
}

/** Opens (and migrates) a SQLite database file, or ':memory:'. */
export function openSqliteBackend(file: string, options: SqliteBackendOptions = {}): SqliteBackend {
  return new SqliteBackend(openServerDb(file), file, options);
}
