/**
 * The team server's HTTP application. This first cut answers health and serves the record schema;
 * ingest, query, dashboard and sync arrive with the Lite server issue on the same skeleton.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { provenanceJsonSchemas } from '../core/model/jsonSchema';
import { SCHEMA_ID } from '../core/model/schema';

export interface ServerOptions {
  host: string;
  port: number;
  version: string;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function handle(req: IncomingMessage, res: ServerResponse, version: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}` });
    return;
  }
  switch (url.pathname) {
    case '/healthz':
      sendJson(res, 200, { status: 'ok', version, schema: SCHEMA_ID });
      return;
    case '/api/v1/schema':
      sendJson(res, 200, provenanceJsonSchemas());
      return;
    default:
      sendJson(res, 404, { error: `no such endpoint: ${url.pathname}` });
  }
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = createServer((req, res) => {
    try {
      handle(req, res, options.version);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${(err as Error).message}` });
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
