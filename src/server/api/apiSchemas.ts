/**
 * The API's request and response shapes, as zod schemas: requests are validated with them, and the
 * OpenAPI document (openapi.ts) is generated from them and from the record schemas, so the document
 * cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { EXPORT_FORMATS } from '../../core/export/exportFormats';
import { ExportFilter } from '../../core/export/exportFilter';
import { Acceptor, AiEditSession, Disposition, ProvenanceRecord, Sha256Hex } from '../../core/model/schema';
import { LedgerUploadBatch } from '../../core/sync/ledgerUpload';
import { MAX_UPLOAD_BATCH, UploadBatch, UploadEntry, UploadSource } from '../../core/sync/uploadChain';

export { LedgerUploadBatch, UploadBatch, UploadEntry };

export const SessionUploadBatch = z.object({
  source: UploadSource,
  entries: z.array(UploadEntry.extend({ record: AiEditSession })).min(1).max(MAX_UPLOAD_BATCH),
});

const Iso = z.iso.datetime({ offset: true });
const Limit = z.coerce.number().int().min(1).max(500).default(50);
const Cursor = z.string().min(1).max(500);

export const RecordQuery = z
  .object({
    repo: z.string().min(1).max(200).optional().describe('repository id (record file.repo.id / session repo.id)'),
    path: z.string().min(1).max(4096).optional().describe('file path relative to the repository root'),
    line: z.coerce.number().int().nonnegative().optional().describe('0-based line the edit covers (needs path)'),
    session: z.string().min(1).max(200).optional().describe('session id'),
    since: Iso.optional().describe('records at or after this time'),
    until: Iso.optional().describe('records before this time'),
    tool: z.string().min(1).max(100).optional().describe('tool name, e.g. copilot'),
    model: z.string().min(1).max(200).optional().describe('model id, e.g. gpt-4o, or unknown'),
    author: z.string().min(1).max(320).optional().describe("acceptor's git email, else git name, else OS user"),
    kind: z.enum(['edit', 'session']).optional(),
    limit: Limit.describe('page size, 1-500'),
    cursor: Cursor.optional().describe('nextCursor of the previous page'),
  })
  .strict()
  .refine((q) => q.line === undefined || q.path !== undefined, { message: 'line needs path', path: ['line'] });
export type RecordQuery = z.infer<typeof RecordQuery>;

export const SearchQuery = z
  .object({
    q: z.string().min(1).max(500).describe('words to find in prompts, file paths and inserted code (SQLite: all must occur, word* a prefix; PostgreSQL: ranked, typos corrected)'),
    mode: z.enum(['lexical', 'semantic', 'hybrid']).optional().describe('PostgreSQL: lexical, semantic or hybrid (default: hybrid when semantic search is available); SQLite: lexical only'),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .strict();

export const StatsQuery = z.object({ repo: z.string().min(1).max(200).optional() }).strict();

export const TimelineQuery = z
  .object({
    repo: z.string().min(1).max(200).optional(),
    path: z.string().min(1).max(4096).optional(),
    since: Iso.optional(),
  })
  .strict();

export const HeadQuery = z.object({ source: UploadSource }).strict();

/** 'member' is the role's name before team visibility: still accepted, stored as developer. */
export const RoleIn = z.enum(['admin', 'auditor', 'lead', 'developer', 'member']).describe("admin: manages the organisation, reads all; auditor: reads and exports all, manages nothing; lead: reads the records of the teams they lead; developer: reads their own records and their teams' aggregates ('member': the old name of developer)");
export const UserCreate = z.object({ name: z.string().min(1).max(100), role: RoleIn.default('developer') }).strict();
export const RoleSet = z.object({ role: RoleIn }).strict();
export const TeamCreate = z.object({ name: z.string().min(1).max(100) }).strict();
export const TeamMemberAdd = z.object({ user: z.string().min(1).max(100), lead: z.boolean().default(false).describe('whether the user leads the team (needs the lead role)') }).strict();
export const TeamOut = z.object({ org: z.string(), name: z.string(), members: z.array(z.object({ user: z.string(), lead: z.boolean() })) });
export const TeamList = z.object({ teams: z.array(TeamOut) });
export const Me = z.object({
  user: z.string(),
  org: z.string(),
  role: z.enum(['admin', 'auditor', 'lead', 'developer']),
  teams: z.array(z.string()),
  leads: z.array(z.string()),
  reads: z.enum(['organisation', 'users']).describe('whose record content you read: the whole organisation, or the users listed'),
  readUsers: z.array(z.string()).optional(),
  aggregateUsers: z.array(z.string()).optional().describe('whose records your counts and charts include (absent: the whole organisation)'),
  canExport: z.boolean(),
  canManage: z.boolean(),
});
export const TokenCreate = z.object({ user: z.string().min(1).max(100), label: z.string().max(200).default('') }).strict();

export const ChainHead = z.object({ seq: z.number().int().nonnegative(), hash: Sha256Hex });
export const IngestResult = z.object({
  accepted: z.number().int().describe('entries whose record was stored or updated'),
  duplicate: z.number().int().describe('entries the server already held (resends), or records with identical content'),
  head: ChainHead,
});
export const ErrorBody = z.object({
  error: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  head: ChainHead.optional().describe('on a chain error: where the server chain for this source ends'),
});
export const RecordPage = z.object({ records: z.array(ProvenanceRecord), nextCursor: z.string().nullable() });
const Method = z.union([z.object({ ran: z.literal(true), what: z.string() }), z.object({ ran: z.literal(false), reason: z.string() })]);
const Mode = z.enum(['lexical', 'semantic', 'hybrid']);
export const SearchPage = RecordPage.extend({
  search: z.object({
    requested: Mode.nullable(),
    mode: Mode.describe('what ran'),
    methods: z.object({ lexical: Method, semantic: Method }).describe('each method: ran (and what it is), or the reason it did not run'),
    embeddingsPending: z.number().int().optional(),
    hits: z
      .array(z.object({ id: z.string(), score: z.number(), lexicalRank: z.number().int().optional(), semanticRank: z.number().int().optional(), distance: z.number().optional() }))
      .optional()
      .describe('PostgreSQL: per record, its rank in each list, the fused RRF score and the cosine distance'),
  }),
});
export const Stats = z.object({
  records: z.number().int(),
  edits: z.number().int(),
  sessions: z.number().int(),
  repos: z.number().int(),
  aiLines: z.number().int(),
  byTool: z.array(z.object({ tool: z.string(), edits: z.number().int(), lines: z.number().int() })),
  byModel: z.array(z.object({ model: z.string(), edits: z.number().int() })),
});
export const Timeline = z.object({
  points: z.array(z.object({ day: z.string(), edits: z.number().int(), lines: z.number().int(), keptLines: z.number().int() })),
});
export const Health = z.object({ status: z.literal('ok'), version: z.string(), schema: z.string() });
export const UserOut = z.object({ id: z.number().int(), name: z.string(), role: z.enum(['admin', 'auditor', 'lead', 'developer']), org: z.string() });
export const UserList = z.object({ users: z.array(UserOut) });
export const TokenOut = z.object({ id: z.number().int(), token: z.string().describe('shown once; the server keeps only its hash') });

export const LedgerIngestResult = z.object({
  accepted: z.number().int().describe('records stored now'),
  duplicate: z.number().int().describe('record ids already stored with the same content (resends)'),
  conflicting: z.number().int().describe('record ids already stored with other content (the first one is kept)'),
});

const Commitish = z.string().regex(/^[0-9a-fA-F]{7,64}$/, 'commit must be a commit id (7 to 64 hex digits)');

export const ReviewQuery = z
  .object({
    repo: z.string().min(1).max(200).describe('repository id (as in the records and bindings)'),
    commit: z.string().regex(/^[0-9a-fA-F]{40}$/, 'expected a full 40-digit commit id').describe('full commit id'),
  })
  .strict();

export const BlameQuery = z
  .object({
    repo: z.string().min(1).max(200).describe('repository id (as in the records and bindings)'),
    path: z.string().min(1).max(4096).describe('file path relative to the repository root'),
    commit: Commitish.describe('full commit id, or an unambiguous prefix of at least 7 hex digits'),
  })
  .strict();

const Review = z.union([
  z.object({ status: z.enum(['reviewed', 'changes_requested']), by: Acceptor, at: z.string() }),
  z.object({ status: z.literal('unreviewed') }),
]);

export const BlameLineOut = z.object({
  line: z.number().int().describe('1-based line in the file as committed in `commit`'),
  commit: z.string(),
  origPath: z.string(),
  origLine: z.number().int(),
  origin: z.literal('ai'),
  tool: z.string(),
  model: z.string(),
  sessionId: z.string(),
  editId: z.string(),
  prompt: z.string().nullable().describe("the prompt's first 100 characters as uploaded (null: uploaded as a hash, or not uploaded)"),
  disposition: Disposition,
  acceptor: Acceptor.nullable(),
  review: Review,
  binding: z.object({ id: z.string(), via: z.enum(['commit', 'rewrite', 'content']), from: z.string().optional() }),
  pullRequest: z
    .object({ review: z.object({ status: z.string() }).loose().nullable(), description: z.string() })
    .nullable()
    .describe('the review of the line’s commit in a pull/merge request (from PR webhooks), e.g. "reviewed by rita in PR #42"'),
});

export const BlameResult = z.object({
  repo: z.string(),
  path: z.string(),
  commit: z.string().describe('the full commit id'),
  lines: z.array(BlameLineOut).describe('the AI lines of the file at this commit; the other lines were typed, or added by an earlier commit (ask blame at that commit)'),
  summary: z.object({ ai: z.number().int(), edits: z.number().int(), sessions: z.number().int() }),
  rewrittenTo: z.array(z.string()).describe('commits an amend/rebase/squash rewrote this one into'),
  rewrittenFrom: z.array(z.string()).describe('commits this one was rewritten from'),
});

export const ExportQuery = ExportFilter.extend({
  format: z.enum(EXPORT_FORMATS).describe('jsonl | csv | agent-trace | markdown | intoto (intoto: a DSSE envelope signed by the server over the JSONL export)'),
  asOf: z.coerce.number().int().nonnegative().optional().describe('include only records up to this row (the x-lineagelens-as-of header of an earlier export): the same export again'),
  since: z.iso.datetime({ offset: true }).optional().describe('records at or after this time'),
  until: z.iso.datetime({ offset: true }).optional().describe('records before this time'),
  lineage: z
    .enum(['0', '1'])
    .optional()
    .describe('1 (format=intoto only): put the lineage subgraph of the exported edits (their ancestry; what you may not read as redacted nodes) as W3C PROV-JSON inside the signed statement'),
}).strict();

export const ExportKey = z.object({ keyId: z.string().describe('SHA-256 of the SPKI DER'), publicKey: z.string().describe('Ed25519 public key, SPKI PEM') });
