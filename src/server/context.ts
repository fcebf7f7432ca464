/** What every request handler can reach: the database services, counters and limits of one server. */
import type { ServerBackend } from './backend/backend';
import type { Principal } from './db/accounts';
import type { Governance } from './governance/governance';
import type { Metrics } from './http/metrics';
import type { RateLimiter } from './http/rateLimit';
import type { PrFactsStore } from './reviews/prFactsStore';
import type { ServerLineage } from './lineage/lineageFor';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OidcSignIn } from './auth/oidc';
import type { UploadPreparer } from './threads/uploadPreparer';

export interface ServerContext {
  /** Accounts, ingest, queries and the git ledger: SQLite or PostgreSQL, always awaited. */
  backend: ServerBackend;
  metrics: Metrics;
  limiter: RateLimiter;
  version: string;
  maxBodyBytes: number;
  /** Pull/merge-request webhook facts (both backends). */
  prFacts: PrFactsStore;
  /** Shared secrets of the PR webhooks; a provider without one has no receiver (404). */
  webhooks: WebhookSecrets;
  /** Policies, enforcement on ingest, findings, purges and the audit log (issue #9, governance). */
  governance: Governance;
  /** Dashboard sign-in through an OIDC provider, when configured (auth/oidc.ts). */
  oidc?: OidcSignIn | null;
  /** The lineage graph: built on ingest (records, ledger, PR facts), queried by /api/v1/lineage. */
  lineage: ServerLineage;
  /** Upload batches parsed, validated and hash-checked, large ones in background threads. */
  uploads: UploadPreparer;
}

export interface WebhookSecrets {
  github?: string;
  gitlab?: string;
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
