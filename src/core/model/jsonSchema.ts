/** JSON Schema (draft 2020-12) documents generated from the zod schemas, for other tools and the API. */
import { z } from 'zod';
import { AiEditSession, EditEvent, ProvenanceRecord, SCHEMA_ID } from './schema';

export function provenanceJsonSchemas(): Record<string, unknown> {
  const io = { io: 'input' as const, unrepresentable: 'any' as const };
  return {
    $id: `https://lineagelens.dev/schema/${SCHEMA_ID}`,
    record: z.toJSONSchema(ProvenanceRecord, io),
    edit: z.toJSONSchema(EditEvent, io),
    session: z.toJSONSchema(AiEditSession, io),
  };
}
