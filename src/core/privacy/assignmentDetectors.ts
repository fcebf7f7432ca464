/**
 * Secrets recognised by the NAME they are assigned to rather than by their own shape:
 * `password = ...`, `DB_PASSWORD=...`, `"api_key": "..."`, `client_secret: ...`, `<password>...</password>`,
 * `--token ...`, `curl -u user:pass`. The AWS secret access key is a named secret of 40 base64
 * characters under an aws_secret_access_key-like name.
 *
 * Syntaxes: `=`, `:`, `:=`, `=>`, a prose `is` (`my password is hunter2x`), with or without quotes around
 * the name or the value (JSON, YAML, .env, shell, TOML, HCL, Python/TS/Go/Java/PHP/Ruby), any case,
 * optional type annotations (`password: str = "..."`). Only the value is replaced.
 */
import {
  isCodeReference,
  isIdentifier,
  isKeywordLiteral,
  isLabel,
  isNumberLiteral,
  isPathLike,
  isPlaceholder,
  isTemplate,
  isTypeName,
  readAssignedValue,
  type AssignedValue,
} from './assignedValue';
import { patternDetector, type Detector } from './detector';
import { gibberishRatio } from './randomness';
import type { SecretKind } from './secretKind';

type Family = 'password' | 'api-key' | 'secret' | 'token';

const FAMILY_KIND: Record<Family, SecretKind> = {
  password: 'password',
  'api-key': 'generic-api-key',
  secret: 'generic-secret',
  token: 'generic-token',
};

/** The secret-bearing word must END the name (`db_password`, `apiKey`, `GITHUB_TOKEN`), so that
 * `password_hash`, `tokenizer`, `api_key_id` and `max_tokens` are not matched. */
const SECRET_NAME = String.raw`(?<word>pass(?:w(?:or)?d|phrase)?|pwd|secret|token|api[_. -]?key|apikey|(?:access|secret|private|signing|encryption|master|app|client)[_.-]?key)(?:[_.-]?(?:base|v?\d{1,2}))?`;
const SEPARATOR = String.raw`(?<assign>(?<close>\\?["'\x60]\]?)?[?!]?[ \t]*(?<sep>=>|:=|=(?![=~>])|:(?![:=])|,|(?<=[ \t])is(?=[ \t]))[ \t]*)`;

/** `password: str = "..."`, `apiKey: string = '...'`: skip the annotation to reach the value. */
const TYPE_ANNOTATION = /[A-Za-z_&*][\w.[\]<>|&,?* ]{0,60}?[ \t]+=(?![=>])[ \t]*/y;

/** `${` within the 40 characters before the name (a bounded look: `lastIndexOf` would scan the whole text). */
function insideShellExpansion(text: string, nameStart: number): boolean {
  for (let i = nameStart - 1; i > 0 && i >= nameStart - 40; i--) {
    if (text.charCodeAt(i) === 123 && text.charCodeAt(i - 1) === 36) return true; // ${
    if (text.charCodeAt(i) === 10) return false;
  }
  return false;
}

/** An `=` within the next 64 characters of the line: the only case where a type annotation can precede a value. */
function hasEqualsSoon(text: string, from: number): boolean {
  const end = Math.min(text.length, from + 64);
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 61) return true; // =
    if (c === 10 || c === 13) return false;
  }
  return false;
}

const API_KEY_WORD = /^api[_. -]?key$/i;

function familyOf(word: string): Family {
  const first = word.charCodeAt(0) | 0x20; // ASCII lower case
  const second = word.charCodeAt(1) | 0x20;
  // pass, password, passwd, passphrase, pwd (but not private_key)
  if (first === 112 /* p */ && (second === 97 /* a */ || second === 119) /* w */) return 'password';
  if (API_KEY_WORD.test(word)) return 'api-key';
  if (first === 116 /* t */) return 'token';
  return 'secret';
}

/** `pass` and `pwd` are too short to be trusted inside a longer word (`bypass`, `cwd`): they must start
 * the name, follow a separator (`DB_PASS`) or start a camelCase part (`dbPass`). */
function startsAtNameBoundary(text: string, index: number): boolean {
  const before = text[index - 1] ?? '';
  if (!/[A-Za-z0-9]/.test(before)) return true;
  return /[a-z0-9]/.test(before) && /[A-Z]/.test(text[index]!);
}

/** `"X-Api-Key", "..."`, `'Private-Token', '...'`: an HTTP header name passed with its value. */
function isHeaderName(text: string, wordStart: number): boolean {
  let i = wordStart;
  while (i > 0 && wordStart - i < 40 && /[\w-]/.test(text[i - 1]!)) i--;
  return text.slice(i, wordStart).includes('-') && /["'\x60]/.test(text[i - 1] ?? '');
}

function acceptsValue(value: AssignedValue, word: string, family: Family, sep: string, spacedSeparator: boolean): boolean {
  const v = value.text;
  if (!/[A-Za-z0-9]/.test(v) || isPlaceholder(v) || v.toLowerCase() === word.toLowerCase()) return false; // PASS: "pass", an enum label
  if (sep === ',' && !value.quoted) return false;
  if (sep === 'is') return acceptsProse(v, family) && !isKeywordLiteral(v) && !isCodeReference(v);
  if (value.quoted) {
    if (isTemplate(v) || isPathLike(v) || isLabel(v)) return false;
    // A token or key is not a lower-case word (`token: \`linkified\`` names a syntax-highlighting token).
    if (family === 'token' || family === 'api-key') return v.length >= 8 && !/\s/.test(v) && !/^[a-z_.-]+$/.test(v);
    // Words and spaces only is a sentence or a label (`"Enter your password"`, `'The "pass" statement'`),
    // not a passphrase; a passphrase with a digit or a symbol still goes.
    return v.trim().length > 0 && (!/\s/.test(v) || /[^A-Za-z\s]/.test(v));
  }
  // `name = value more code` is code, except the shell/libpq form `PASSWORD=x cmd`, `user=a password=b`.
  if (value.followedByCode && spacedSeparator) return false;
  if (isKeywordLiteral(v) || isCodeReference(v) || isPathLike(v)) return false;
  if (value.codeTerminated && (isIdentifier(v) || isNumberLiteral(v))) return false;
  if (sep === ':' && isTypeName(v)) return false;
  // Tokens and keys have digits; a bare word there is a variable (`self.token = nextchar`).
  if (family !== 'password') return v.length >= 8 && !/^[A-Za-z_]+$/.test(v);
  return true;
}

/** "my password is hunter2x", "the API key is 9f8e...": the value must look like a credential, not the
 * next word of a sentence (words have no digits; "2FA-protected" is too short). */
function acceptsProse(v: string, family: Family): boolean {
  if (family === 'password') return v.length >= 6 && /[A-Za-z]/.test(v) && /[^A-Za-z]/.test(v);
  return v.length >= 16 && /[0-9]/.test(v) && /[A-Za-z]/.test(v) && gibberishRatio(v) >= 0.15;
}

/** `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, `"SecretAccessKey": "..."`,
 * `AWS_SECRET_KEY=...`, Terraform's `secret_key = "..."`: 40 base64 characters under a name that says
 * AWS, secret access key or secret key. (Only the kind depends on this; the value goes either way.) */
function isAwsSecretAccessKey(text: string, wordStart: number, word: string, value: string): boolean {
  if (!/^[A-Za-z0-9/+]{40}$/.test(value)) return false;
  if (/^secret[_.-]?key$/i.test(word)) return true;
  const name = text.slice(Math.max(0, wordStart - 40), wordStart + word.length).toLowerCase();
  return /aws|secret[_.-]?access/.test(name);
}

const SENTENCE_END = /[.,;:!?)]+$/;
// Hoisted: a regex literal inside the loop would allocate a RegExp object per match.
const SHORT_WORD = /^(?:pass|pwd)$/i;
const HAS_SPACE = /[ \t]/;

export function namedSecretDetector(): Detector {
  // Numbered groups in the hot loop: building a `groups` object for every match costs ~1 µs, which is
  // most of the time on a text that is nothing but `password: x` lines. 1 word, 2 assign, 3 close, 4 sep.
  const re = new RegExp((SECRET_NAME + SEPARATOR).replace(/\(\?<[a-z]+>/g, '('), 'gi');
  return {
    name: 'named-secret',
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const word = m[1]!;
        const sep = m[4]!.toLowerCase();
        const family = familyOf(word);
        if (SHORT_WORD.test(word) && !startsAtNameBoundary(text, m.index)) continue;
        if (sep === ',' && !(m[3] && isHeaderName(text, m.index))) continue;
        let valueStart = m.index + m[0].length;
        const shellDefault = sep === ':' && insideShellExpansion(text, m.index);
        if (shellDefault) {
          // Shell expansion `${DB_PASSWORD:-default}` / `${X:=default}` / `${X:?error message}`.
          const op = text[valueStart];
          if (op === '?') continue;
          if (op === '-' || op === '=') valueStart++;
        } else if (sep === ':' && hasEqualsSoon(text, valueStart)) {
          TYPE_ANNOTATION.lastIndex = valueStart;
          const annotation = TYPE_ANNOTATION.exec(text);
          if (annotation && !/[\r\n]/.test(annotation[0])) valueStart += annotation[0].length;
        }
        const before = text[m.index - 1];
        const value = readAssignedValue(text, valueStart, before === '?' || before === '&');
        if (!value) continue;
        if (shellDefault) value.codeTerminated = false; // the `}` closes the expansion, not a code block
        if (sep === 'is' && !value.quoted) {
          const trimmed = value.text.replace(SENTENCE_END, '');
          value.end = value.start + trimmed.length;
          value.text = trimmed;
          if (!trimmed) continue;
        }
        const aws = family === 'secret' && isAwsSecretAccessKey(text, m.index, word, value.text);
        if (!aws && !acceptsValue(value, word, family, sep, HAS_SPACE.test(m[2]!))) continue;
        const kind = aws ? 'aws-secret-access-key' : FAMILY_KIND[family];
        out.push({ start: value.start, end: value.end, kind });
        re.lastIndex = Math.max(re.lastIndex, value.scanEnd);
      }
    },
  };
}

/** `<password>...</password>`, `<apiKey>...</apiKey>` (Maven settings.xml, .NET config, Spring XML). */
export function xmlElementDetector(): Detector {
  const re = /<(?<tag>[\w:.-]{0,40}?(?<word>password|passwd|passphrase|secret|token|api[_-]?key|apikey|secret[_-]?key|private[_-]?key))>(?<secret>[^<\r\n]{1,512})<\//dgi;
  return {
    name: 'xml-element',
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const [start, end] = m.indices!.groups!.secret!;
        const v = m.groups!.secret!.trim();
        if (!v || isPlaceholder(v) || isTemplate(v)) continue;
        out.push({ start, end, kind: FAMILY_KIND[familyOf(m.groups!.word!)] });
      }
    },
  };
}

/** `--password hunter2`, `--token=abc...`, `-api-key "..."`: command lines in shell scripts, CI files, prompts. */
export function commandLineFlagDetector(): Detector {
  const re = /(?<![\w-])--?(?:[\w-]{0,40}[_-])?(?<word>password|passwd|passphrase|pwd|token|secret|api-?key|apikey)(?:=|[ \t]+)(?=[^\s-])/gi;
  return {
    name: 'command-line-flag',
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const value = readAssignedValue(text, m.index + m[0].length);
        if (!value) continue;
        const v = value.text;
        const family = familyOf(m.groups!.word!);
        if (isPlaceholder(v) || isKeywordLiteral(v) || isTemplate(v) || isPathLike(v)) continue;
        if (!value.quoted && (isCodeReference(v) || /^[A-Z][A-Z0-9_]*$/.test(v))) continue; // TOKEN, YOUR_TOKEN: documentation
        if (family !== 'password' && v.length < 8) continue;
        out.push({ start: value.start, end: value.end, kind: FAMILY_KIND[family] });
      }
    },
  };
}

/** `curl -u user:password ...` / `curl --user 'user:password'`. */
export function curlUserDetector(): Detector {
  return patternDetector(
    'curl-user',
    'password',
    /(?<![\w-])curl\b[^\r\n]{0,300}?[ \t](?:-u|--user)[ \t]+["']?[^\s:'"]{1,100}:(?<secret>[^\s'"]{1,256})/g,
    { accept: (v) => !isPlaceholder(v) && !isTemplate(v) && !/^[A-Z][A-Z0-9_]*$/.test(v) }, // USER:PASSWORD is documentation
  );
}

