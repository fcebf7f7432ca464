/** Responses: JSON everywhere (errors included), with a clear message; HTML for the dashboard. */
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** How many results each answer held (the audit log records the count, never the content). */
export const resultCounts = new WeakMap<ServerResponse, number>();

/** The length of the answer's list (records, points, lines, ...), or 1 for a single object. */
function countResults(body: unknown): number | null {
  if (Array.isArray(body)) return body.length;
  if (!body || typeof body !== 'object') return null;
  for (const v of Object.values(body)) if (Array.isArray(v)) return v.length;
  return 1;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const count = status < 300 ? countResults(body) : null;
  if (count !== null) resultCounts.set(res, count);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** zod issues as `{path, message}`, at most 20 of them: enough to fix a request, bounded for hostile ones. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message.slice(0, 300) }));
}

export function validationError(what: string, error: z.ZodError): HttpError {
  const issues = issuesOf(error);
  const first = issues[0];
  return new HttpError(400, `invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'does not match the schema'}`, { issues });
}
