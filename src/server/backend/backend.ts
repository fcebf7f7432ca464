/**
 * What the routes and the dashboard need from the server's storage, as one asynchronous interface, so
 * the same API runs on SQLite (Lite: one file, synchronous better-sqlite3 behind promises) and on
 * PostgreSQL (Plus: a connection pool). Both implementations must behave alike: the same API test suite
 * runs against each (test/unit/serverApi.test.ts).
 */
import type { IssuedToken, Principal, Role, TokenInfo, User } from '../db/accounts';
import type { ChainHead, IngestResult } from '../db/ingest';
import type { Page, RecordFilter, StatsSummary, TimelinePoint } from '../db/queries';
import type { UploadEntry } from '../../core/sync/uploadChain';
import type { ExportFilter } from '../../core/export/exportFilter';
import type { GitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { LedgerIngestResult } from '../db/bindings';
import type { ServerBlameQuery, ServerBlameResult } from '../db/blame';
import type { ExportRow } from '../db/exportRows';

export type BackendKind = 'sqlite' | 'postgres';

/** Users and API tokens (see db/accounts.ts for the token design). Errors: AccountError. */
export interface AccountsBackend {
  userCount(): Promise<number>;
  /** First start: when there is no user at all, creates `admin` and returns its one-time token. */
  bootstrapAdmin(): Promise<IssuedToken | null>;
  addUser(name: string, role: Role): Promise<User>;
  findUser(name: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  createToken(userName: string, label: string): Promise<IssuedToken>;
  /** By token id or by the token itself; false when there was no such live token. */
  revokeToken(idOrToken: number | string): Promise<boolean>;
  listTokens(): Promise<TokenInfo[]>;
  /** Never rejects on odd input. */
  authenticate(token: string): Promise<Principal | 'invalid' | 'revoked'>;
}

/** Chain-verified, idempotent batch ingest (see db/ingest.ts). Errors: ChainError (409). */
export interface IngestBackend {
  /**
   * `raw`: the entries as received (hashes are checked over those bytes); `parsed`: after zod.
   * `stored` (governance): per entry, the JSON to store instead of the verified bytes (null: as received);
   * `parsed` then carries those records, so the indexed columns and search see what is stored.
   */
  ingest(userId: number, source: string, raw: unknown[], parsed: UploadEntry[], stored?: readonly (string | null)[]): Promise<IngestResult>;
  head(userId: number, source: string): Promise<ChainHead>;
}

/** Reads; every list newest first with an opaque cursor. Errors: CursorError (400). */
export interface QueriesBackend {
  record(id: string): Promise<unknown | null>;
  records(filter: RecordFilter, limit: number, cursor?: string): Promise<Page<unknown>>;
  search(text: string, limit: number, cursor?: string): Promise<Page<unknown>>;
  stats(repo?: string): Promise<StatsSummary>;
  timeline(filter: { repo?: string; path?: string; since?: string }): Promise<TimelinePoint[]>;
  topFiles(repo: string, limit: number): Promise<{ path: string; edits: number; lines: number }[]>;
  repos(): Promise<{ repo: string; edits: number; lines: number }[]>;
  recordCount(): Promise<number>;
}

/**
 * The git ledger's records (bindings, reviews, rewrites: see db/bindings.ts), blame from them, and the
 * record rows an export reads. Errors: BlameCommitError (400) for an ambiguous commit prefix.
 */
export interface GitBackend {
  /** Idempotent by record id: `duplicate` when the stored content is the same, `conflicting` when it differs (first stored wins). */
  ingest(userId: number, records: { record: GitRecord; json: string }[]): Promise<LedgerIngestResult>;
  blame(q: ServerBlameQuery): Promise<ServerBlameResult>;
  /** The newest record row now: an export "as of" it includes nothing ingested later. */
  latestRid(): Promise<number>;
  /** Pages of included records with rid <= asOf, oldest first (ingest order). */
  exportPages(filter: ExportFilter, asOf: number): AsyncGenerator<ExportRow[]>;
  record(rid: number): Promise<ProvenanceRecord | null>;
  /**
   * The same read, synchronously, where the storage can (SQLite): the markdown writer reads records back
   * while it writes, so without it the route keeps the export's records in memory until the report is done.
   */
  readonly recordNow?: (rid: number) => ProvenanceRecord | null;
  /** Review marks of edits and sessions, oldest first (the markdown report shows the newest of each). */
  reviewMarks(): Promise<GitRecord[]>;
  /** The folder holding the server's export signing key (`keys/ed25519.key`), or null for a key that lives as long as the process. */
  keyDir(): string | null;
}

export interface ServerBackend {
  readonly kind: BackendKind;
  /** Where the data lives, for the start-up line (a file, or a PostgreSQL URL without its password). */
  readonly description: string;
  readonly accounts: AccountsBackend;
  readonly ingest: IngestBackend;
  readonly queries: QueriesBackend;
  readonly git: GitBackend;
  close(): Promise<void>;
}
