/**
 * The governance service of one server: the policy in force (re-read when a newer version was published,
 * also by the CLI), enforcement and findings on ingest, the review check, purges and the audit log.
 *
 * Before the first policy is published nothing changes on ingest (no policy is in force); from then on
 * every batch is restricted to its capture level and evaluated, after its upload chain verified.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditFields } from '../../core/governance/auditLog';
import { enforceCapture, scopeOf } from '../../core/governance/enforce';
import { evaluateRecord, type PolicyBody, type PolicyVersion } from '../../core/governance/policy';
import { PolicyHistory, retentionCutoff } from '../../core/governance/policyHistory';
import type { ProvenanceRecord } from '../../core/model/schema';
import type { UploadEntry } from '../../core/sync/uploadChain';
import { modelName } from '../db/recordRow';
import { DEFAULT_ORG, type Enforcement, type GovernanceStore, type NewFinding, type PurgeRecord } from './governanceStore';

/** An upload batch as enforcement will store it, and what to record once it is stored. */
export interface PreparedIngest {
  /** The entries with each record restricted to its capture level (seq, prev and hash as received). */
  entries: UploadEntry[];
  /** Per entry: the JSON to store instead of the verified bytes, or null to store them as received. */
  stored: (string | null)[];
  enforcements: Enforcement[];
  findings: NewFinding[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class Governance {
  private history: PolicyHistory | null = null;

  constructor(
    readonly store: GovernanceStore,
    readonly org = DEFAULT_ORG,
  ) {}

  /** The version in force (version 0: the built-in default, before any was published). */
  async policy(): Promise<PolicyVersion> {
    const latest = await this.store.latestPolicyVersion(this.org);
    if (!this.history || this.history.versions(this.org).length !== latest) this.history = new PolicyHistory(await this.store.policyVersions(this.org));
    return this.history.at(this.org);
  }

  async versions(): Promise<readonly PolicyVersion[]> {
    await this.policy();
    return this.history!.versions(this.org);
  }

  async publish(body: PolicyBody, by: string, now = new Date().toISOString()): Promise<PolicyVersion> {
    const v = await this.store.publishPolicy(this.org, body, by, now);
    this.history = null;
    return v;
  }

  /**
   * Restricts each record of a batch to its capture level and evaluates it (findings over the record as
   * the client sent it, so a secret is found before redaction removes it). Null when no policy is in force.
   * `raw` are the records as received: the enforcement row keeps the SHA-256 of their chained bytes.
   */
  async prepareIngest(userId: number, source: string, entries: UploadEntry[], rawRecordJson: (i: number) => string, uploaderTeams: () => Promise<readonly string[]> = async () => []): Promise<PreparedIngest | null> {
    const policy = await this.policy();
    if (policy.version === 0) return null;
    const teams = await uploaderTeams();
    const now = new Date().toISOString();
    const out: PreparedIngest = { entries: [], stored: [], enforcements: [], findings: [] };
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      for (const f of evaluateRecord(policy.body, entry.record)) out.findings.push(findingFor(entry.record, f.kind, f.detail, userId, policy.version, now));
      const enforced = enforceCapture(policy.body, entry.record, scopeOf(entry.record, teams));
      if (enforced.json === null) {
        out.entries.push(entry);
        out.stored.push(null);
        continue;
      }
      out.entries.push({ ...entry, record: enforced.record });
      out.stored.push(enforced.json);
      out.enforcements.push({ recordId: entry.record.id, userId, source, seq: entry.seq, entryHash: entry.hash, receivedSha256: sha256(rawRecordJson(i)), level: enforced.level, policyVersion: policy.version });
    }
    return out;
  }

  /** After the batch was verified and stored: what enforcement changed, and the findings (never blocking). */
  async afterIngest(prepared: PreparedIngest): Promise<void> {
    await this.store.addEnforcements(prepared.enforcements);
    await this.store.addFindings(prepared.findings);
  }

  /** Removes records older than the policy's retention (none when it keeps them forever). */
  async purge(by: string, now = new Date()): Promise<PurgeRecord | null> {
    const policy = await this.policy();
    const cutoff = retentionCutoff(policy.body, now);
    if (cutoff === null) return null;
    return this.store.purge(this.org, cutoff, policy.version, by, now.toISOString());
  }

  /**
   * Settles open review-required findings whose edits the git ledger bound to commits that PR webhooks
   * described: reviewed closes it; merged without review closes it and adds a merged-without-review finding.
   */
  async checkReviews(reviewOf: (repo: string, commits: string[]) => Promise<Map<string, { status: string | null; description: string }>>): Promise<number> {
    const open = await this.store.findings({ kind: 'review-required', open: true }, 1_000);
    if (open.length === 0) return 0;
    const commits = await this.store.boundCommits(open.map((f) => f.recordId));
    const now = new Date().toISOString();
    let added = 0;
    for (const f of open) {
      const bound = commits.get(f.recordId);
      if (!bound) continue;
      for (const b of bound) {
        const review = (await reviewOf(b.repo, [b.commit])).get(b.commit.toLowerCase());
        if (review?.status === 'reviewed') {
          await this.store.closeFinding(f.id, review.description, now);
          break;
        }
        if (review?.status === 'merged-without-review') {
          added += await this.store.addFindings([{ ...f, kind: 'merged-without-review', detail: `AI code that needs a review was ${review.description} (commit ${b.commit.slice(0, 12)})`, createdAt: now }]);
          await this.store.closeFinding(f.id, review.description, now);
          break;
        }
      }
    }
    return added;
  }

  appendAudit(fields: AuditFields): Promise<AuditEntry> {
    return this.store.appendAudit(fields);
  }
}

function findingFor(record: ProvenanceRecord, kind: NewFinding['kind'], detail: string, userId: number, policyVersion: number, now: string): NewFinding {
  return {
    kind,
    recordId: record.id,
    repo: scopeOf(record).repo,
    path: record.kind === 'edit' ? record.file.path : null,
    tool: record.tool.name,
    model: modelName(record.model),
    userId,
    detail,
    policyVersion,
    createdAt: now,
  };
}
