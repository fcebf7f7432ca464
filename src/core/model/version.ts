/**
 * Reading records from the outside world (files, hook processes, the network) safely across versions.
 * A record whose schema id names a version newer than this build knows is rejected with a message
 * that says so: silently mis-reading a future record would corrupt an audit trail.
 */
import { z } from 'zod';
import { ProvenanceRecord, SCHEMA_VERSION } from './schema';

const SCHEMA_ID_PATTERN = /^lineagelens\.provenance\/(\d+)$/;

export class RecordParseError extends Error {
  constructor(
    message: string,
    /** 'json' = not JSON, 'schema' = not ours or wrong shape, 'version' = a version we cannot read. */
    readonly reason: 'json' | 'schema' | 'version',
  ) {
    super(message);
    this.name = 'RecordParseError';
  }
}

/** Parse and validate one record given as a JS value (already JSON-decoded). */
export function parseRecord(value: unknown): ProvenanceRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordParseError('a provenance record must be a JSON object', 'schema');
  }
  const schemaId = (value as { schema?: unknown }).schema;
  if (typeof schemaId !== 'string') {
    throw new RecordParseError('missing "schema": not a LineageLens provenance record', 'schema');
  }
  const m = SCHEMA_ID_PATTERN.exec(schemaId);
  if (!m) {
    throw new RecordParseError(`unknown schema "${schemaId.slice(0, 100)}": not a LineageLens provenance record`, 'schema');
  }
  const version = Number(m[1]);
  if (version > SCHEMA_VERSION) {
    throw new RecordParseError(
      `record has schema version ${version}, but this LineageLens reads up to version ${SCHEMA_VERSION}: upgrade LineageLens to read it`,
      'version',
    );
  }
  if (version < 1) {
    throw new RecordParseError(`record has schema version ${version}, which never existed`, 'version');
  }
  const result = ProvenanceRecord.safeParse(value);
  if (!result.success) {
    throw new RecordParseError(`invalid provenance record: ${formatIssues(result.error)}`, 'schema');
  }
  return result.data;
}

/** Parse one JSON text (e.g. a JSONL line) into a validated record. */
export function parseRecordJson(text: string): ProvenanceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RecordParseError(`not valid JSON: ${(err as Error).message}`, 'json');
  }
  return parseRecord(value);
}

/** A short, human-readable list of what is wrong, naming the field paths. */
export function formatIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`);
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`);
  return parts.join('; ');
}
