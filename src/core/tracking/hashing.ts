/**
 * Hashes for re-anchoring. Span contents are identified by SHA-256 (like every content hash in the data
 * model), computed with '\r\n' read as '\n' so a span survives a checkout that changes line endings.
 * Lines are looked up by a fast 53-bit non-cryptographic key: hashing every line of a 10,000-line file
 * with SHA-256 costs ~15 ms; a key match is only a candidate and is then verified by content.
 */
import * as crypto from 'node:crypto';

/** SHA-256 as lowercase hex of the UTF-8 text (same digest as core/model/content's sha256Hex). */
export function sha256Hex(text: string): string {
  // The one-shot crypto.hash (Node >= 20.12) is ~3x faster than createHash for short texts.
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** Text with '\r\n' line breaks read as '\n'. */
export function normaliseBreaks(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

export function contentHash(text: string): string {
  return sha256Hex(normaliseBreaks(text));
}

/** A 53-bit key of text[start, end): two FNV-1a lanes with different multipliers, 32 + 21 bits. */
export function lineKey(text: string, start = 0, end = text.length): number {
  let a = -2128831035; // 0x811c9dc5 as int32
  let b = -1756908916; // 0x9747b28c as int32
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 1540483477);
  }
  return (a >>> 0) * 2097152 + (b >>> 11);
}
