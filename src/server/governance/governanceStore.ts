/**
 * Where the server keeps governance: policy versions, findings, what enforcement changed, purges and the
 * audit log. One interface, implemented on SQLite (sqliteGovernance.ts) and PostgreSQL (pgGovernance.ts)
 * with the same behaviour; the rules themselves are pure (core/governance).
 */
import type { AuditEntry, AuditFields } from '../../core/governance/auditLog';
import type { PolicyBody, PolicyVersion } from '../../core/governance/policy';
import type { PrivacyLevel } from '../../core/privacy/privacyLevel';

/** Today every server has one organisation; teams and orgs arrive with team visibility. */
export const DEFAULT_ORG = 'default';

export type StoredFindingKind = 'tool-not-allowed' | 'model-not-allowed' | 'secret-in-prompt' | 'review-required' | 'merged-without-review';

export interface NewFinding {
  kind: StoredFindingKind;
  recordId: string;
  repo: string | null;
  path: string | null;
  tool: string;
  model: string;
  userId: number | null;
  detail: string;
  policyVersion: number;
  createdAt: string;
}

export interface StoredFinding extends NewFinding {
  id: number;
  /** When a later fact settled it (a review-required finding once its PR was reviewed or merged). */
  closedAt: string | null;
  resolution: string | null;
}

export interface FindingFilter {
  kind?: StoredFindingKind;
  repo?: string;
  recordId?: string;
  since?: string;
  open?: boolean;
}

/** What the server keeps of an upload-chain entry whose record enforcement changed before storing. */
export interface Enforcement {
  recordId: string;
  userId: number;
  source: string;
  seq: number;
  /** The upload chain entry's hash, computed over the bytes received (verified before storing). */
  entryHash: string;
  /** SHA-256 of the record's JSON as received and chained. */
  receivedSha256: string;
  level: PrivacyLevel;
  policyVersion: number;
}

export interface PurgeRecord {
  id: number;
  at: string;
  by: string;
  policyVersion: number;
  /** Records with a time before this were removed. */
  cutoff: string;
  count: number;
  oldest: string | null;
  newest: string | null;
  /** SHA-256 over the lines "<record id> <sha256 of its stored JSON>\n" of the removed records, in (time, id) order. */
  digest: string;
}

export interface PurgedRecord {
  recordId: string;
  time: string;
  /** SHA-256 of the record's stored JSON (what an earlier export held). */
  sha256: string;
}

export interface GovernanceStore {
  latestPolicyVersion(org: string): Promise<number>;
  policyVersions(org: string): Promise<PolicyVersion[]>;
  /** Adds the org's next version (number chosen atomically). */
  publishPolicy(org: string, body: PolicyBody, by: string, at: string): Promise<PolicyVersion>;
  /** Idempotent per (record, kind): a resent record adds nothing. Returns how many were new. */
  addFindings(findings: readonly NewFinding[]): Promise<number>;
  /** Newest first; `before` is the id to continue below. */
  findings(filter: FindingFilter, limit: number, before?: number): Promise<StoredFinding[]>;
  closeFinding(id: number, resolution: string, at: string): Promise<void>;
  /** The commits the git ledger bound each edit to (repo, commit). */
  boundCommits(recordIds: readonly string[]): Promise<Map<string, { repo: string; commit: string }[]>>;
  addEnforcements(rows: readonly Enforcement[]): Promise<void>;
  enforcement(recordId: string): Promise<Enforcement | null>;
  /** Removes records older than `cutoff` and records what it removed; null when nothing was older. */
  purge(org: string, cutoff: string, policyVersion: number, by: string, at: string): Promise<PurgeRecord | null>;
  purges(limit: number): Promise<PurgeRecord[]>;
  purgedRecords(purgeId: number): Promise<PurgedRecord[]>;
  /** Appends one audit entry, chained to the last (serialised across connections and processes). */
  appendAudit(fields: AuditFields): Promise<AuditEntry>;
  /** Entries after `afterSeq`, oldest first. */
  audit(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}

export function purgeDigest(removed: readonly PurgedRecord[], sha256: (text: string) => string): string {
  return sha256(removed.map((r) => `${r.recordId} ${r.sha256}\n`).join(''));
}
