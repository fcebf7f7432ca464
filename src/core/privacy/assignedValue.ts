/**
 * Reading the value on the right of `name = value` / `name: value` / `"name": "value"` / `--name value`,
 * and judging whether it is a literal (which may be a secret) or code (a variable, a call, a type, a
 * placeholder), which is not.
 *
 * Why this is more than a regex: `password = "hunter2xyz"` must lose only `hunter2xyz` (quotes and
 * escapes respected), while `password = getpass.getpass()`, `password: string;`, `token = tokens[i]`,
 * `secret: ${{ secrets.X }}` and `PASSWORD=$DB_PASSWORD` are ordinary code and must stay.
 */

import { looksRandom } from './randomness';

/** Longest value we read. A longer run is truncated here (and the scan moves past it), so each
 * assignment costs at most this much work whatever the input. */
export const MAX_VALUE_LENGTH = 512;

export interface AssignedValue {
  /** [start, end) of the value in the text, without its quotes. */
  start: number;
  end: number;
  text: string;
  quoted: boolean;
  /** Where scanning should resume: past the closing quote or the whole run. */
  scanEnd: number;
  /** Unquoted value that ended with `,` `;` `:` or an unbalanced `)` `]` `}` (stripped): code, not config. */
  codeTerminated: boolean;
  /** Unquoted value followed on its line by more than a comment. */
  followedByCode: boolean;
}

const QUOTES = new Set(['"', "'", '`']);
const UNQUOTED_RUN = /[^\s'"`]{1,512}/y;
const UNQUOTED_RUN_IN_QUERY = /[^\s'"`&#]{1,512}/y;
const REST_OF_LINE = /[ \t]*([^\r\n]{0,2})/y;
const NEXT_PAIR = /;[ \t]*[A-Za-z_][\w .-]{0,40}=/;
/** Python/C#/Rust string prefixes: r"", b"", f"", rb"", @"", $"". */
const STRING_PREFIX = /(?:[rRbBuUfF]{1,2}|@|\$)(?=\\?["'`])/y;

/**
 * Reads the value starting at `pos` (after the separator and its spaces). `inQuery` stops unquoted
 * values at `&` and `#`, for `?token=...&next=...`. Returns null when there is no value on this line.
 */
export function readAssignedValue(text: string, pos: number, inQuery = false): AssignedValue | null {
  STRING_PREFIX.lastIndex = pos;
  const prefix = STRING_PREFIX.exec(text);
  const quotePos = prefix ? pos + prefix[0].length : pos;
  const escaped = text[quotePos] === '\\' && QUOTES.has(text[quotePos + 1] ?? '');
  const quote = escaped ? text[quotePos + 1]! : text[quotePos]!;
  if (QUOTES.has(quote)) return readQuoted(text, quotePos + (escaped ? 2 : 1), quote, escaped);
  return readUnquoted(text, pos, inQuery);
}

function readQuoted(text: string, start: number, quote: string, escapedQuote: boolean): AssignedValue | null {
  const limit = Math.min(text.length, start + MAX_VALUE_LENGTH);
  let i = start;
  let closeLength = 0;
  while (i < limit) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') break;
    if (escapedQuote) {
      if (c === '\\' && text[i + 1] === quote) {
        closeLength = 2;
        break;
      }
    } else if (c === '\\') {
      i += 2;
      continue;
    } else if (c === quote) {
      closeLength = 1;
      break;
    }
    i++;
  }
  const end = Math.min(i, limit);
  // A string cut by the end of the text (an edit that stops mid-string) or longer than we read still
  // counts as a value: redacting to the end of what we read is the safe side. A quote that runs into
  // the end of its line is not an opening quote at all: `ask("Password: ")` ends a string.
  if (end <= start || (closeLength === 0 && end < limit && end < text.length)) return null;
  return { start, end, text: text.slice(start, end), quoted: true, scanEnd: end + closeLength, codeTerminated: false, followedByCode: false };
}

function readUnquoted(text: string, pos: number, inQuery: boolean): AssignedValue | null {
  const run = inQuery ? UNQUOTED_RUN_IN_QUERY : UNQUOTED_RUN;
  run.lastIndex = pos;
  const m = run.exec(text);
  if (!m) return null;
  let value = m[0];
  // `Password=abc;Database=app` (ADO.NET, JDBC, ODBC): the value ends where the next `key=` begins.
  const nextPair = NEXT_PAIR.exec(value);
  if (nextPair) value = value.slice(0, nextPair.index);
  const scanEnd = pos + value.length;
  let codeTerminated = false;
  for (;;) {
    const last = value[value.length - 1];
    if (last === ',' || last === ';' || last === ':') {
      value = value.slice(0, -1);
      codeTerminated = true;
    } else if ((last === ')' || last === ']' || last === '}') && !value.includes(OPENER[last])) {
      value = value.slice(0, -1);
      codeTerminated = true;
    } else break;
  }
  if (value.length === 0) return null;
  REST_OF_LINE.lastIndex = scanEnd;
  const rest = REST_OF_LINE.exec(text)?.[1] ?? '';
  const followedByCode = rest.length > 0 && rest[0] !== '#' && !rest.startsWith('//');
  return { start: pos, end: pos + value.length, text: value, quoted: false, scanEnd, codeTerminated, followedByCode };
}

const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Stands for a value instead of being one: `${X}`, `$X`, `{{ x }}`, `%(x)s`, `%X%`, `<your-token>`, `***`, `xxx`,
 * `sk_test_...`, `your_api_key`, a version number. */
export function isPlaceholder(v: string): boolean {
  return PLACEHOLDER.test(v);
}

/** One alternation (not nine tests): this runs for every assignment of a secret-like name. */
const PLACEHOLDER = new RegExp(
  [
    String.raw`^\$[A-Za-z_{(]`, // $X ${X} $(cmd)
    String.raw`^\{\{.*\}\}$`, // {{ x }}
    String.raw`^%\(?[A-Za-z_]\w*\)?[sd%]?$`, // %(x)s %x
    String.raw`^%[A-Za-z_]\w*%$`, // %X%
    String.raw`^<[^<>]*>$`, // <your-token>
    String.raw`^\[[^\][]*\]$`, // [token]
    String.raw`^(?:\*+|x{3,}|X{3,}|\.{3,}|…|-+|_+|0+)$`, // *** xxx ... ---
    String.raw`(?:\.{3}|…)$`, // sk_test_...
    String.raw`^[\^~>=<]*v?\d+(?:\.(?:\d+|x|\*)){1,3}(?:[-+][\w.]+)?$`, // "^10.2.2": package.json keys can end in "password"
    String.raw`^(?:your|my|insert|enter|replace)[-_ ]`, // your_api_key
    String.raw`^(?:todo|tbd|fixme|changeit|redacted|none)$`,
  ].join('|'),
  'i',
);

/** A quoted string that interpolates or formats: `"${a}"`, `"{{ b }}"`, `"#{c}"`, `"%(d)s"`, `'%s:%s'`, `"{0}"`, `"{name}"`. */
export function isTemplate(v: string): boolean {
  return /\$\{|\{\{|#\{|%\(|%[sdr]|\{\d*\}|\{[A-Za-z_]\w*\}/.test(v);
}

export function isKeywordLiteral(v: string): boolean {
  return /^(?:null|nil|none|undefined|true|false|yes|no|on|off|nan|empty|required|optional|unset|default)$/i.test(v);
}

/** `/run/secrets/db`, `./x`, `~/.ssh/id`, `C:\\x`; not a base64 value that happens to start with `/`. */
export function isPathLike(v: string): boolean {
  return (/^(?:~|\.{1,2})?\/[^\s]*$/.test(v) || /^[A-Za-z]:[\\/]/.test(v)) && !looksRandom(v, 16);
}

export function isNumberLiteral(v: string): boolean {
  return /^-?(?:0x[\da-f]+|0b[01]+|\d[\d_]*(?:\.\d+)?(?:e-?\d+)?)n?$/i.test(v);
}

export function isIdentifier(v: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(v);
}

const SECRET_WORD = /^(?:pass|passwd|password|pwd|passphrase|secret|secrets|token|tokens|key|keys|apikey|auth|creds?|credentials?)$/;

/** `dbPassword`, `API_KEY`, `auth_token`: a name built from words, one of which says secret. (`r00tPassw0rd` is not.) */
function isNamedLikeSecret(v: string): boolean {
  if (!/pass|pwd|secret|token|key|auth|cred/i.test(v)) return false;
  const words = v
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORD.test(w));
}

/**
 * An unquoted value that is code: a call, index or block (`f(x)`, `a[i]`, `...}`), a member path (`config.db.password`,
 * `process.env.X`), a reference or negation (`&cfg`, `!x`), a keyword, or a variable named like a secret
 * (`api_key = apiKey`: a literal secret is never spelled like its own name), a generic type (`Token<T>`).
 */
export function isCodeReference(v: string): boolean {
  return CODE.test(v) || (isIdentifier(v) && isNamedLikeSecret(v));
}

const CODE = new RegExp(
  [
    String.raw`[()[\]{}]`, // a call, an index, a block
    String.raw`;[A-Za-z_$]|,[A-Za-z_$][\w$]*[:=]`, // minified code: null;let  r,strength:i
    String.raw`\|\||&&|\?\?|\?\.`, // operators: r?.idToken?.secret||
    String.raw`^[A-Za-z_$][\w$.]*<`, // a generic type: Token<T>
    String.raw`^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$`, // a member path: config.db.password
    String.raw`^[&!]|^\*[A-Za-z_]|^(?:=>|->)`, // a reference, a negation, an arrow
    String.raw`^(?:await|new|typeof|yield|function|lambda|async|require|import|not|this|self|super|cls|return|mut|ref|move)$`,
  ].join('|'),
);

/**
 * A quoted string that names a secret instead of being one: `ACCESS_TOKEN = "access_token"`,
 * `LoadAccessToken = "loadAccessToken"`, `'allPass': 'overEvery'` (enum values, event names, keys).
 * Words only, no digits: built from words one of which says secret, a camelCase identifier, or a dotted
 * namespace (`msal.cache.encryption`).
 */
export function isLabel(v: string): boolean {
  if (!/^[A-Za-z][A-Za-z_.-]*$/.test(v)) return false;
  return isNamedLikeSecret(v) || /^[a-z]+(?:[A-Z][a-z]+)+$/.test(v) || /^[a-z]+(?:\.[a-z]+)+$/.test(v);
}

/** A type after `name:` (TypeScript, Python, Kotlin, Rust annotations): `string`, `str`, `SecretStr`, `Buffer`, `Option<String>`. */
export function isTypeName(v: string): boolean {
  return (
    /^(?:string|str|number|int|integer|bool|boolean|bytes|any|unknown|object|char|float|double|long|void|never|u8|i32|i64|usize)\??$/.test(v) ||
    /^[A-Z][a-z]+(?:[A-Z][a-z]+)*\??$/.test(v) ||
    /^&?[A-Za-z_][\w.]*<[^>]*>?/.test(v) ||
    /^&(?:'[a-z]+ )?str$/.test(v)
  );
}
