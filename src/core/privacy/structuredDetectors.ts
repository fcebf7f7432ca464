/**
 * Secrets with a recognisable structure of their own: the password part of a URL and the credential of
 * an Authorization header. (Private key blocks have their own file.)
 */
import { isCodeReference, isPlaceholder, isTemplate } from './assignedValue';
import { patternDetector, type Detector } from './detector';
import { looksRandom } from './randomness';

/**
 * `scheme://user:password@host` for any scheme (postgres, mysql, mongodb+srv, redis, amqp, https, ...):
 * only the password goes; the user, host and database stay readable. `redis://:password@host` too.
 */
export function urlPasswordDetector(): Detector {
  // Anchored on the literal `://`, which is fast to find. The scheme is not checked: `user:pass@` after
  // `://` is a credential whatever comes before it.
  return patternDetector(
    'url-password',
    'url-password',
    /:\/\/[^\s:/?#@[\]'"`<>]{0,200}:(?<secret>[^\s/?#@'"`<>]{1,512})(?=@[^\s@])/g,
    { accept: (v) => !isPlaceholder(v) && !isTemplate(v) && !FIELD_NAME.test(v) },
  );
}

/** `user:password@host` in documentation names the field instead of filling it. */
const FIELD_NAME = /^(?:password|passwd|pass|pwd|secret)$/i;

/** An Authorization header credential: `Authorization: Bearer x`, `"authorization": "Basic x"`,
 * `-H 'Authorization: token x'`, `Proxy-Authorization: ...`, `headers={"Authorization": "x"}`. */
export function authorizationHeaderDetector(): Detector {
  return patternDetector(
    'authorization-header',
    'bearer-token',
    /(?<![\w-])(?:proxy-)?authorization\\?["'`]?[ \t]*(?::|=>|=|,)[ \t]*\\?["'`]?[ \t]*(?:(?<scheme>bearer|basic|token|bot|digest|apikey|key|sso-key|dpop)[ \t]+)?(?<secret>[A-Za-z0-9._~+/-]{8,4096}=*)/gi,
    {
      // With a scheme word the value is the credential; without one it must look random, not be a name
      // or a call (`authHeader`, `type1msg`, `authorization = base64.decodebytes(...)`).
      accept: (v, m, text) =>
        !isPlaceholder(v) &&
        !/^(?:bearer|basic|token)$/i.test(v) &&
        (AFTER_SCHEME.test(m[0].slice(0, m[0].length - v.length)) || (looksRandom(v, 16) && !isCodeReference(v) && text[m.index + m[0].length] !== '(')),
    },
  );
}

const AFTER_SCHEME = /(?:bearer|basic|token|bot|digest|apikey|key|sso-key|dpop)[ \t]+$/i;

/** "Bearer <token>" outside a header (a curl line, a prompt): the token must look random, so the
 * sentence "Bearer authentication is..." stays. */
export function bearerPhraseDetector(): Detector {
  return patternDetector('bearer-phrase', 'bearer-token', /(?<![\w-])bearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]{16,4096}=*)/gi, {
    accept: (v) => looksRandom(v.replace(/[^A-Za-z0-9]/g, ''), 16),
  });
}
