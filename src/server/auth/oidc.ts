/**
 * Optional dashboard sign-in through an OpenID Connect provider, besides tokens: the authorization-code
 * flow with PKCE (S256), a `state` bound to the browser by a cookie, and a `nonce` bound to the ID token.
 * The protocol work (discovery, the code exchange with client authentication, ID token validation:
 * signature from the provider's JWKS, issuer, audience, expiry, nonce) is done by `openid-client`
 * (panva; OpenID-certified, the maintained reference client for Node), so none of it is hand-rolled.
 *
 * A signed-in person becomes a user matched by the `email` claim (when the provider does not say it is
 * unverified), else by `oidc-<sub>`; a user seen for the first time is created with the default role.
 * The dashboard session is a token of that user (as with token sign-in), labelled "oidc session".
 *
 * Configuration (admin, environment): LINEAGELENS_OIDC_ISSUER, LINEAGELENS_OIDC_CLIENT_ID,
 * LINEAGELENS_OIDC_CLIENT_SECRET, optional LINEAGELENS_OIDC_REDIRECT_URL (default: this server's
 * `/auth/oidc/callback` as the browser reached it) and LINEAGELENS_OIDC_SCOPES (default "openid email profile").
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../db/accounts';
import type { AccountsBackend } from '../backend/backend';

export const OIDC_ENV = {
  issuer: 'LINEAGELENS_OIDC_ISSUER',
  clientId: 'LINEAGELENS_OIDC_CLIENT_ID',
  clientSecret: 'LINEAGELENS_OIDC_CLIENT_SECRET',
  redirectUrl: 'LINEAGELENS_OIDC_REDIRECT_URL',
  scopes: 'LINEAGELENS_OIDC_SCOPES',
} as const;

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl?: string;
  scopes: string;
}

export class OidcError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'OidcError';
  }
}

/** The configured provider, or null; a half configuration is an error (the server refuses to start). */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | null {
  const get = (k: string) => env[k]?.trim() || undefined;
  const issuer = get(OIDC_ENV.issuer);
  const clientId = get(OIDC_ENV.clientId);
  const clientSecret = get(OIDC_ENV.clientSecret);
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) throw new Error(`OIDC sign-in needs ${OIDC_ENV.issuer}, ${OIDC_ENV.clientId} and ${OIDC_ENV.clientSecret}`);
  for (const [name, value] of [
    [OIDC_ENV.issuer, issuer],
    [OIDC_ENV.redirectUrl, get(OIDC_ENV.redirectUrl)],
  ] as const) {
    if (value === undefined) continue;
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw new Error(`${name} is not a URL`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL`);
  }
  return { issuer, clientId, clientSecret, redirectUrl: get(OIDC_ENV.redirectUrl), scopes: get(OIDC_ENV.scopes) ?? 'openid email profile' };
}

interface PendingSignIn {
  verifier: string;
  nonce: string;
  next: string;
  redirectUrl: string;
  expires: number;
}

/** A sign-in must come back within this. */
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
export const STATE_COOKIE = 'll_oidc_state';
export const DEFAULT_OIDC_ROLE: Role = 'developer';

type Client = typeof import('openid-client');

export class OidcSignIn {
  private lib: Client | null = null;
  private discovered: Promise<import('openid-client').Configuration> | null = null;
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(readonly config: OidcConfig) {}

  private async client(): Promise<{ lib: Client; conf: import('openid-client').Configuration }> {
    // Loaded only when OIDC is configured (an ES module, required through Node's require(esm)).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.lib ??= require('openid-client') as Client;
    const lib = this.lib;
    const insecure = new URL(this.config.issuer).protocol === 'http:';
    this.discovered ??= lib
      .discovery(new URL(this.config.issuer), this.config.clientId, this.config.clientSecret, undefined, insecure ? { execute: [lib.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        this.discovered = null; // the provider may be back on the next attempt
        throw new OidcError(`the OIDC provider ${this.config.issuer} could not be reached or described itself wrongly: ${(err as Error).message}`, 502);
      });
    return { lib, conf: await this.discovered };
  }

  /** Starts a sign-in: where to send the browser, and the state for its cookie. */
  async start(next: string, requestOrigin: string): Promise<{ location: string; state: string }> {
    const { lib, conf } = await this.client();
    const now = Date.now();
    for (const [k, p] of this.pending) if (p.expires < now) this.pending.delete(k);
    if (this.pending.size >= MAX_PENDING) throw new OidcError('too many sign-ins in progress; try again in a few minutes', 503);
    const verifier = lib.randomPKCECodeVerifier();
    const nonce = lib.randomNonce();
    const state = randomBytes(24).toString('base64url');
    const redirectUrl = this.config.redirectUrl ?? `${requestOrigin}/auth/oidc/callback`;
    this.pending.set(state, { verifier, nonce, next, redirectUrl, expires: now + PENDING_TTL_MS });
    const location = lib.buildAuthorizationUrl(conf, {
      redirect_uri: redirectUrl,
      scope: this.config.scopes,
      code_challenge: await lib.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { location: location.href, state };
  }

  /**
   * Finishes a sign-in from the provider's redirect: the state must be the one this browser started
   * (cookie) and still pending; the code is exchanged with the PKCE verifier; the ID token is checked.
   */
  async finish(callbackUrl: URL, cookieState: string | null, accounts: AccountsBackend): Promise<{ token: string; user: string; next: string }> {
    const state = callbackUrl.searchParams.get('state');
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) throw new OidcError(`the OIDC provider refused the sign-in: ${providerError.slice(0, 100)}${callbackUrl.searchParams.get('error_description') ? ` (${callbackUrl.searchParams.get('error_description')!.slice(0, 200)})` : ''}`, 401);
    if (!state || !cookieState || state !== cookieState) throw new OidcError('sign-in refused: the state does not match the sign-in this browser started (start again from the sign-in page)');
    const p = this.pending.get(state);
    this.pending.delete(state); // one use
    if (!p || p.expires < Date.now()) throw new OidcError('sign-in refused: this sign-in is unknown or expired (start again from the sign-in page)');
    const { lib, conf } = await this.client();
    // The URL the provider redirected to, as registered (the server may sit behind a proxy).
    const current = new URL(p.redirectUrl);
    current.search = callbackUrl.search;
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await lib.authorizationCodeGrant(conf, current, { pkceCodeVerifier: p.verifier, expectedState: state, expectedNonce: p.nonce, idTokenExpected: true });
      claims = tokens.claims() as Record<string, unknown> | undefined;
    } catch (err) {
      throw new OidcError(`sign-in refused: ${describe(err)}`, 401);
    }
    if (!claims || typeof claims.sub !== 'string' || !claims.sub) throw new OidcError('sign-in refused: the ID token has no subject', 401);
    const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email.trim().toLowerCase() : '';
    // User names are 1-100 of [A-Za-z0-9._@-] (db/accounts.ts): anything else becomes "-".
    const name = (email || `oidc-${claims.sub}`).replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, 100);
    if (!(await accounts.findUser(name))) {
      try {
        await accounts.addUser(name, DEFAULT_OIDC_ROLE);
      } catch (err) {
        if (!(await accounts.findUser(name))) throw new OidcError(`sign-in refused: no user could be made for ${name}: ${(err as Error).message}`, 403);
      }
    }
    const issued = await accounts.createToken(name, 'oidc session');
    return { token: issued.token, user: name, next: p.next };
  }
}

/** openid-client's errors name what failed (e.g. "unexpected JWT \"iss\" (issuer) claim value"); never a token. */
function describe(err: unknown): string {
  const e = err as Error & { code?: string; cause?: unknown; error?: string; error_description?: string };
  if (e.error) return `the token endpoint answered ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`;
  // openid-client wraps oauth4webapi's error, whose message and `cause.claim` name the failed ID token claim.
  const inner = e.cause instanceof Error ? (e.cause as Error & { cause?: { claim?: unknown } }) : null;
  const claim = inner?.cause?.claim;
  if (typeof claim === 'string' && e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') return `the ID token's "${claim.slice(0, 40)}" claim is not the expected one (${inner!.message.slice(0, 200)})`;
  if (typeof claim === 'string') return `the ID token's "${claim.slice(0, 40)}" claim: ${inner!.message.slice(0, 200)}${e.code ? ` (${e.code})` : ''}`;
  if (inner) return `${e.message}: ${inner.message}${e.code ? ` (${e.code})` : ''}`.slice(0, 300);
  return `${e.message}${e.code ? ` (${e.code})` : ''}`.slice(0, 300);
}
