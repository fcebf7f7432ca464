/**
 * Reading a request body with a size cap. Past the cap the rest is read and dropped (up to a bound), so
 * the client still gets its 413 instead of a reset connection; a body announced far above the cap is
 * refused before reading.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond';

const DRAIN_LIMIT = 64 * 1024 * 1024;

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    const err = new HttpError(413, `request body of ${declared} bytes is over this server's limit of ${maxBytes} bytes`);
    if (declared > maxBytes + DRAIN_LIMIT) return Promise.reject(Object.assign(err, { closeConnection: true }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (!done) {
        done = true;
        fn();
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > maxBytes + DRAIN_LIMIT) {
        finish(() => reject(Object.assign(new HttpError(413, `request body is over this server's limit of ${maxBytes} bytes`), { closeConnection: true })));
        req.pause();
      }
    });
    req.on('end', () =>
      finish(() => (size > maxBytes ? reject(new HttpError(413, `request body of ${size} bytes is over this server's limit of ${maxBytes} bytes`)) : resolve(Buffer.concat(chunks, size)))),
    );
    req.on('error', (err) => finish(() => reject(new HttpError(400, `request body could not be read: ${err.message}`))));
    req.on('aborted', () => finish(() => reject(new HttpError(400, 'request aborted'))));
  });
}

/** The body as JSON: 415 for another content type, 400 for bytes that are not UTF-8 JSON. */
export function parseJsonBody(req: IncomingMessage, body: Uint8Array): unknown {
  return parseJsonBytes(req.headers['content-type'], body);
}

/** parseJsonBody from the content-type header and the bytes (for a thread that has no request object). */
export function parseJsonBytes(contentType: string | undefined, body: Uint8Array): unknown {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `send the body as application/json (got "${type.slice(0, 100) || 'nothing'}")`);
  if (body.length === 0) throw new HttpError(400, 'request body is empty; expected JSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}
