/** Building Content values and hashes. Redaction by privacy level is in core/privacy (the store applies it before writes). */
import { createHash } from 'node:crypto';
import type { Content } from './schema';

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function textContent(text: string): Content {
  return { form: 'text', text, sha256: sha256Hex(text) };
}

export function hashOnlyContent(text: string): Content {
  return { form: 'hash', sha256: sha256Hex(text) };
}

/** The text of a Content when it is stored, else undefined. */
export function contentText(c: Content): string | undefined {
  return c.form === 'text' || c.form === 'redacted' ? c.text : undefined;
}

/** The hash of the original text, when any was given. */
export function contentHash(c: Content): string | undefined {
  return c.form === 'none' ? undefined : c.sha256;
}
