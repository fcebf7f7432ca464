/**
 * PEM/PGP private key blocks: `-----BEGIN <anything> PRIVATE KEY-----` (RSA, EC, DSA, OPENSSH, ENCRYPTED,
 * PGP ... BLOCK) through the END line, with real newlines or escaped `\n` inside a string literal. The
 * whole block becomes one marker.
 *
 * Keys arrive damaged in edits and prompts, and every fragment of key material is secret, so besides the
 * whole block this finds:
 * - a BEGIN line without its END (an edit that stops mid-key): the BEGIN line and the key lines after it
 *   (base64 lines and `Name: value` armor headers, up to the first line that is neither). A BEGIN line
 *   with nothing key-like after it (code that checks for the header) is left alone;
 * - an END line without its BEGIN (an edit that starts mid-key, or text inserted into a key): the key
 *   lines before it, read backwards line by line.
 *
 * Linear: a block's body may not contain `-----`, so each BEGIN scans at most to the next dashes; header
 * values are matched atomically (lookahead + backreference) so a long line is not re-scanned; each END
 * walks back at most MAX_ORPHAN_LINES lines of at most 200 characters.
 */
import type { Detector } from './detector';

const KEY_HEADER = String.raw`-----BEGIN[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----`;
const KEY_FOOTER = String.raw`-----END[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----`;
const NEWLINE = String.raw`(?:\r?\n|\\r?\\n)`;
const LINE_END = String.raw`(?=[ \t]*(?:\r?\n|\\r?\\n|["'\x60,;)]|$))`;
/** A base64 line, or an armor header (`Proc-Type: 4,ENCRYPTED`) whose value is taken atomically. */
const KEY_LINE = String.raw`(?:[A-Za-z0-9+/=]{4,200}|[A-Za-z][A-Za-z-]{1,30}:(?=(?<headerValue>[^\r\n\\]{0,200}))\k<headerValue>)`;
const WHOLE_OR_CUT_BLOCK = new RegExp(
  `${KEY_HEADER}(?:(?:[^-]|-(?!----)){0,200000}${KEY_FOOTER}|(?<body>(?:[ \\t]*${NEWLINE}[ \\t]*(?:${KEY_LINE})?${LINE_END}){0,5000}))`,
  'g',
);
const FOOTER = new RegExp(KEY_FOOTER, 'g');

const MAX_ORPHAN_LINES = 2000;
/** Key material in a cut block or before an orphan END: at least this many base64 characters. */
const MIN_KEY_CHARS = 16;

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
}

function skipSpacesBack(text: string, i: number): number {
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i;
}

/** Length of the line break (real, CRLF, or escaped `\n` / `\r\n`) that ends at `i`, or 0. */
function lineBreakBefore(text: string, i: number): number {
  if (text[i - 1] === '\n') return text[i - 2] === '\r' ? 2 : 1;
  if (text[i - 1] === 'n' && text[i - 2] === '\\') return text[i - 3] === 'r' && text[i - 4] === '\\' ? 4 : 2;
  return 0;
}

/** Where the key lines before an END line at `footerStart` begin, or -1 when there are none. */
function orphanBodyStart(text: string, footerStart: number): number {
  let lineStart = footerStart;
  let start = -1;
  let keyChars = 0;
  for (let lines = 0; lines < MAX_ORPHAN_LINES; lines++) {
    const beforeBreak = skipSpacesBack(text, lineStart);
    const br = lineBreakBefore(text, beforeBreak);
    if (br === 0) break;
    const contentEnd = skipSpacesBack(text, beforeBreak - br);
    let k = contentEnd;
    while (k > 0 && contentEnd - k < 200 && isBase64Char(text.charCodeAt(k - 1))) k--;
    if (text[k - 1] === '\\' && text[k] === 'n') k++; // the `n` of an escaped line break, not key material
    const before = skipSpacesBack(text, k);
    if (before > 0 && lineBreakBefore(text, before) === 0) break; // the line holds something else
    if (k < contentEnd) {
      start = k;
      keyChars += contentEnd - k;
    }
    lineStart = before;
  }
  return keyChars >= MIN_KEY_CHARS ? start : -1;
}

export function privateKeyDetector(): Detector {
  return {
    name: 'private-key',
    find(text, out) {
      WHOLE_OR_CUT_BLOCK.lastIndex = 0;
      for (let m = WHOLE_OR_CUT_BLOCK.exec(text); m !== null; m = WHOLE_OR_CUT_BLOCK.exec(text)) {
        const body = m.groups?.body;
        if (body !== undefined && !new RegExp(`[A-Za-z0-9+/]{${MIN_KEY_CHARS}}`).test(body)) continue;
        out.push({ start: m.index, end: m.index + m[0].length, kind: 'private-key' });
      }
      FOOTER.lastIndex = 0;
      for (let m = FOOTER.exec(text); m !== null; m = FOOTER.exec(text)) {
        const start = orphanBodyStart(text, m.index);
        if (start >= 0) out.push({ start, end: m.index + m[0].length, kind: 'private-key' });
      }
    },
  };
}
