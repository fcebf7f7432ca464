/**
 * A small local OpenID Connect issuer on 127.0.0.1 for the sign-in tests: discovery, JWKS (an RSA key
 * made per run), an authorization endpoint that signs in a configured person at once (no login form),
 * and a token endpoint that checks what a real provider checks (client secret, the code once, the
 * redirect URI, the PKCE verifier against the S256 challenge) and answers an RS256 ID token signed with
 * `jose`. Knobs make it misbehave the ways the server must refuse: another issuer in the ID token, an
 * expired ID token, another audience.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Jose = typeof import('jose');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jose = require('jose') as Jose; // an ES module, through Node's require(esm)

export interface TestIssuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in next. */
  person: { sub: string; email?: string; email_verified?: boolean };
  /** Misbehaviour for the next tokens. */
  idTokenIssuer: string | null;
  idTokenExpiresIn: number;
  idTokenAudience: string | null;
  /** Requests to the token endpoint, and the last refusal it gave. */
  tokenRequests: number;
  lastTokenError: string | null;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  person: TestIssuer['person'];
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const state: TestIssuer = {
    issuer: '',
    clientId: 'lineagelens-dashboard',
    clientSecret: randomBytes(16).toString('hex'),
    person: { sub: 'user-0001', email: 'dana@example.com', email_verified: true },
    idTokenIssuer: null,
    idTokenExpiresIn: 300,
    idTokenAudience: null,
    tokenRequests: 0,
    lastTokenError: null,
    close: async () => undefined,
  };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (url.pathname === '/.well-known/openid-configuration') {
          return json(res, 200, {
            issuer: state.issuer,
            authorization_endpoint: `${state.issuer}/authorize`,
            token_endpoint: `${state.issuer}/token`,
            jwks_uri: `${state.issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            code_challenge_methods_supported: ['S256'],
            token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
            scopes_supported: ['openid', 'email', 'profile'],
          });
        }
        if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
        if (url.pathname === '/authorize') {
          const p = url.searchParams;
          const redirect = p.get('redirect_uri');
          if (p.get('client_id') !== state.clientId || !redirect) return json(res, 400, { error: 'invalid_request', error_description: 'unknown client or no redirect_uri' });
          if (p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) return json(res, 400, { error: 'invalid_request', error_description: 'code flow with PKCE S256 only' });
          const code = randomBytes(16).toString('base64url');
          grants.set(code, { clientId: state.clientId, redirectUri: redirect, challenge: p.get('code_challenge')!, nonce: p.get('nonce') ?? undefined, person: { ...state.person } });
          const back = new URL(redirect);
          back.searchParams.set('code', code);
          if (p.get('state')) back.searchParams.set('state', p.get('state')!);
          res.writeHead(302, { location: back.href });
          return res.end();
        }
        if (url.pathname === '/token' && req.method === 'POST') {
          state.tokenRequests++;
          const refuse = (error: string, description: string) => {
            state.lastTokenError = `${error}: ${description}`;
            return json(res, 400, { error, error_description: description });
          };
          const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          let id = form.get('client_id');
          let secret = form.get('client_secret');
          const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
          if (basic) [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map((s) => decodeURIComponent(s.replace(/\+/g, '%20'))) as [string, string];
          if (id !== state.clientId || secret !== state.clientSecret) return refuse('invalid_client', 'client authentication failed');
          const grant = grants.get(form.get('code') ?? '');
          grants.delete(form.get('code') ?? '');
          if (!grant) return refuse('invalid_grant', 'unknown or used code');
          if (form.get('redirect_uri') !== grant.redirectUri) return refuse('invalid_grant', 'redirect_uri differs');
          const verifier = form.get('code_verifier') ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return refuse('invalid_grant', 'PKCE verification failed');
          const now = Math.floor(Date.now() / 1000);
          const idToken = await new jose.SignJWT({ ...grant.person, nonce: grant.nonce })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
            .setIssuer(state.idTokenIssuer ?? state.issuer)
            .setAudience(state.idTokenAudience ?? state.clientId)
            .setSubject(grant.person.sub)
            .setIssuedAt(now - (state.idTokenExpiresIn < 0 ? 600 : 0))
            .setExpirationTime(now + state.idTokenExpiresIn)
            .sign(privateKey);
          return json(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
        }
        json(res, 404, { error: 'not found' });
      })().catch((err: unknown) => json(res, 500, { error: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
