/**
 * The versions of each organisation's policy, oldest first. Publishing never edits a version: it adds the
 * next one, so a finding or a purge can name the version it acted under and an auditor can replay it.
 */
import { DEFAULT_POLICY, PolicyBody, type PolicyVersion } from './policy';

export class PolicyHistory {
  private readonly byOrg = new Map<string, PolicyVersion[]>();

  constructor(versions: Iterable<PolicyVersion> = []) {
    for (const v of versions) this.load(v);
  }

  /** Loads a stored version (they must arrive in version order per org, as a database returns them). */
  load(v: PolicyVersion): void {
    const list = this.byOrg.get(v.org) ?? [];
    const expected = list.length + 1;
    if (v.version !== expected) throw new Error(`policy versions of "${v.org}" are not contiguous: got ${v.version}, expected ${expected}`);
    list.push(v);
    this.byOrg.set(v.org, list);
  }

  /** Validates `body` (zod, as any outside input) and makes it the org's next version. */
  publish(org: string, body: unknown, by: string, now = new Date().toISOString()): PolicyVersion {
    const parsed = PolicyBody.parse(body);
    const list = this.byOrg.get(org) ?? [];
    const v: PolicyVersion = { org, version: list.length + 1, createdAt: now, createdBy: by, body: parsed };
    this.load(v);
    return v;
  }

  /** The version in force at `time` (the latest by default); the built-in default before the first. */
  at(org: string, time?: string): PolicyVersion {
    const list = this.byOrg.get(org) ?? [];
    const candidates = time === undefined ? list : list.filter((v) => v.createdAt <= time);
    return candidates[candidates.length - 1] ?? { org, version: 0, createdAt: '1970-01-01T00:00:00.000Z', createdBy: 'default', body: DEFAULT_POLICY };
  }

  versions(org: string): readonly PolicyVersion[] {
    return this.byOrg.get(org) ?? [];
  }
}

/** Records older than this instant fall out under the policy's retention; null when kept forever. */
export function retentionCutoff(policy: PolicyBody, now: Date): string | null {
  return policy.retentionDays === null ? null : new Date(now.getTime() - policy.retentionDays * 86_400_000).toISOString();
}
