/**
 * The team server's HTTP application on node:http (no framework: a route table, a body reader with a
 * cap, zod at the boundary, and JSON errors are all it needs, and it keeps the dependency list short).
 *
 * Every request: match a route (404/405), authenticate (bearer token for the API, cookie for the
 * dashboard), rate-limit per token, run the handler; any error becomes a JSON answer with a clear
 * message. A 5xx only ever means a bug or a broken disk, never bad input.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { OidcSignIn } from './auth/oidc';
import type { ServerBackend } from './backend/backend';
import { openSqliteBackend, SqliteBackend } from './backend/sqliteBackend';
import type { Principal } from './db/accounts';
import { ChainError } from './db/ingest';
import { CursorError } from './db/queries';
import type { RequestInfo, ServerContext, WebhookSecrets } from './context';
import type { PgBackend } from './postgres/pgBackend';
import { PgPrFacts, SqlitePrFacts } from './reviews/prFactsStore';
import { isAudited, runAudited } from './governance/auditRequests';
import { Governance } from './governance/governance';
import { startGovernanceJobs } from './governance/governanceJobs';
import { governanceStoreFor } from './governance/openGovernance';
import { Metrics } from './http/metrics';
import { RateLimiter, type RateLimitOptions } from './http/rateLimit';
import { HttpError, sendJson } from './http/respond';
import { redirectToLogin, SESSION_COOKIE } from './dashboard/pages';
import { ROUTES } from './routes';
import { lineageFor } from './lineage/lineageFor';
import { UploadPreparer } from './threads/uploadPreparer';

export interface ServerOptions {
  host: string;
  port: number;
  version: string;
  /** The storage (closed with the server); else SQLite in `dbFile`. */
  backend?: ServerBackend;
  /** The SQLite database file when no backend is given; ':memory:' (default) for tests that need no persistence. */
  dbFile?: string;
  /** Largest request body accepted (413 above). Default 16 MiB. */
  maxBodyBytes?: number;
  rateLimit?: RateLimitOptions;
  /** PR webhook secrets (serve: LINEAGELENS_GITHUB_WEBHOOK_SECRET, LINEAGELENS_GITLAB_WEBHOOK_TOKEN). */
  webhooks?: WebhookSecrets;
  /** How often the governance job (retention purge, review check) runs; 0 = never. Default 1 hour. */
  governanceIntervalMs?: number;
  /** OIDC dashboard sign-in (serve: LINEAGELENS_OIDC_*); none by default. */
  oidc?: OidcSignIn | null;
  /** Background threads preparing large upload batches (threads/uploadPreparer.ts); default: the cores but one. */
  uploadThreads?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly context: ServerContext;
  /** Stops accepting connections, finishes in-flight requests, then closes the backend. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 200, burst: 400 };

export function createContext(backend: ServerBackend, options: Pick<ServerOptions, 'version' | 'maxBodyBytes' | 'rateLimit' | 'webhooks' | 'oidc' | 'uploadThreads'>): ServerContext {
  const prFacts = backend instanceof SqliteBackend ? new SqlitePrFacts(backend.db) : new PgPrFacts((backend as PgBackend).pool);
  return {
    backend,
    prFacts,
    webhooks: options.webhooks ?? {},
    governance: new Governance(governanceStoreFor(backend)),
    oidc: options.oidc ?? null,
    lineage: lineageFor(backend, (repo) => prFacts.factsOf(repo), (m) => process.stderr.write(`lineagelens server: ${m}\n`)),
    metrics: new Metrics(),
    limiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT),
    version: options.version,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    uploads: new UploadPreparer({ threads: options.uploadThreads, log: (m) => process.stderr.write(`lineagelens server: ${m}\n`) }),
  };
}

function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : '';
}

export function cookieValue(req: IncomingMessage, name: string): string | null {
  const h = req.headers.cookie;
  if (typeof h !== 'string') return null;
  for (const part of h.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

async function authenticate(ctx: ServerContext, token: string | null): Promise<Principal> {
  if (token === null) throw new HttpError(401, 'authentication required: send "Authorization: Bearer <token>"');
  if (token === '') throw new HttpError(401, 'malformed Authorization header: expected "Bearer <token>"');
  const result = await ctx.backend.accounts.authenticate(token);
  if (result === 'invalid') throw new HttpError(401, 'invalid token');
  if (result === 'revoked') throw new HttpError(401, 'this token has been revoked');
  return result;
}

async function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<string> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new HttpError(400, 'malformed request URL');
  }
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(url.pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the path');
    }
    const info: RequestInfo = { req, res, url, params, principal: null };
    if (route.auth === 'bearer') info.principal = await authenticate(ctx, bearerToken(req));
    else if (route.auth === 'cookie') {
      const token = cookieValue(req, SESSION_COOKIE);
      const result = token ? await ctx.backend.accounts.authenticate(token) : 'invalid';
      if (typeof result === 'string') {
        redirectToLogin(res, url);
        return route.name;
      }
      info.principal = result;
    }
    const limitKey = info.principal ? `t${info.principal.tokenId}` : `a${req.socket.remoteAddress ?? ''}`;
    const wait = ctx.limiter.take(limitKey);
    if (wait > 0) {
      ctx.metrics.rateLimited++;
      throw new HttpError(429, `rate limit exceeded; retry in ${wait} s`, { retryAfter: wait });
    }
    await (isAudited(route) ? runAudited(ctx, route.name, info, route.handler) : route.handler(ctx, info));
    return route.name;
  }
  if (pathMatched) throw new HttpError(405, `method ${String(req.method).slice(0, 20)} not allowed on ${url.pathname.slice(0, 200)}`);
  throw new HttpError(404, `no such endpoint: ${url.pathname.slice(0, 200)}`);
}

export function requestListener(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(ctx, req, res).then(
      (name) => ctx.metrics.countRequest(name, res.statusCode),
      (err: unknown) => {
        let status = 500;
        let body: Record<string, unknown>;
        const headers: Record<string, string> = {};
        if (err instanceof HttpError) {
          status = err.status;
          const { retryAfter, ...extra } = err.extra as { retryAfter?: number };
          if (retryAfter) headers['retry-after'] = String(retryAfter);
          body = { error: err.message, ...extra };
          if ((err as { closeConnection?: boolean }).closeConnection) headers.connection = 'close';
        } else if (err instanceof ChainError) {
          status = 409;
          ctx.metrics.batchesRejected++;
          body = { error: `batch rejected: ${err.message}`, head: err.head };
        } else if (err instanceof CursorError) {
          status = 400;
          body = { error: err.message };
        } else {
          // Never the request's content in the log: only what failed.
          process.stderr.write(`lineagelens server: internal error on ${req.method} ${url(req)}: ${(err as Error)?.stack ?? String(err)}\n`);
          body = { error: 'internal server error' };
        }
        ctx.metrics.countRequest(status >= 500 ? 'error' : 'rejected', status);
        if (res.headersSent) res.destroy();
        else sendJson(res, status, body, headers);
        if (headers.connection === 'close') res.on('finish', () => req.socket.destroy());
      },
    );
  };
}

function url(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0]!.slice(0, 200);
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const backend = options.backend ?? openSqliteBackend(options.dbFile ?? ':memory:');
  const context = createContext(backend, options);
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000, maxHeaderSize: 16 * 1024 }, requestListener(context));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      void backend.close().finally(() => reject(err));
    });
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      let closing: Promise<void> | null = null;
      const jobs = startGovernanceJobs(context, options.governanceIntervalMs ?? 3_600_000);
      context.lineage.queue.start(); // what an earlier run left in the lineage outbox
      resolve({
        url: `http://${host}:${port}`,
        server,
        context,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            jobs.stop();
            // In-flight requests finish; keep-alive connections are closed as soon as they fall idle,
            // and any still open after 10 s are cut.
            const idle = setInterval(() => server.closeIdleConnections(), 50);
            const cut = setTimeout(() => server.closeAllConnections(), 10_000);
            server.close(() => {
              clearInterval(idle);
              clearTimeout(cut);
              // Lineage indexing stops after its current step; the outbox keeps the rest for the next start.
              context.lineage.queue
                .close()
                .then(() => context.uploads.close())
                .then(() => backend.close())
                .then(done, (err: unknown) => {
                  process.stderr.write(`lineagelens server: closing the database: ${(err as Error).message}\n`);
                  done();
                });
            });
            server.closeIdleConnections();
          })),
      });
    });
  });
}
