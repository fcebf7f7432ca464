/**
 * The dashboard's OIDC sign-in routes (auth/oidc.ts does the protocol): `/auth/oidc/login` sends the
 * browser to the provider, `/auth/oidc/callback` takes it back, sets the session cookie and goes on to
 * the page the person wanted. Without a configured provider both answer 404. Refusals are pages that
 * say what went wrong (wrong issuer, bad state, expired token, ...), never a stack or a token.
 */
import type { Handler } from '../context';
import { cookieValue } from '../app';
import { esc, layout } from '../dashboard/html';
import { SESSION_COOKIE } from '../dashboard/pages';
import { HttpError, sendText } from '../http/respond';
import { OidcError, STATE_COOKIE } from './oidc';

/** Only local paths: the sign-in must not be able to send the browser elsewhere afterwards. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next.slice(0, 1000) : '/');

/** The origin the browser used (for the default redirect URL): Host as sent, over plain HTTP (behind TLS, set LINEAGELENS_OIDC_REDIRECT_URL). */
function origin(host: string | undefined): string {
  if (!host || !/^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host)) throw new HttpError(400, 'a Host header is needed to sign in (or set LINEAGELENS_OIDC_REDIRECT_URL)');
  return `http://${host}`;
}

const refuse = (res: Parameters<Handler>[1]['res'], status: number, message: string) =>
  sendText(res, status, 'text/html; charset=utf-8', layout('Sign-in refused', `<p class="error" role="alert">${esc(message)}</p><p><a href="/login">Back to sign-in</a></p>`), {
    'cache-control': 'no-store',
    'set-cookie': `${STATE_COOKIE}=; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=0`,
  });

export const oidcLogin: Handler = async (ctx, { req, res, url }) => {
  if (!ctx.oidc) throw new HttpError(404, 'OIDC sign-in is not configured on this server');
  try {
    const { location, state } = await ctx.oidc.start(safeNext(url.searchParams.get('next')), origin(req.headers.host));
    // Lax: the cookie must come back on the provider's top-level redirect to the callback.
    res.writeHead(302, { location, 'set-cookie': `${STATE_COOKIE}=${state}; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=600`, 'cache-control': 'no-store' });
    res.end();
  } catch (err) {
    if (err instanceof OidcError) return refuse(res, err.status, err.message);
    throw err;
  }
};

export const oidcCallback: Handler = async (ctx, { req, res, url }) => {
  if (!ctx.oidc) throw new HttpError(404, 'OIDC sign-in is not configured on this server');
  try {
    const done = await ctx.oidc.finish(url, cookieValue(req, STATE_COOKIE), ctx.backend.accounts);
    res.writeHead(303, {
      location: done.next,
      'set-cookie': [`${SESSION_COOKIE}=${encodeURIComponent(done.token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000`, `${STATE_COOKIE}=; HttpOnly; SameSite=Lax; Path=/auth/oidc; Max-Age=0`],
      'cache-control': 'no-store',
    });
    res.end();
  } catch (err) {
    if (err instanceof OidcError) return refuse(res, err.status, err.message);
    throw err;
  }
};
