/**
 * The OpenAPI 3.1 document of /api/v1, generated from the same zod schemas that validate requests
 * (z.toJSONSchema over a registry, so shared shapes become components and `$ref`s). OpenAPI 3.1 uses
 * JSON Schema 2020-12, which is what zod emits.
 */
import { z } from 'zod';
import { AiEditSession, EditEvent, ProvenanceRecord } from '../../core/model/schema';
import * as S from './apiSchemas';
import { GOVERNANCE_COMPONENTS, governancePaths } from '../governance/governanceSchemas';
import { LineageQuery } from '../lineage/lineageQuery';

type Json = Record<string, unknown>;

const COMPONENTS: [string, z.ZodType][] = [
  ['ProvenanceRecord', ProvenanceRecord],
  ['EditEvent', EditEvent],
  ['AiEditSession', AiEditSession],
  ['UploadBatch', S.UploadBatch],
  ['SessionUploadBatch', S.SessionUploadBatch],
  ['IngestResult', S.IngestResult],
  ['ChainHead', S.ChainHead],
  ['Error', S.ErrorBody],
  ['RecordPage', S.RecordPage],
  ['SearchPage', S.SearchPage],
  ['Stats', S.Stats],
  ['Timeline', S.Timeline],
  ['Health', S.Health],
  ['UserCreate', S.UserCreate],
  ['User', S.UserOut],
  ['TokenCreate', S.TokenCreate],
  ['Token', S.TokenOut],
  ['UserList', S.UserList],
  ['RoleSet', S.RoleSet],
  ['TeamCreate', S.TeamCreate],
  ['TeamMemberAdd', S.TeamMemberAdd],
  ['Team', S.TeamOut],
  ['TeamList', S.TeamList],
  ['Me', S.Me],
  ['LedgerUploadBatch', S.LedgerUploadBatch],
  ['LedgerIngestResult', S.LedgerIngestResult],
  ['BlameLine', S.BlameLineOut],
  ['BlameResult', S.BlameResult],
  ['ExportKey', S.ExportKey],
  ...GOVERNANCE_COMPONENTS,
];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });

function componentSchemas(): Json {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of COMPONENTS) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, Json>;
  for (const s of Object.values(out)) {
    delete s.$schema;
    delete s.$id;
  }
  return out;
}

/** Query parameters from a zod object schema: one per key, with its JSON Schema and description. */
function queryParameters(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const s = z.toJSONSchema(f, { io: 'input', unrepresentable: 'any' }) as Json;
    delete s.$schema;
    const description = f.description;
    return { name, in: 'query', required: !f.safeParse(undefined).success, schema: s, ...(description ? { description } : {}) };
  });
}

const errors = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          { 400: 'invalid request', 401: 'missing, invalid or revoked token', 403: 'not allowed for this token', 404: 'not found', 409: 'the batch breaks the chain of its source', 413: 'body too large', 415: 'not JSON', 429: 'rate limited', 501: 'not implemented yet' }[c] ?? 'error',
        ...json('Error'),
      },
    ]),
  );

const STD = [400, 401, 429];

export function openApiDocument(version: string): Json {
  const get = (summary: string, responseSchema: string, params: Json[] = [], extra: number[] = []) => ({
    summary,
    parameters: params,
    responses: { 200: { description: 'OK', ...json(responseSchema) }, ...errors(...STD, ...extra) },
  });
  const ingest = (summary: string, body: string) => ({
    summary,
    requestBody: { required: true, ...json(body) },
    responses: { 200: { description: 'stored; counts of accepted and duplicate entries', ...json('IngestResult') }, ...errors(...STD, 409, 413, 415) },
  });
  const anyJson = { content: { 'application/json': { schema: { type: 'object' } } } };
  const webhook = (summary: string) => ({
    summary,
    security: [],
    requestBody: { required: true, ...anyJson },
    responses: { 200: { description: 'stored (once per delivery id) or acknowledged', ...anyJson }, ...errors(400, 401, 404, 413, 415) },
  });
  const recordParams = queryParameters(S.RecordQuery as unknown as z.ZodObject);
  return {
    openapi: '3.1.0',
    info: {
      title: 'LineageLens team server API',
      version,
      description: 'Provenance records of AI-written code (schema lineagelens.provenance/1). Every endpoint except /healthz and this document needs `Authorization: Bearer <token>`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { ...get('liveness and version', 'Health'), security: [] } },
      '/api/v1/openapi.json': { get: { summary: 'this document', security: [], responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/api/v1/records': {
        post: ingest('upload a batch of chained records (edits and sessions); idempotent by entry and record id', 'UploadBatch'),
        get: get('query records, newest first', 'RecordPage', recordParams),
      },
      '/api/v1/records/{id}': {
        get: { ...get('one record', 'ProvenanceRecord', [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], [404]) },
      },
      '/api/v1/sessions': {
        post: ingest('upload a batch of chained session records', 'SessionUploadBatch'),
        get: get('query sessions, newest first', 'RecordPage', recordParams),
      },
      '/api/v1/uploads/head': { get: get("where the server's chain for one of your sources ends", 'ChainHead', queryParameters(S.HeadQuery)) },
      '/api/v1/search': { get: get('search over prompts, paths and code; `search` says which methods ran (lexical, semantic, hybrid) and why not the others', 'SearchPage', queryParameters(S.SearchQuery)) },
      '/api/v1/stats': { get: get('totals, per tool and per model', 'Stats', queryParameters(S.StatsQuery)) },
      '/api/v1/stats/timeline': { get: get('AI lines per day (all and kept) for a repository or file', 'Timeline', queryParameters(S.TimelineQuery)) },
      '/api/v1/me': { get: get('your organisation, role, teams and whose records you read (team visibility)', 'Me') },
      '/api/v1/users': {
        post: { summary: 'add a user to your organisation (admin)', requestBody: { required: true, ...json('UserCreate') }, responses: { 201: { description: 'created', ...json('User') }, ...errors(...STD, 403, 409) } },
        get: get('users of your organisation (admin)', 'UserList', [], [403]),
      },
      '/api/v1/users/{name}/role': {
        post: {
          summary: "change a user's role (admin)",
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json('RoleSet') },
          responses: { 200: { description: 'changed', ...json('User') }, ...errors(...STD, 403, 404) },
        },
      },
      '/api/v1/teams': {
        get: get('teams of your organisation with members and leads (admin)', 'TeamList', [], [403]),
        post: { summary: 'create a team (admin)', requestBody: { required: true, ...json('TeamCreate') }, responses: { 201: { description: 'created', ...json('Team') }, ...errors(...STD, 403, 409) } },
      },
      '/api/v1/teams/{team}/members': {
        post: {
          summary: 'add a member to a team, or make them its lead (admin; a lead needs the lead role)',
          parameters: [{ name: 'team', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, ...json('TeamMemberAdd') },
          responses: { 200: { description: 'added', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(...STD, 403, 404) },
        },
      },
      '/api/v1/teams/{team}/members/{user}': {
        delete: {
          summary: 'remove a member from a team (admin)',
          parameters: [
            { name: 'team', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'user', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'removed', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(...STD, 403, 404) },
        },
      },
      '/api/v1/tokens': { post: { summary: 'create a token for a user (admin); shown once', requestBody: { required: true, ...json('TokenCreate') }, responses: { 201: { description: 'created', ...json('Token') }, ...errors(...STD, 403, 404) } } },
      '/api/v1/tokens/{id}': {
        delete: { summary: 'revoke a token (admin)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'revoked', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(...STD, 403, 404) } },
      },
      '/api/v1/bindings': {
        post: {
          summary: 'upload git ledger records (commit bindings, review marks, rewrites); idempotent by record id',
          requestBody: { required: true, ...json('LedgerUploadBatch') },
          responses: { 200: { description: 'stored; counts of new, duplicate and conflicting ids', ...json('LedgerIngestResult') }, ...errors(...STD, 413, 415) },
        },
      },
      '/api/v1/webhooks/github': { post: webhook('GitHub pull_request, pull_request_review and push events (X-Hub-Signature-256 with the configured secret; no bearer token)') },
      '/api/v1/webhooks/gitlab': { post: webhook('GitLab Merge Request Hook and Push Hook events (X-Gitlab-Token equal to the configured token; no bearer token)') },
      '/api/v1/reviews': {
        get: {
          summary: 'review status of a commit from PR webhooks: reviewed by whom in which PR, merged without review, in review',
          parameters: queryParameters(S.ReviewQuery),
          responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(...STD) },
        },
      },
      '/api/v1/blame': { get: get('AI lines of a file as committed in a commit (from uploaded bindings; rewrites followed)', 'BlameResult', queryParameters(S.BlameQuery)) },
      '/api/v1/lineage': {
        get: {
          summary:
            'lineage graph: ancestry of a line at a revision (repo, path, line, rev) or of a node; descendants of a session or prompt; impact of a tool or model over a time window. Nodes the caller may not read are shown redacted.',
          parameters: queryParameters(LineageQuery as unknown as z.ZodObject),
          responses: {
            200: { description: 'ancestry { chain, landed, graph }, descendants { graph }, impact { counts }, or W3C PROV-JSON (format=prov)', content: { 'application/json': { schema: { type: 'object' } } } },
            ...errors(...STD, 404),
          },
        },
      },
      '/api/v1/export': {
        get: {
          summary: 'records in one of the CLI export formats, streamed (header x-lineagelens-as-of names the snapshot)',
          parameters: queryParameters(S.ExportQuery as unknown as z.ZodObject),
          responses: {
            200: {
              description: 'the export: JSONL, CSV, Agent Trace JSONL, Markdown, or (intoto) a DSSE envelope',
              content: Object.fromEntries(['application/x-ndjson', 'text/csv', 'text/markdown', 'application/json'].map((t) => [t, { schema: { type: 'string' } }])),
            },
            ...errors(...STD, 403),
          },
        },
      },
      '/api/v1/export/signature': {
        get: {
          summary: "a DSSE envelope (in-toto Statement v1, the server's Ed25519 key) naming the export of the same query by SHA-256; pass asOf to sign an export already fetched",
          parameters: queryParameters(S.ExportQuery as unknown as z.ZodObject),
          responses: { 200: { description: 'DSSE envelope', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(...STD, 403) },
        },
      },
      '/api/v1/export/key': { get: get("the server's export signing key (for lineagelens verify --key)", 'ExportKey') },
      ...governancePaths({ get, json, errors, queryParameters }),
      '/metrics': { get: { summary: 'Prometheus metrics (admins and auditors)', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(401, 403, 429) } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `lineagelens server token create` (llt_...)' } },
      schemas: componentSchemas(),
    },
  };
}
