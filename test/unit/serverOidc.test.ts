/**
 * OIDC dashboard sign-in against a local test issuer (oidcIssuer.ts) on 127.0.0.1, through a real
 * `lineagelens serve` process and real HTTP redirects followed hop by hop, as a browser does: the login
 * page offers the provider, the authorization-code flow with PKCE runs, the person becomes a user
 * (created once, then matched by the email claim, default role) with a session cookie that opens the
 * dashboard. Refused with a clear page: a state that is not this browser's, a replayed callback, an
 * ID token from another issuer, an expired one, and a provider that is not the configured issuer.
 */
import * as assert from 'node:assert/strict';
import { backendsUnderTest, type TestStorage } from './serverBackends';
import { spawnSync } from 'node:child_process';
import { CLI, type ServerProcess, startServerProcess } from './serverHarness';
import { startTestIssuer, type TestIssuer } from './oidcIssuer';

interface Hop {
  status: number;
  location: string | null;
  cookies: Map<string, string>;
  text: string;
}

async function hop(url: string, cookies: Map<string, string> = new Map()): Promise<Hop> {
  const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  // A fresh connection per hop: the CLI calls in between block this event loop past the servers' keep-alive.
  const res = await fetch(url, { redirect: 'manual', headers: { connection: 'close', ...(cookie ? { cookie } : {}) } });
  const set = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    set.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
  return { status: res.status, location: res.headers.get('location'), cookies: set, text: await res.text() };
}

for (const backend of backendsUnderTest())
describe(`OIDC sign-in on ${backend.name} (local test issuer, real server process, real HTTP redirects)`, function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let storage: TestStorage;
  let server: ServerProcess;

  async function serveWith(env: Record<string, string>): Promise<ServerProcess> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const started = startServerProcess(storage.data, storage.args); // spawns now, with this environment
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    return started;
  }

  before(async () => {
    issuer = await startTestIssuer();
    storage = await backend.create('ll-server-oidc-');
    server = await serveWith({ LINEAGELENS_OIDC_ISSUER: issuer.issuer, LINEAGELENS_OIDC_CLIENT_ID: issuer.clientId, LINEAGELENS_OIDC_CLIENT_SECRET: issuer.clientSecret });
  });
  after(async () => {
    await server?.stop();
    await storage?.drop();
    await issuer?.close();
  });

  /** The users, as an admin lists them (`server user list`, while the server runs). */
  function users(): { name: string; role: string }[] {
    const out = spawnSync(process.execPath, [CLI, 'server', 'user', 'list', '--data', storage.data, ...storage.args], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.trim().split('\n').map((l) => ({ name: l.split('\t')[1]!, role: l.split('\t')[2]! }));
  }

  /** From the dashboard's "Sign in with" link to the provider and back: the callback's answer. */
  async function signIn(next = '/search?q=x', tamper?: (callback: URL, cookies: Map<string, string>) => void): Promise<Hop> {
    const start = await hop(`${server.url}/auth/oidc/login?next=${encodeURIComponent(next)}`);
    assert.equal(start.status, 302, start.text);
    const authorize = new URL(start.location!);
    assert.equal(authorize.origin, issuer.issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('nonce'));
    const atProvider = await hop(authorize.href);
    assert.equal(atProvider.status, 302, atProvider.text);
    const callback = new URL(atProvider.location!);
    assert.equal(`${callback.origin}${callback.pathname}`, `${server.url}/auth/oidc/callback`);
    const cookies = new Map([['ll_oidc_state', start.cookies.get('ll_oidc_state')!]]);
    tamper?.(callback, cookies);
    return hop(callback.href, cookies);
  }

  it('offers the provider on the login page, signs a person in with code + PKCE, and opens the dashboard', async () => {
    const login = await hop(`${server.url}/login?next=/repos`);
    assert.match(login.text, new RegExp(`href="/auth/oidc/login\\?next=%2Frepos">Sign in with 127\\.0\\.0\\.1:\\d+`));
    const done = await signIn('/search?q=x');
    assert.equal(done.status, 303, done.text);
    assert.equal(done.location, '/search?q=x');
    const session = done.cookies.get('ll_session');
    assert.ok(session, 'a session cookie');
    const dashboard = await hop(`${server.url}/search?q=x`, new Map([['ll_session', session]]));
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.text, /dana@example\.com/);
    assert.deepEqual(users().filter((u) => u.name === 'dana@example.com').map((u) => u.role), ['developer']);

    // Again: the same user (matched by the email claim), not a second one.
    assert.equal((await signIn()).status, 303);
    assert.equal(users().filter((u) => u.name === 'dana@example.com').length, 1);

    // No email claim: the user is named after the subject.
    issuer.person = { sub: 'svc-42' };
    assert.equal((await signIn()).status, 303);
    assert.ok(users().some((u) => u.name === 'oidc-svc-42'));
    issuer.person = { sub: 'user-0001', email: 'dana@example.com', email_verified: true };
  });

  it('refuses a state that is not this browser\'s, and a replayed callback', async () => {
    const forged = await signIn('/', (_cb, cookies) => cookies.set('ll_oidc_state', 'someone-elses-state'));
    assert.equal(forged.status, 400);
    assert.match(forged.text, /sign-in refused: the state does not match the sign-in this browser started/);
    assert.ok(!forged.cookies.get('ll_session'), 'no session');

    let replay: { url: string; cookies: Map<string, string> } | null = null;
    const first = await signIn('/', (cb, cookies) => (replay = { url: cb.href, cookies: new Map(cookies) }));
    assert.equal(first.status, 303);
    const second = await hop(replay!.url, replay!.cookies);
    assert.equal(second.status, 400);
    assert.match(second.text, /this sign-in is unknown or expired/);
  });

  it('refuses an ID token from another issuer, an expired one, or for another client', async () => {
    issuer.idTokenIssuer = 'https://evil.example';
    const wrong = await signIn();
    issuer.idTokenIssuer = null;
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /sign-in refused: the ID token&#39;s &quot;iss&quot; claim is not the expected one/);
    assert.ok(!wrong.cookies.get('ll_session'));

    issuer.idTokenExpiresIn = -120;
    const expired = await signIn();
    issuer.idTokenExpiresIn = 300;
    assert.equal(expired.status, 401);
    assert.match(expired.text, /sign-in refused: the ID token&#39;s &quot;exp&quot; claim/);

    issuer.idTokenAudience = 'another-client';
    const aud = await signIn();
    issuer.idTokenAudience = null;
    assert.equal(aud.status, 401);
    assert.match(aud.text, /sign-in refused: the ID token&#39;s &quot;aud&quot; claim is not the expected one/);
  });

  it('refuses to use a provider that is not the configured issuer, and is off (404) when not configured', async () => {
    await server.stop();
    // The configured issuer URL serves no discovery document of that issuer.
    server = await serveWith({ LINEAGELENS_OIDC_ISSUER: `${issuer.issuer}/other-tenant`, LINEAGELENS_OIDC_CLIENT_ID: issuer.clientId, LINEAGELENS_OIDC_CLIENT_SECRET: issuer.clientSecret });
    const start = await hop(`${server.url}/auth/oidc/login`);
    assert.equal(start.status, 502);
    assert.match(start.text, /the OIDC provider http:\/\/127\.0\.0\.1:\d+\/other-tenant could not be reached or described itself wrongly/);
    await server.stop();
    server = await startServerProcess(storage.data, storage.args);
    assert.equal((await hop(`${server.url}/auth/oidc/login`)).status, 404);
    assert.doesNotMatch((await hop(`${server.url}/login`)).text, /Sign in with/);
  });
});
