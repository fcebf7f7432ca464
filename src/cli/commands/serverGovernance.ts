/**
 * `lineagelens server policy show|history|set <file.json>`, `server purge` and `server audit export|verify`:
 * governance on the server's storage directly (as the user and token commands), or, for `audit verify`,
 * on an exported audit log file alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { verifyAuditLines } from '../../core/governance/auditLog';
import { PolicyBody } from '../../core/governance/policy';
import { createContext } from '../../server/app';
import type { ServerBackend } from '../../server/backend/backend';
import { Governance } from '../../server/governance/governance';
import { runGovernanceJob } from '../../server/governance/governanceJobs';
import { governanceStoreFor } from '../../server/governance/openGovernance';
import { VERSION } from '../version';

export const GOVERNANCE_USAGE = `  lineagelens server policy show | history | set <policy.json> [--by NAME]
  lineagelens server purge                        remove records older than the policy's retention (recorded)
  lineagelens server audit export [--out FILE]    the audit log as JSONL
  lineagelens server audit verify <audit.jsonl>   check an exported audit log's hash chain`;

function cliUser(by: string | undefined): string {
  if (by) return by;
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** `server audit verify FILE`: needs no storage, only the exported log. Exit 0 intact, 1 broken, 2 unreadable. */
export function runAuditVerify(file: string | undefined, json: boolean): number {
  if (!file) {
    process.stderr.write(`usage: lineagelens server audit verify <audit.jsonl>\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`lineagelens server audit verify: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const result = verifyAuditLines(text.split('\n'));
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.ok) process.stdout.write(`audit log intact: ${result.entries} entries${result.firstSeq ? ` (${result.firstSeq}..${result.lastSeq})` : ''}, head ${result.head ?? '-'}\n`);
  else {
    process.stdout.write(`audit log BROKEN (${result.problems.length} problem(s)):\n`);
    for (const p of result.problems.slice(0, 20)) process.stdout.write(`  line ${p.line}: ${p.message}\n`);
  }
  return result.ok ? 0 : 1;
}

export async function runGovernanceCommand(backend: ServerBackend, area: string, action: string | undefined, arg: string | undefined, values: { by?: string; out?: string }): Promise<number> {
  const governance = new Governance(governanceStoreFor(backend));
  if (area === 'policy' && action === 'show') {
    process.stdout.write(`${JSON.stringify(await governance.policy(), null, 2)}\n`);
    return 0;
  }
  if (area === 'policy' && action === 'history') {
    for (const v of await governance.versions()) process.stdout.write(`${v.version}\t${v.createdAt}\t${v.createdBy}\n`);
    return 0;
  }
  if (area === 'policy' && action === 'set') {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(arg!, 'utf8'));
    } catch (err) {
      process.stderr.write(`lineagelens server policy set: ${arg} is not a readable JSON file: ${(err as Error).message}\n`);
      return 1;
    }
    const parsed = PolicyBody.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      process.stderr.write(`lineagelens server policy set: invalid policy: ${first.path.join('.') || '(root)'}: ${first.message}\n`);
      return 1;
    }
    const v = await governance.publish(parsed.data, cliUser(values.by));
    process.stdout.write(`published policy version ${v.version} (by ${v.createdBy} at ${v.createdAt})\n`);
    return 0;
  }
  if (area === 'purge' && !action) {
    const ctx = createContext(backend, { version: VERSION });
    const { purge, reviewFindings } = await runGovernanceJob(ctx, cliUser(values.by));
    if (purge) process.stdout.write(`purge ${purge.id}: removed ${purge.count} record(s) from ${purge.oldest} to ${purge.newest} (older than ${purge.cutoff}); digest ${purge.digest}\n`);
    else process.stdout.write(`nothing to purge (policy retention: ${(await governance.policy()).body.retentionDays ?? 'keep forever'} days)\n`);
    if (reviewFindings) process.stdout.write(`${reviewFindings} new merged-without-review finding(s)\n`);
    return 0;
  }
  if (area === 'audit' && action === 'export') {
    const parts: string[] = [];
    for (let after = 0; ; ) {
      const entries = await governance.store.audit(after, 1000);
      if (entries.length === 0) break;
      for (const e of entries) parts.push(`${JSON.stringify(e)}\n`);
      after = entries[entries.length - 1]!.seq;
    }
    if (values.out) {
      writeFileSync(values.out, parts.join(''));
      process.stdout.write(`wrote ${parts.length} audit entries to ${values.out}\n`);
    } else process.stdout.write(parts.join(''));
    return 0;
  }
  process.stderr.write(`usage:\n${GOVERNANCE_USAGE}\n`);
  return 2;
}
