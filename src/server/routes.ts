/** The route table: method, path pattern, how the caller authenticates, and the handler. */
import * as accounts from './api/accountRoutes';
import * as api from './api/apiRoutes';
import * as git from './api/blameExportRoutes';
import * as gov from './api/governanceRoutes';
import * as webhooks from './api/webhookRoutes';
import type { Handler } from './context';
import { orgPage } from './dashboard/orgPage';
import * as pages from './dashboard/pages';
import { findingsPage } from './dashboard/findingsPage';
import { oidcCallback, oidcLogin } from './auth/oidcRoutes';
import * as lineagePages from './dashboard/lineagePage';
import * as lineage from './lineage/lineageQuery';

export type AuthMode = 'none' | 'bearer' | 'cookie';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Anchored; capture groups become `params` (URL-decoded). */
  pattern: RegExp;
  /** Bounded label for metrics. */
  name: string;
  auth: AuthMode;
  handler: Handler;
}

const r = (method: Route['method'], pattern: RegExp, name: string, auth: AuthMode, handler: Handler): Route => ({ method, pattern, name, auth, handler });

export const ROUTES: Route[] = [
  r('GET', /^\/healthz$/, 'healthz', 'none', api.health),
  r('GET', /^\/api\/v1\/openapi\.json$/, 'openapi', 'none', api.openApi),
  r('GET', /^\/api\/v1\/schema$/, 'schema', 'none', api.schema),
  r('GET', /^\/metrics$/, 'metrics', 'bearer', api.metrics),
  r('POST', /^\/api\/v1\/records$/, 'ingest_records', 'bearer', api.ingestRecords),
  r('POST', /^\/api\/v1\/sessions$/, 'ingest_sessions', 'bearer', api.ingestSessions),
  r('GET', /^\/api\/v1\/records$/, 'records', 'bearer', api.listRecords),
  r('GET', /^\/api\/v1\/records\/([^/]+)$/, 'record', 'bearer', api.getRecord),
  r('GET', /^\/api\/v1\/sessions$/, 'sessions', 'bearer', api.listSessions),
  r('GET', /^\/api\/v1\/uploads\/head$/, 'upload_head', 'bearer', api.uploadHead),
  r('GET', /^\/api\/v1\/search$/, 'search', 'bearer', api.search),
  r('GET', /^\/api\/v1\/stats$/, 'stats', 'bearer', api.stats),
  r('GET', /^\/api\/v1\/stats\/timeline$/, 'timeline', 'bearer', api.timeline),
  r('POST', /^\/api\/v1\/users$/, 'users', 'bearer', api.createUser),
  r('POST', /^\/api\/v1\/tokens$/, 'tokens', 'bearer', api.createToken),
  r('DELETE', /^\/api\/v1\/tokens\/([^/]+)$/, 'token', 'bearer', api.revokeToken),
  // Team visibility: the caller's access, and organisation administration (accountRoutes.ts)
  r('GET', /^\/api\/v1\/me$/, 'me', 'bearer', accounts.me),
  r('GET', /^\/api\/v1\/users$/, 'users', 'bearer', accounts.listUsers),
  r('POST', /^\/api\/v1\/users\/([^/]+)\/role$/, 'user_role', 'bearer', accounts.setRole),
  r('GET', /^\/api\/v1\/teams$/, 'teams', 'bearer', accounts.listTeams),
  r('POST', /^\/api\/v1\/teams$/, 'teams', 'bearer', accounts.createTeam),
  r('POST', /^\/api\/v1\/teams\/([^/]+)\/members$/, 'team_members', 'bearer', accounts.addTeamMember),
  r('DELETE', /^\/api\/v1\/teams\/([^/]+)\/members\/([^/]+)$/, 'team_member', 'bearer', accounts.removeTeamMember),
  r('POST', /^\/api\/v1\/bindings$/, 'ingest_bindings', 'bearer', git.ingestBindings),
  r('GET', /^\/api\/v1\/blame$/, 'blame', 'bearer', git.blame),
  r('GET', /^\/api\/v1\/export$/, 'export', 'bearer', git.exportData),
  r('GET', /^\/api\/v1\/export\/signature$/, 'export_signature', 'bearer', git.exportSignature),
  r('GET', /^\/api\/v1\/export\/key$/, 'export_key', 'bearer', git.exportKey),
  // Pull/merge-request webhooks authenticate by the provider's signature, not a bearer token.
  r('POST', /^\/api\/v1\/webhooks\/github$/, 'webhook_github', 'none', webhooks.githubWebhook),
  r('POST', /^\/api\/v1\/webhooks\/gitlab$/, 'webhook_gitlab', 'none', webhooks.gitlabWebhook),
  r('GET', /^\/api\/v1\/reviews$/, 'reviews', 'bearer', webhooks.reviews),
  // Governance: policies, findings, purges, the audit log
  r('GET', /^\/api\/v1\/policy$/, 'policy', 'bearer', gov.getPolicy),
  r('PUT', /^\/api\/v1\/policy$/, 'policy_put', 'bearer', gov.putPolicy),
  r('GET', /^\/api\/v1\/policy\/history$/, 'policy_history', 'bearer', gov.policyHistory),
  r('GET', /^\/api\/v1\/findings$/, 'findings', 'bearer', gov.findings),
  r('GET', /^\/api\/v1\/audit$/, 'audit', 'bearer', gov.audit),
  r('GET', /^\/api\/v1\/purges$/, 'purges', 'bearer', gov.purges),
  r('GET', /^\/api\/v1\/purges\/([^/]+)$/, 'purge', 'bearer', gov.purgeDetail),
  r('POST', /^\/api\/v1\/purge$/, 'purge_run', 'bearer', gov.runPurge),
  r('GET', /^\/api\/v1\/enforcements\/([^/]+)$/, 'enforcement', 'bearer', gov.enforcement),
  r('GET', /^\/api\/v1\/lineage$/, 'lineage', 'bearer', lineage.lineage),
  // Dashboard
  r('GET', /^\/login$/, 'login', 'none', pages.loginPage),
  r('POST', /^\/login$/, 'login', 'none', pages.login),
  r('POST', /^\/logout$/, 'logout', 'none', pages.logout),
  r('GET', /^\/dashboard\.css$/, 'static', 'none', pages.css),
  r('GET', /^\/dashboard\.js$/, 'static', 'none', pages.js),
  r('GET', /^\/$/, 'dash_home', 'cookie', pages.home),
  r('GET', /^\/sessions\/([^/]+)$/, 'dash_session', 'cookie', pages.sessionPage),
  r('GET', /^\/records\/([^/]+)$/, 'dash_record', 'cookie', pages.recordPage),
  r('GET', /^\/repos$/, 'dash_repos', 'cookie', pages.reposPage),
  r('GET', /^\/search$/, 'dash_search', 'cookie', pages.searchPage),
  r('GET', /^\/findings$/, 'dash_findings', 'cookie', findingsPage),
  r('GET', /^\/auth\/oidc\/login$/, 'oidc_login', 'none', oidcLogin),
  r('GET', /^\/auth\/oidc\/callback$/, 'oidc_callback', 'none', oidcCallback),
  r('GET', /^\/org$/, 'dash_org', 'cookie', orgPage),
  r('GET', /^\/lineage$/, 'dash_lineage', 'cookie', lineagePages.lineagePage),
  r('GET', /^\/lineage\/data$/, 'dash_lineage_data', 'cookie', lineagePages.lineageData),
  r('GET', /^\/lineage\.js$/, 'static', 'none', lineagePages.lineageJs),
  r('GET', /^\/vendor\/cytoscape\.min\.js$/, 'static', 'none', lineagePages.cytoscapeJs),
];
