/** Governance storage on SQLite (the Lite server's file); schema: GOVERNANCE_MIGRATION. */
import { createHash } from 'node:crypto';
import { type AuditEntry, type AuditFields, nextAuditEntry } from '../../core/governance/auditLog';
import { GENESIS_HASH } from '../../core/chain/chainEntry';
import { PolicyBody, type PolicyVersion } from '../../core/governance/policy';
import type { Db } from '../db/serverDb';
import { writeTransaction } from '../db/writeTransaction';
import {
  type Enforcement,
  type FindingFilter,
  type GovernanceStore,
  type NewFinding,
  type PurgedRecord,
  type PurgeRecord,
  purgeDigest,
  type StoredFinding,
} from './governanceStore';

/** Policies, findings, enforcement, purges and the append-only audit log (the log refuses updates and deletes). */
export const GOVERNANCE_MIGRATION = `
  CREATE TABLE policy_versions (
    org TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org, version)
  ) WITHOUT ROWID;
  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    repo_id TEXT,
    path TEXT,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    user_id INTEGER,
    detail TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    resolution TEXT,
    UNIQUE (record_id, kind)
  );
  CREATE INDEX findings_kind ON findings (kind, id);
  CREATE INDEX findings_repo ON findings (repo_id, id);
  CREATE TABLE enforced_records (
    record_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry_hash TEXT NOT NULL,
    received_sha256 TEXT NOT NULL,
    level TEXT NOT NULL,
    policy_version INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE purges (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    cutoff TEXT NOT NULL,
    count INTEGER NOT NULL,
    oldest TEXT,
    newest TEXT,
    digest TEXT NOT NULL
  );
  CREATE TABLE purged_records (
    purge_id INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    time TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (purge_id, record_id)
  ) WITHOUT ROWID;
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    user_id INTEGER,
    user TEXT,
    endpoint TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    status INTEGER NOT NULL,
    results INTEGER,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface FindingRow {
  id: number;
  kind: string;
  record_id: string;
  repo_id: string | null;
  path: string | null;
  tool: string;
  model: string;
  user_id: number | null;
  detail: string;
  policy_version: number;
  created_at: string;
  closed_at: string | null;
  resolution: string | null;
}

export function findingOf(r: FindingRow): StoredFinding {
  return {
    id: Number(r.id),
    kind: r.kind as StoredFinding['kind'],
    recordId: r.record_id,
    repo: r.repo_id,
    path: r.path,
    tool: r.tool,
    model: r.model,
    userId: r.user_id === null ? null : Number(r.user_id),
    detail: r.detail,
    policyVersion: Number(r.policy_version),
    createdAt: r.created_at,
    closedAt: r.closed_at,
    resolution: r.resolution,
  };
}

interface PurgeRow {
  id: number;
  at: string;
  by: string;
  policy_version: number;
  cutoff: string;
  count: number;
  oldest: string | null;
  newest: string | null;
  digest: string;
}

export function purgeOf(r: PurgeRow): PurgeRecord {
  return { id: Number(r.id), at: r.at, by: r.by, policyVersion: Number(r.policy_version), cutoff: r.cutoff, count: Number(r.count), oldest: r.oldest, newest: r.newest, digest: r.digest };
}

export function auditOf(r: { seq: number; time: string; user_id: number | null; user: string | null; endpoint: string; path: string; query: string; status: number; results: number | null; prev: string; hash: string }): AuditEntry {
  return {
    seq: Number(r.seq),
    time: r.time,
    userId: r.user_id === null ? null : Number(r.user_id),
    user: r.user,
    endpoint: r.endpoint,
    path: r.path,
    query: r.query,
    status: Number(r.status),
    results: r.results === null ? null : Number(r.results),
    prev: r.prev,
    hash: r.hash,
  };
}

/** WHERE clause of a findings filter, with `?` placeholders (SQLite) or `$n` (PostgreSQL, from `first`). */
export function findingWhere(filter: FindingFilter, before: number | undefined, placeholder: (n: number) => string): { where: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (sql: string, v: string | number) => {
    args.push(v);
    where.push(sql.replace('?', placeholder(args.length)));
  };
  if (filter.kind) add('kind = ?', filter.kind);
  if (filter.repo) add('repo_id = ?', filter.repo);
  if (filter.recordId) add('record_id = ?', filter.recordId);
  if (filter.since) add('created_at >= ?', filter.since);
  if (filter.open === true) where.push('closed_at IS NULL');
  if (filter.open === false) where.push('closed_at IS NOT NULL');
  if (before !== undefined) add('id < ?', before);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export class SqliteGovernance implements GovernanceStore {
  constructor(private readonly db: Db) {}

  async latestPolicyVersion(org: string): Promise<number> {
    return this.db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM policy_versions WHERE org = ?').get(org)?.v ?? 0;
  }

  async policyVersions(org: string): Promise<PolicyVersion[]> {
    return this.db
      .prepare<[string], { version: number; created_at: string; created_by: string; body: string }>('SELECT version, created_at, created_by, body FROM policy_versions WHERE org = ? ORDER BY version')
      .all(org)
      .map((r) => ({ org, version: r.version, createdAt: r.created_at, createdBy: r.created_by, body: PolicyBody.parse(JSON.parse(r.body)) }));
  }

  async publishPolicy(org: string, body: PolicyBody, by: string, at: string): Promise<PolicyVersion> {
    return writeTransaction(this.db, () => {
      const version = (this.db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM policy_versions WHERE org = ?').get(org)?.v ?? 0) + 1;
      this.db.prepare('INSERT INTO policy_versions (org, version, created_at, created_by, body) VALUES (?, ?, ?, ?, ?)').run(org, version, at, by, JSON.stringify(body));
      return { org, version, createdAt: at, createdBy: by, body };
    })();
  }

  async addFindings(findings: readonly NewFinding[]): Promise<number> {
    if (findings.length === 0) return 0;
    const insert = this.db.prepare(
      'INSERT INTO findings (kind, record_id, repo_id, path, tool, model, user_id, detail, policy_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, kind) DO NOTHING',
    );
    return writeTransaction(this.db, () => {
      let n = 0;
      for (const f of findings) n += insert.run(f.kind, f.recordId, f.repo, f.path, f.tool, f.model, f.userId, f.detail, f.policyVersion, f.createdAt).changes;
      return n;
    })();
  }

  async findings(filter: FindingFilter, limit: number, before?: number): Promise<StoredFinding[]> {
    const { where, args } = findingWhere(filter, before, () => '?');
    return this.db.prepare<(string | number)[], FindingRow>(`SELECT * FROM findings ${where} ORDER BY id DESC LIMIT ${Math.trunc(limit)}`).all(...args).map(findingOf);
  }

  async closeFinding(id: number, resolution: string, at: string): Promise<void> {
    this.db.prepare('UPDATE findings SET closed_at = ?, resolution = ? WHERE id = ? AND closed_at IS NULL').run(at, resolution, id);
  }

  async boundCommits(recordIds: readonly string[]): Promise<Map<string, { repo: string; commit: string }[]>> {
    const out = new Map<string, { repo: string; commit: string }[]>();
    const q = this.db.prepare<[string], { repo_id: string; commit_id: string }>('SELECT DISTINCT repo_id, commit_id FROM git_bindings WHERE edit_id = ?');
    for (const id of recordIds) {
      const rows = q.all(id);
      if (rows.length) out.set(id, rows.map((r) => ({ repo: r.repo_id, commit: r.commit_id })));
    }
    return out;
  }

  async addEnforcements(rows: readonly Enforcement[]): Promise<void> {
    if (rows.length === 0) return;
    const upsert = this.db.prepare(
      `INSERT INTO enforced_records (record_id, user_id, source, seq, entry_hash, received_sha256, level, policy_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (record_id) DO UPDATE SET user_id = excluded.user_id, source = excluded.source, seq = excluded.seq, entry_hash = excluded.entry_hash,
         received_sha256 = excluded.received_sha256, level = excluded.level, policy_version = excluded.policy_version`,
    );
    writeTransaction(this.db, () => {
      for (const e of rows) upsert.run(e.recordId, e.userId, e.source, e.seq, e.entryHash, e.receivedSha256, e.level, e.policyVersion);
    })();
  }

  async enforcement(recordId: string): Promise<Enforcement | null> {
    const r = this.db
      .prepare<[string], { user_id: number; source: string; seq: number; entry_hash: string; received_sha256: string; level: string; policy_version: number }>('SELECT * FROM enforced_records WHERE record_id = ?')
      .get(recordId);
    return r ? { recordId, userId: r.user_id, source: r.source, seq: r.seq, entryHash: r.entry_hash, receivedSha256: r.received_sha256, level: r.level as Enforcement['level'], policyVersion: r.policy_version } : null;
  }

  async purge(_org: string, cutoff: string, policyVersion: number, by: string, at: string): Promise<PurgeRecord | null> {
    return writeTransaction(this.db, () => {
      const rows = this.db.prepare<[string], { rid: number; id: string; time: string; json: string }>('SELECT rid, id, time, json FROM records WHERE time < ? ORDER BY time, id').all(cutoff);
      if (rows.length === 0) return null;
      const removed: PurgedRecord[] = rows.map((r) => ({ recordId: r.id, time: r.time, sha256: sha256(r.json) }));
      const delFts = this.db.prepare('DELETE FROM records_fts WHERE rowid = ?');
      const delRecord = this.db.prepare('DELETE FROM records WHERE rid = ?');
      for (const r of rows) {
        delFts.run(r.rid);
        delRecord.run(r.rid);
      }
      const record = { at, by, policyVersion, cutoff, count: removed.length, oldest: removed[0]!.time, newest: removed[removed.length - 1]!.time, digest: purgeDigest(removed, sha256) };
      const id = Number(
        this.db
          .prepare('INSERT INTO purges (at, by, policy_version, cutoff, count, oldest, newest, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(at, by, policyVersion, cutoff, record.count, record.oldest, record.newest, record.digest).lastInsertRowid,
      );
      const addRemoved = this.db.prepare('INSERT INTO purged_records (purge_id, record_id, time, sha256) VALUES (?, ?, ?, ?)');
      for (const r of removed) addRemoved.run(id, r.recordId, r.time, r.sha256);
      return { id, ...record };
    })();
  }

  async purges(limit: number): Promise<PurgeRecord[]> {
    return this.db.prepare<[], PurgeRow>(`SELECT * FROM purges ORDER BY id DESC LIMIT ${Math.trunc(limit)}`).all().map(purgeOf);
  }

  async purgedRecords(purgeId: number): Promise<PurgedRecord[]> {
    return this.db
      .prepare<[number], { record_id: string; time: string; sha256: string }>('SELECT record_id, time, sha256 FROM purged_records WHERE purge_id = ? ORDER BY time, record_id')
      .all(purgeId)
      .map((r) => ({ recordId: r.record_id, time: r.time, sha256: r.sha256 }));
  }

  async appendAudit(fields: AuditFields): Promise<AuditEntry> {
    return writeTransaction(this.db, () => {
      const head = this.db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() ?? { seq: 0, hash: GENESIS_HASH };
      const e = nextAuditEntry(head, fields);
      this.db
        .prepare('INSERT INTO audit_log (seq, time, user_id, user, endpoint, path, query, status, results, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.seq, e.time, e.userId, e.user, e.endpoint, e.path, e.query, e.status, e.results, e.prev, e.hash);
      return e;
    })();
  }

  async audit(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.db.prepare<[number], Parameters<typeof auditOf>[0]>(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ${Math.trunc(limit)}`).all(afterSeq).map(auditOf);
  }
}
