/**
 * The Agent Trace 0.1 trace record, as the specification's JSON Schema (`schemas/trace-record.json` of
 * github.com/cursor/agent-trace, $id https://agent-trace.dev/schemas/v1/trace-record.json) constrains it,
 * written as a zod schema: what our Agent Trace export is validated against in the tests and what an
 * import of Agent Trace records would check at the boundary.
 *
 * Points where the spec's schema is stricter than its prose (and we follow the schema): `version` is
 * major.minor (`^[0-9]+\.[0-9]+$`, so "0.1", not "0.1.0"); `id` is an RFC 9562 UUID (versions 1-8) or
 * the nil/max UUID; `timestamp` is RFC 3339 in UTC ending in `Z`; `tool` needs both `name` and `version`;
 * every object except `metadata` rejects unknown properties.
 */
import { z } from 'zod';

const Contributor = z.object({ type: z.enum(['human', 'ai', 'mixed', 'unknown']), model_id: z.string().max(250).optional() }).strict();
const LineNumber = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const AgentTraceRecordSchema = z
  .object({
    version: z.string().regex(/^[0-9]+\.[0-9]+$/),
    id: z.string().regex(/^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/),
    timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/).refine((t) => !Number.isNaN(Date.parse(t)), { message: 'not a real date-time' }),
    vcs: z.object({ type: z.enum(['git', 'jj', 'hg', 'svn']), revision: z.string() }).strict().optional(),
    tool: z.object({ name: z.string(), version: z.string() }).strict().optional(),
    files: z.array(
      z
        .object({
          path: z.string(),
          conversations: z.array(
            z
              .object({
                url: z.url().optional(),
                contributor: Contributor.optional(),
                ranges: z.array(z.object({ start_line: LineNumber, end_line: LineNumber, content_hash: z.string().optional(), contributor: Contributor.optional() }).strict()),
                related: z.array(z.object({ type: z.string(), url: z.url() }).strict()).optional(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type AgentTraceRecordSchema = z.infer<typeof AgentTraceRecordSchema>;
