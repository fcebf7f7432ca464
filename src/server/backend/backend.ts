/**
 * What the routes and the dashboard need from the server's storage, as one asynchronous interface, so
 * the same API runs on SQLite (Lite: one file, synchronous better-sqlite3 behind promises) and on
 * PostgreSQL (Plus: a connection pool). Both implementations must behave alike: the same API test suite
 * runs against each (test/unit/serverApi.test.ts).
 */
import type { AccessFacts, RecordScope } from '../access/scope';
import type { IssuedToken, Org, Principal, Role, TeamInfo, TokenInfo, User } from '../db/accounts';
import type { ChainHead, IngestResult } from '../db/ingest';
import type { Page, RecordFilter, StatsSummary, TimelinePoint } from '../db/queries';
import type { UploadEntry } from '../../core/sync/uploadChain';
import type { ExportFilter } from '../../core/export/exportFilter';
import type { GitRecord, StoredGitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { LedgerIngestResult } from '../db/bindings';
import type { ServerBlameQuery, ServerBlameResult } from '../db/blame';
import type { ExportRow } from '../db/exportRows';
import type { OrgViews } from '../db/orgViews';

export type BackendKind = 'sqlite' | 'postgres';

/** Users and API tokens (see db/accounts.ts for the token design). Errors: AccountError. */
export interface AccountsBackend {
  userCount(): Promise<number>;
  /** First start: when there is no user at all, creates `admin` and returns its one-time token. */
  bootstrapAdmin(): Promise<IssuedToken | null>;
  /** In the organisation named (default: the default organisation). */
  addUser(name: string, role: Role, org?: string): Promise<User>;
  findUser(name: string): Promise<User | null>;
  /** All users, or those of one organisation. */
  listUsers(org?: string): Promise<User[]>;
  setRole(name: string, role: Role): Promise<User>;
  createOrg(name: string): Promise<Org>;
  listOrgs(): Promise<Org[]>;
  createTeam(org: string, name: string): Promise<TeamInfo>;
  listTeams(org?: string): Promise<TeamInfo[]>;
  /** Adds the user to the team, or changes whether they lead it; a lead must have the lead role. */
  addTeamMember(org: string, team: string, user: string, lead: boolean): Promise<void>;
  /** False when the user was not in the team. */
  removeTeamMember(org: string, team: string, user: string): Promise<boolean>;
  /** What access/scope.ts turns into a read scope: the user's organisation, role and teams. */
  accessOf(userId: number): Promise<AccessFacts>;
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
   * `verified`: per entry, its record's JSON as chained, or null when the entry's hash did not match it
   * (db/entryContent.ts; the batch is then refused); `parsed`: the entries after zod.
   * `stored` (governance): per entry, the JSON to store instead of the verified bytes (null: as received);
   * `parsed` then carries those records, so the indexed columns and search see what is stored.
   */
  ingest(userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]): Promise<IngestResult>;
  head(userId: number, source: string): Promise<ChainHead>;
}

/**
 * Reads; every list newest first with an opaque cursor. Errors: CursorError (400). Each read takes the
 * caller's scope (access/scope.ts: `read` for content, `aggregate` for counts) and applies it in its SQL.
 */
export interface QueriesBackend {
  record(scope: RecordScope, id: string): Promise<unknown | null>;
  /**
   * Which of these ids are records inside the scope, or sessions with a record inside it (a session node is
   * readable to whoever may read one of its edits); lineage shows the others redacted.
   */
  readableIds(scope: RecordScope, ids: readonly string[]): Promise<Set<string>>;
  records(scope: RecordScope, filter: RecordFilter, limit: number, cursor?: string): Promise<Page<unknown>>;
  search(scope: RecordScope, text: string, limit: number, cursor?: string): Promise<Page<unknown>>;
  stats(scope: RecordScope, repo?: string): Promise<StatsSummary>;
  timeline(scope: RecordScope, filter: { repo?: string; path?: string; since?: string }): Promise<TimelinePoint[]>;
  topFiles(scope: RecordScope, repo: string, limit: number): Promise<{ path: string; edits: number; lines: number }[]>;
  repos(scope: RecordScope): Promise<{ repo: string; edits: number; lines: number }[]>;
  /** Every stored record (the /metrics gauge). */
  recordCount(): Promise<number>;
}

/**
 * The git ledger's records (bindings, reviews, rewrites: see db/bindings.ts), blame from them, and the
 * record rows an export reads. Errors: BlameCommitError (400) for an ambiguous commit prefix.
 */
export interface GitBackend {
  /** Idempotent by record id: `duplicate` when the stored content is the same, `conflicting` when it differs (first stored wins). */
  ingest(userId: number, records: { record: StoredGitRecord; json: string }[]): Promise<LedgerIngestResult>;
  /** From bindings uploaded by users in the scope, with prompts of records in it. */
  blame(scope: RecordScope, q: ServerBlameQuery): Promise<ServerBlameResult>;
  /** The newest record row in the scope now: an export "as of" it includes nothing ingested later. */
  latestRid(scope: RecordScope): Promise<number>;
  /** Pages of included records of the scope with rid <= asOf, oldest first (ingest order). */
  exportPages(scope: RecordScope, filter: ExportFilter, asOf: number): AsyncGenerator<ExportRow[]>;
  record(scope: RecordScope, rid: number): Promise<ProvenanceRecord | null>;
  /**
   * The same read, synchronously, where the storage can (SQLite): the markdown writer reads records back
   * while it writes, so without it the route keeps the export's records in memory until the report is done.
   */
  readonly recordNow?: (scope: RecordScope, rid: number) => ProvenanceRecord | null;
  /** Review marks of edits and sessions uploaded by users in the scope, oldest first (the markdown report shows the newest of each). */
  reviewMarks(scope: RecordScope): Promise<GitRecord[]>;
  /** Whether the scope holds any binding at this commit of the repository (PR review status is shown only then). */
  hasCommit(scope: RecordScope, repo: string, commit: string): Promise<boolean>;
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
  /** The dashboard's organisation and team figures (db/orgViews.ts; counts only, in a scope). */
  readonly views: OrgViews;
  close(): Promise<void>;
}
