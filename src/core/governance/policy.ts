/**
 * Governance policies an admin sets for an organisation, versioned (every change is a new version; the
 * old ones stay so a finding can say which version it was judged under). A policy holds:
 *
 *   capture      the most a record may reveal, per org / team / repository (full, redacted, hash, off);
 *                the most specific rule wins, and a rule can only tighten what its parent allows.
 *   retentionDays how long records are kept (the purge job keeps their chain hashes).
 *   requireReview AI code in paths matching these globs must be reviewed.
 *   allowed      tools and models allowed per repository (violations are flagged, never blocked).
 *   secretAlerts  flag prompts that carried a secret (found now, or already redacted by the client).
 *
 * Pure: evaluation takes a record and answers findings; the server stores policies and findings.
 */
import { z } from 'zod';
import type { ProvenanceRecord } from '../model/schema';
import { PrivacyLevel, stricterLevel } from '../privacy/privacyLevel';
import { redactSecrets } from '../privacy/redact';

const Glob = z.string().min(1).max(500);
const Names = z.array(z.string().min(1).max(200)).max(500);

export const CaptureRule = z
  .object({
    team: z.string().min(1).max(200).optional(),
    repo: z.string().min(1).max(200).optional(),
    level: PrivacyLevel,
  })
  .strict();
export type CaptureRule = z.infer<typeof CaptureRule>;

export const AllowRule = z
  .object({
    /** Repository id, or omitted for every repository of the org. */
    repo: z.string().min(1).max(200).optional(),
    tools: Names.optional(),
    /** Model names; a trailing `*` matches a prefix (e.g. `claude-sonnet-*`). */
    models: Names.optional(),
  })
  .strict();
export type AllowRule = z.infer<typeof AllowRule>;

export const PolicyBody = z
  .object({
    capture: z.object({ default: PrivacyLevel, rules: z.array(CaptureRule).max(10_000).default([]) }).strict(),
    retentionDays: z.number().int().positive().max(36_500).nullable().default(null),
    requireReview: z.array(Glob).max(1_000).default([]),
    allowed: z.array(AllowRule).max(10_000).default([]),
    secretAlerts: z.boolean().default(true),
  })
  .strict();
export type PolicyBody = z.infer<typeof PolicyBody>;

export interface PolicyVersion {
  org: string;
  version: number;
  createdAt: string;
  createdBy: string;
  body: PolicyBody;
}

export const DEFAULT_POLICY: PolicyBody = { capture: { default: 'full', rules: [] }, retentionDays: null, requireReview: [], allowed: [], secretAlerts: true };

/** Where a record comes from, for rule matching. */
export interface RecordScope {
  /** The uploader's teams: a rule of any of them applies (rules only tighten, so the strictest wins). */
  teams: readonly string[];
  repo: string | null;
}

/**
 * The capture level for a record: the org default tightened by every rule that matches (team rules,
 * repository rules, team+repository rules). Tightening only: a looser rule below never loosens.
 */
export function captureLevel(policy: PolicyBody, scope: RecordScope): PrivacyLevel {
  let level = policy.capture.default;
  for (const r of policy.capture.rules) {
    if (r.team !== undefined && !scope.teams.includes(r.team)) continue;
    if (r.repo !== undefined && r.repo !== scope.repo) continue;
    level = stricterLevel(level, r.level);
  }
  return level;
}

export type FindingKind = 'tool-not-allowed' | 'model-not-allowed' | 'secret-in-prompt' | 'review-required';

export interface PolicyFinding {
  kind: FindingKind;
  recordId: string;
  detail: string;
}

function nameMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Minimal glob: `**` any path, `*` any run within one segment, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const globCache = new Map<string, RegExp>();
export function pathMatches(glob: string, p: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    re = globToRegExp(glob);
    if (globCache.size > 5_000) globCache.clear();
    globCache.set(glob, re);
  }
  return re.test(p);
}

const REDACTION_MARKER = /\[REDACTED:([a-z0-9-]+)\]/g;

/** Kinds of secret a prompt carried: found in its text now, or marked as redacted by the client. */
function secretKindsInPrompt(content: { form: string; text?: string }): string[] {
  if (content.form !== 'text' && content.form !== 'redacted') return [];
  const text = content.text ?? '';
  const kinds = new Set<string>();
  for (const m of text.matchAll(REDACTION_MARKER)) kinds.add(m[1]!);
  if (content.form === 'text') for (const k of redactSecrets(text).kinds) kinds.add(k);
  return [...kinds].sort();
}

/** What a policy says about one record (edits and sessions). Nothing is blocked: findings are flags. */
export function evaluateRecord(policy: PolicyBody, record: ProvenanceRecord): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const repo = (record.kind === 'edit' ? record.file.repo : record.repo)?.id ?? null;
  const tool = record.tool.name;
  const model = record.model === 'unknown' ? null : record.model.id;
  for (const rule of policy.allowed) {
    if (rule.repo !== undefined && rule.repo !== repo) continue;
    if (rule.tools && !rule.tools.some((t) => nameMatches(t, tool))) {
      findings.push({ kind: 'tool-not-allowed', recordId: record.id, detail: `tool "${tool}" is not allowed${rule.repo ? ' in this repository' : ''}` });
    }
    if (rule.models && model && !rule.models.some((m) => nameMatches(m, model))) {
      findings.push({ kind: 'model-not-allowed', recordId: record.id, detail: `model "${model}" is not allowed${rule.repo ? ' in this repository' : ''}` });
    }
  }
  if (policy.secretAlerts) {
    const prompts = record.kind === 'edit' ? (record.prompt ? [record.prompt] : []) : record.prompts;
    const kinds = [...new Set(prompts.flatMap((p) => secretKindsInPrompt(p.content)))];
    if (kinds.length > 0) findings.push({ kind: 'secret-in-prompt', recordId: record.id, detail: `the prompt carried ${kinds.join(', ')}` });
  }
  if (record.kind === 'edit' && policy.requireReview.length > 0) {
    const glob = policy.requireReview.find((g) => pathMatches(g, record.file.path));
    if (glob) findings.push({ kind: 'review-required', recordId: record.id, detail: `AI code in ${glob} needs a review` });
  }
  return findings;
}
