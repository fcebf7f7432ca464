/** The governance API's request and response shapes (zod), also the source of their OpenAPI entries. */
import { z } from 'zod';
import { AuditEntry } from '../../core/governance/auditLog';
import { PolicyBody } from '../../core/governance/policy';
import { PrivacyLevel } from '../../core/privacy/privacyLevel';

export { PolicyBody };

const Iso = z.iso.datetime({ offset: true });

export const FINDING_KINDS = ['tool-not-allowed', 'model-not-allowed', 'secret-in-prompt', 'review-required', 'merged-without-review'] as const;

export const PolicyVersionOut = z.object({
  org: z.string(),
  version: z.number().int().nonnegative().describe('0: the built-in default, before any policy was published'),
  createdAt: z.string(),
  createdBy: z.string(),
  body: PolicyBody,
});
export const PolicyHistoryOut = z.object({ versions: z.array(PolicyVersionOut) });

export const FindingQuery = z
  .object({
    kind: z.enum(FINDING_KINDS).optional(),
    repo: z.string().min(1).max(200).optional().describe('repository id'),
    record: z.string().min(1).max(200).optional().describe('record id'),
    since: Iso.optional().describe('findings made at or after this time'),
    open: z.enum(['true', 'false']).optional().describe('true: not settled yet; false: settled (a review-required finding once its PR is known)'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d{1,15}$/).optional().describe('nextCursor of the previous page'),
  })
  .strict();

export const FindingOut = z.object({
  id: z.number().int(),
  kind: z.enum(FINDING_KINDS),
  recordId: z.string(),
  repo: z.string().nullable(),
  path: z.string().nullable(),
  tool: z.string(),
  model: z.string(),
  userId: z.number().int().nullable().describe('the uploader'),
  detail: z.string().describe('what was found; never the content itself (secret kinds, not secrets)'),
  policyVersion: z.number().int(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  resolution: z.string().nullable(),
});
export const FindingPage = z.object({ findings: z.array(FindingOut), nextCursor: z.string().nullable() });

export const AuditQuery = z
  .object({
    after: z.coerce.number().int().nonnegative().default(0).describe('entries after this seq'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (json); jsonl streams every entry after `after`'),
    format: z.enum(['json', 'jsonl']).default('json'),
  })
  .strict();
export { AuditEntry };
export const AuditPage = z.object({ entries: z.array(AuditEntry), nextAfter: z.number().int().nullable() });

export const PurgeOut = z.object({
  id: z.number().int(),
  at: z.string(),
  by: z.string(),
  policyVersion: z.number().int(),
  cutoff: z.string(),
  count: z.number().int(),
  oldest: z.string().nullable(),
  newest: z.string().nullable(),
  digest: z.string().describe('SHA-256 over "<record id> <sha256 of its stored JSON>\\n" of the removed records, in (time, id) order'),
});
export const PurgeList = z.object({ purges: z.array(PurgeOut) });
export const PurgeDetail = z.object({ purge: PurgeOut, records: z.array(z.object({ recordId: z.string(), time: z.string(), sha256: z.string() })) });
export const GovernanceRunOut = z.object({ purge: PurgeOut.nullable(), reviewFindings: z.number().int() });

export const EnforcementOut = z.object({
  recordId: z.string(),
  userId: z.number().int(),
  source: z.string(),
  seq: z.number().int(),
  entryHash: z.string(),
  receivedSha256: z.string(),
  level: PrivacyLevel,
  policyVersion: z.number().int(),
});

export const GOVERNANCE_COMPONENTS: [string, z.ZodType][] = [
  ['PolicyBody', PolicyBody],
  ['PolicyVersion', PolicyVersionOut],
  ['PolicyHistory', PolicyHistoryOut],
  ['Finding', FindingOut],
  ['FindingPage', FindingPage],
  ['AuditEntry', AuditEntry],
  ['AuditPage', AuditPage],
  ['Purge', PurgeOut],
  ['PurgeList', PurgeList],
  ['PurgeDetail', PurgeDetail],
  ['GovernanceRun', GovernanceRunOut],
  ['Enforcement', EnforcementOut],
];

type Json = Record<string, unknown>;
interface Helpers {
  get(summary: string, schema: string, params?: Json[], extra?: number[]): Json;
  json(name: string): Json;
  errors(...codes: number[]): Json;
  queryParameters(schema: z.ZodObject): Json[];
}

export function governancePaths(h: Helpers): Json {
  const STD = [400, 401, 429];
  return {
    '/api/v1/policy': {
      get: h.get('the governance policy in force (capture levels, retention, required review, allowed tools/models, secret alerts)', 'PolicyVersion'),
      put: {
        summary: 'publish a new policy version (admin); every change is a new version with its author and time',
        requestBody: { required: true, ...h.json('PolicyBody') },
        responses: { 201: { description: 'the new version', ...h.json('PolicyVersion') }, ...h.errors(...STD, 403, 413, 415) },
      },
    },
    '/api/v1/policy/history': { get: h.get('every policy version, oldest first', 'PolicyHistory') },
    '/api/v1/findings': { get: h.get('policy findings (admin, auditor), newest first; flagged on ingest, never blocking it', 'FindingPage', h.queryParameters(FindingQuery), [403]) },
    '/api/v1/audit': {
      get: {
        summary: 'the hash-chained audit log of reads and exports (admin, auditor); format=jsonl exports it for `lineagelens server audit verify`',
        parameters: h.queryParameters(AuditQuery),
        responses: { 200: { description: 'entries, oldest first', ...h.json('AuditPage'), 'x-jsonl': 'application/x-ndjson with format=jsonl' }, ...h.errors(...STD, 403) },
      },
    },
    '/api/v1/purges': { get: h.get('retention purges, newest first (admin, auditor)', 'PurgeList', [], [403]) },
    '/api/v1/purges/{id}': { get: h.get('one purge with the id, time and SHA-256 of every record it removed', 'PurgeDetail', [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], [403, 404]) },
    '/api/v1/purge': {
      post: { summary: 'run the governance job now: retention purge and review check (admin)', responses: { 200: { description: 'what it did', ...h.json('GovernanceRun') }, ...h.errors(401, 403, 429) } },
    },
    '/api/v1/enforcements/{recordId}': {
      get: h.get('what enforcement changed of a record: its upload entry hash and the SHA-256 of the bytes received', 'Enforcement', [{ name: 'recordId', in: 'path', required: true, schema: { type: 'string' } }], [403, 404]),
    },
  };
}
