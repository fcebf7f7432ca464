/** What every request handler can reach: the database services, counters and limits of one server. */
import type { Accounts, Principal } from './db/accounts';
import type { Ingestor } from './db/ingest';
import type { Queries } from './db/queries';
import type { Db } from './db/serverDb';
import type { Metrics } from './http/metrics';
import type { RateLimiter } from './http/rateLimit';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ServerContext {
  db: Db;
  accounts: Accounts;
  ingestor: Ingestor;
  queries: Queries;
  metrics: Metrics;
  limiter: RateLimiter;
  version: string;
  maxBodyBytes: number;
}

export interface RequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  /** Set for routes that need authentication. */
  principal: Principal | null;
}

export type Handler = (ctx: ServerContext, r: RequestInfo) => void | Promise<void>;
