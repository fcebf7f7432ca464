/**
 * Governance storage on PostgreSQL; schema: PG_GOVERNANCE_SQL (a migration in postgres/migrations.ts).
 * Every table is keyed by org first, as the rest of the Plus schema. Times are kept as ISO text so both
 * backends answer byte-identical values; the audit log refuses UPDATE and DELETE (a trigger), and appends
 * are serialised by a transaction-scoped advisory lock so concurrent readers chain one after another.
 */
import { type AuditEntry, type AuditFields, nextAuditEntry } from '../../core/governance/auditLog';
import { GENESIS_HASH } from '../../core/chain/chainEntry';
import { PolicyBody, type PolicyVersion } from '../../core/governance/policy';
import type { Pool } from '../postgres/pgClient';
import { inTransaction } from '../postgres/pgClient';
import { auditOf, findingOf, findingWhere, purgeOf } from './sqliteGovernance';
import { type Enforcement, type FindingFilter, type GovernanceStore, type NewFinding, type PurgedRecord, type PurgeRecord, purgeDigest, type StoredFinding } from './governanceStore';
import { createHash } from 'node:crypto';

export const PG_GOVERNANCE_SQL = `
CREATE TABLE policy_versions (
  org_id integer NOT NULL DEFAULT 1,
  version integer NOT NULL,
  created_at text NOT NULL,
  created_by text NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (org_id, version)
);
CREATE TABLE findings (
  org_id integer NOT NULL DEFAULT 1,
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  record_id text NOT NULL,
  repo_id text,
  path text,
  tool text NOT NULL,
  model text NOT NULL,
  user_id integer,
  detail text NOT NULL,
  policy_version integer NOT NULL,
  created_at text NOT NULL,
  closed_at text,
  resolution text,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, record_id, kind)
);
CREATE INDEX findings_kind ON findings (org_id, kind, id);
CREATE INDEX findings_repo ON findings (org_id, repo_id, id);
CREATE TABLE enforced_records (
  org_id integer NOT NULL DEFAULT 1,
  record_id text NOT NULL,
  user_id integer NOT NULL,
  source text NOT NULL,
  seq bigint NOT NULL,
  entry_hash text NOT NULL,
  received_sha256 text NOT NULL,
  level text NOT NULL,
  policy_version integer NOT NULL,
  PRIMARY KEY (org_id, record_id)
);
CREATE TABLE purges (
  org_id integer NOT NULL DEFAULT 1,
  id bigint GENERATED ALWAYS AS IDENTITY,
  at text NOT NULL,
  by text NOT NULL,
  policy_version integer NOT NULL,
  cutoff text NOT NULL,
  count integer NOT NULL,
  oldest text,
  newest text,
  digest text NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE TABLE purged_records (
  org_id integer NOT NULL DEFAULT 1,
  purge_id bigint NOT NULL,
  record_id text NOT NULL,
  time text NOT NULL,
  sha256 text NOT NULL,
  PRIMARY KEY (org_id, purge_id, record_id)
);
CREATE TABLE audit_log (
  org_id integer NOT NULL DEFAULT 1,
  seq bigint NOT NULL,
  time text NOT NULL,
  user_id integer,
  "user" text,
  endpoint text NOT NULL,
  path text NOT NULL,
  query text NOT NULL,
  status integer NOT NULL,
  results integer,
  prev text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (org_id, seq)
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`;

/** Serialises audit appends of one org across connections and servers. */
const AUDIT_LOCK = 0x4c4c_4155_4454; // "LLAUDT"
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const dollar = (n: number) => `$${n}`;

export class PgGovernance implements GovernanceStore {
  constructor(
    private readonly pool: Pool,
    private readonly orgId = 1,
  ) {}

  async latestPolicyVersion(): Promise<number> {
    return Number((await this.pool.query<{ v: number | null }>('SELECT max(version) AS v FROM policy_versions WHERE org_id = $1', [this.orgId])).rows[0]!.v ?? 0);
  }

  async policyVersions(org: string): Promise<PolicyVersion[]> {
    const { rows } = await this.pool.query<{ version: number; created_at: string; created_by: string; body: unknown }>(
      'SELECT version, created_at, created_by, body FROM policy_versions WHERE org_id = $1 ORDER BY version',
      [this.orgId],
    );
    return rows.map((r) => ({ org, version: r.version, createdAt: r.created_at, createdBy: r.created_by, body: PolicyBody.parse(r.body) }));
  }

  async publishPolicy(org: string, body: PolicyBody, by: string, at: string): Promise<PolicyVersion> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [AUDIT_LOCK % 2 ** 31, this.orgId]);
      const version = Number((await c.query<{ v: number | null }>('SELECT max(version) AS v FROM policy_versions WHERE org_id = $1', [this.orgId])).rows[0]!.v ?? 0) + 1;
      await c.query('INSERT INTO policy_versions (org_id, version, created_at, created_by, body) VALUES ($1, $2, $3, $4, $5)', [this.orgId, version, at, by, JSON.stringify(body)]);
      return { org, version, createdAt: at, createdBy: by, body };
    });
  }

  async addFindings(findings: readonly NewFinding[]): Promise<number> {
    if (findings.length === 0) return 0;
    const col = <T>(f: (x: NewFinding) => T) => findings.map(f);
    const r = await this.pool.query(
      `INSERT INTO findings (org_id, kind, record_id, repo_id, path, tool, model, user_id, detail, policy_version, created_at)
       SELECT $1, k, r, repo, p, t, m, u, d, v, c FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::int[], $11::text[])
         AS x(k, r, repo, p, t, m, u, d, v, c)
       ON CONFLICT (org_id, record_id, kind) DO NOTHING`,
      [this.orgId, col((f) => f.kind), col((f) => f.recordId), col((f) => f.repo), col((f) => f.path), col((f) => f.tool), col((f) => f.model), col((f) => f.userId), col((f) => f.detail), col((f) => f.policyVersion), col((f) => f.createdAt)],
    );
    return r.rowCount ?? 0;
  }

  async findings(filter: FindingFilter, limit: number, before?: number): Promise<StoredFinding[]> {
    const { where, args } = findingWhere(filter, before, (n) => dollar(n + 1));
    const sql = `SELECT * FROM findings ${where ? `${where} AND` : 'WHERE'} org_id = $1 ORDER BY id DESC LIMIT ${Math.trunc(limit)}`;
    return (await this.pool.query(sql, [this.orgId, ...args])).rows.map(findingOf);
  }

  async closeFinding(id: number, resolution: string, at: string): Promise<void> {
    await this.pool.query('UPDATE findings SET closed_at = $1, resolution = $2 WHERE org_id = $3 AND id = $4 AND closed_at IS NULL', [at, resolution, this.orgId, id]);
  }

  async boundCommits(recordIds: readonly string[]): Promise<Map<string, { repo: string; commit: string }[]>> {
    const out = new Map<string, { repo: string; commit: string }[]>();
    if (recordIds.length === 0) return out;
    const { rows } = await this.pool.query<{ edit_id: string; repo_id: string; commit_id: string }>(
      'SELECT DISTINCT edit_id, repo_id, commit_id FROM git_bindings WHERE org_id = $1 AND edit_id = ANY($2::text[])',
      [this.orgId, [...recordIds]],
    );
    for (const r of rows) out.set(r.edit_id, [...(out.get(r.edit_id) ?? []), { repo: r.repo_id, commit: r.commit_id }]);
    return out;
  }

  async addEnforcements(rows: readonly Enforcement[]): Promise<void> {
    if (rows.length === 0) return;
    // One row per record id (the last of the batch wins, as for the records themselves).
    const byId = new Map(rows.map((r) => [r.recordId, r]));
    const list = [...byId.values()];
    const col = <T>(f: (x: Enforcement) => T) => list.map(f);
    await this.pool.query(
      `INSERT INTO enforced_records (org_id, record_id, user_id, source, seq, entry_hash, received_sha256, level, policy_version)
       SELECT $1, r, u, s, q, h, rs, l, v FROM unnest($2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::int[]) AS x(r, u, s, q, h, rs, l, v)
       ON CONFLICT (org_id, record_id) DO UPDATE SET user_id = EXCLUDED.user_id, source = EXCLUDED.source, seq = EXCLUDED.seq, entry_hash = EXCLUDED.entry_hash,
         received_sha256 = EXCLUDED.received_sha256, level = EXCLUDED.level, policy_version = EXCLUDED.policy_version`,
      [this.orgId, col((e) => e.recordId), col((e) => e.userId), col((e) => e.source), col((e) => e.seq), col((e) => e.entryHash), col((e) => e.receivedSha256), col((e) => e.level), col((e) => e.policyVersion)],
    );
  }

  async enforcement(recordId: string): Promise<Enforcement | null> {
    const r = (await this.pool.query('SELECT * FROM enforced_records WHERE org_id = $1 AND record_id = $2', [this.orgId, recordId])).rows[0];
    return r ? { recordId, userId: r.user_id, source: r.source, seq: Number(r.seq), entryHash: r.entry_hash, receivedSha256: r.received_sha256, level: r.level, policyVersion: r.policy_version } : null;
  }

  async purge(_org: string, cutoff: string, policyVersion: number, by: string, at: string): Promise<PurgeRecord | null> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<{ id: string; time: Date; json: string }>('DELETE FROM records WHERE org_id = $1 AND time < $2::timestamptz RETURNING id, time, json', [this.orgId, cutoff]);
      if (rows.length === 0) return null;
      const removed: PurgedRecord[] = rows
        .map((r) => ({ recordId: r.id, time: r.time.toISOString(), sha256: sha256(r.json) }))
        .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
      const ids = removed.map((r) => r.recordId);
      await c.query('DELETE FROM record_ids WHERE org_id = $1 AND id = ANY($2::text[])', [this.orgId, ids]);
      // The semantic index (when the search feature made it) must not keep vectors of removed records.
      if ((await c.query<{ t: string | null }>(`SELECT to_regclass('record_embeddings')::text AS t`)).rows[0]!.t) {
        await c.query('DELETE FROM record_embeddings WHERE org_id = $1 AND record_id = ANY($2::text[])', [this.orgId, ids]);
      }
      const record = { at, by, policyVersion, cutoff, count: removed.length, oldest: removed[0]!.time, newest: removed[removed.length - 1]!.time, digest: purgeDigest(removed, sha256) };
      const id = Number(
        (
          await c.query<{ id: number }>('INSERT INTO purges (org_id, at, by, policy_version, cutoff, count, oldest, newest, digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id', [
            this.orgId,
            at,
            by,
            policyVersion,
            cutoff,
            record.count,
            record.oldest,
            record.newest,
            record.digest,
          ])
        ).rows[0]!.id,
      );
      await c.query('INSERT INTO purged_records (org_id, purge_id, record_id, time, sha256) SELECT $1, $2, r, t, s FROM unnest($3::text[], $4::text[], $5::text[]) AS x(r, t, s)', [
        this.orgId,
        id,
        ids,
        removed.map((r) => r.time),
        removed.map((r) => r.sha256),
      ]);
      return { id, ...record };
    });
  }

  async purges(limit: number): Promise<PurgeRecord[]> {
    return (await this.pool.query(`SELECT * FROM purges WHERE org_id = $1 ORDER BY id DESC LIMIT ${Math.trunc(limit)}`, [this.orgId])).rows.map(purgeOf);
  }

  async purgedRecords(purgeId: number): Promise<PurgedRecord[]> {
    const { rows } = await this.pool.query<{ record_id: string; time: string; sha256: string }>('SELECT record_id, time, sha256 FROM purged_records WHERE org_id = $1 AND purge_id = $2 ORDER BY time, record_id', [
      this.orgId,
      purgeId,
    ]);
    return rows.map((r) => ({ recordId: r.record_id, time: r.time, sha256: r.sha256 }));
  }

  async appendAudit(fields: AuditFields): Promise<AuditEntry> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [(AUDIT_LOCK + 1) % 2 ** 31, this.orgId]);
      const last = (await c.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log WHERE org_id = $1 ORDER BY seq DESC LIMIT 1', [this.orgId])).rows[0];
      const e = nextAuditEntry(last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH }, fields);
      await c.query('INSERT INTO audit_log (org_id, seq, time, user_id, "user", endpoint, path, query, status, results, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
        this.orgId,
        e.seq,
        e.time,
        e.userId,
        e.user,
        e.endpoint,
        e.path,
        e.query,
        e.status,
        e.results,
        e.prev,
        e.hash,
      ]);
      return e;
    });
  }

  async audit(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (await this.pool.query(`SELECT * FROM audit_log WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT ${Math.trunc(limit)}`, [this.orgId, afterSeq])).rows.map(auditOf);
  }
}
