/**
 * Privacy levels: how much of prompts and code a record keeps.
 *
 * | level      | prompt content          | code (insertedText, deletedText) |
 * |------------|-------------------------|----------------------------------|
 * | `full`     | text                    | text                             |
 * | `redacted` | redacted (secrets gone) | redacted                         |
 * | `hash`     | hash                    | hash                             |
 * | `off`      | none                    | hash                             |
 *
 * `sha256` is always the hash of the ORIGINAL text, at every level, so the same edit hashes the same on
 * every machine. Levels never weaken content: a Content already stored more strictly than the level asks
 * keeps its stricter form (a `hash` stays a hash under `full`), so re-applying any level, or syncing
 * under a looser server setting, can never bring text back.
 */
import { z } from 'zod';
import { hashOnlyContent, sha256Hex, textContent } from '../model/content';
import type { AiEditSession, Content, EditEvent, Prompt, ProvenanceRecord } from '../model/schema';
import { redactSecrets } from './redact';

export const PrivacyLevel = z.enum(['full', 'redacted', 'hash', 'off']);
export type PrivacyLevel = z.infer<typeof PrivacyLevel>;

/** The default of the `lineagelens.privacy` setting. */
export const DEFAULT_PRIVACY_LEVEL: PrivacyLevel = 'redacted';

export type ContentRole = 'prompt' | 'code';

type Form = Content['form'];

/** How much a form reveals, most first. */
const FORM_STRICTNESS: Record<Form, number> = { text: 0, redacted: 1, hash: 2, none: 3 };
const LEVEL_STRICTNESS: Record<PrivacyLevel, number> = { full: 0, redacted: 1, hash: 2, off: 3 };

/** The form a level asks for. */
export function formFor(level: PrivacyLevel, role: ContentRole): Form {
  switch (level) {
    case 'full':
      return 'text';
    case 'redacted':
      return 'redacted';
    case 'hash':
      return 'hash';
    case 'off':
      return role === 'prompt' ? 'none' : 'hash';
  }
}

/** True when level `a` reveals no more than level `b` (sync: never send more than the local level allows). */
export function isAtMostAsRevealing(a: PrivacyLevel, b: PrivacyLevel): boolean {
  return LEVEL_STRICTNESS[a] >= LEVEL_STRICTNESS[b];
}

/** The stricter of two levels. */
export function stricterLevel(a: PrivacyLevel, b: PrivacyLevel): PrivacyLevel {
  return isAtMostAsRevealing(a, b) ? a : b;
}

/** True when `content` reveals no more than `level` allows for its role (a check for incoming records). */
export function contentWithinLevel(content: Content, level: PrivacyLevel, role: ContentRole): boolean {
  return FORM_STRICTNESS[content.form] >= FORM_STRICTNESS[formFor(level, role)];
}

/** A Content for raw text at a level. Text too large to scan for secrets is kept as a hash under `redacted`. */
export function contentFor(text: string, level: PrivacyLevel, role: ContentRole): Content {
  const form = formFor(level, role);
  if (form === 'text') return textContent(text);
  if (form === 'hash') return hashOnlyContent(text);
  if (form === 'none') return { form: 'none' };
  const r = redactSecrets(text);
  if (r.withheld) return hashOnlyContent(text);
  return { form: 'redacted', text: r.text, sha256: sha256Hex(text), redactions: r.redactions };
}

/**
 * Restricts an existing Content to a level. Never weakens: content already at the level's form or a
 * stricter one is kept, except that redacted text is redacted again (idempotent; it picks up secrets
 * that detectors added since it was stored). The original `sha256` is carried over, never recomputed.
 */
export function restrictContent(content: Content, level: PrivacyLevel, role: ContentRole): Content {
  const target = formFor(level, role);
  if (content.form === 'none') return content;
  if (target === 'none') return { form: 'none' };
  if (target === 'hash' || content.form === 'hash') return { form: 'hash', sha256: content.sha256 };
  if (target === 'text') return content; // text stays text, redacted stays redacted
  const r = redactSecrets(content.text);
  if (r.withheld) return { form: 'hash', sha256: content.sha256 };
  const earlier = content.form === 'redacted' ? content.redactions : 0;
  return { form: 'redacted', text: r.text, sha256: content.sha256, redactions: earlier + r.redactions };
}

function restrictPrompt(prompt: Prompt, level: PrivacyLevel): Prompt {
  return { ...prompt, content: restrictContent(prompt.content, level, 'prompt') };
}

/** A copy of the record with every Content (prompts and code) restricted to `level`. */
export function applyPrivacy<R extends ProvenanceRecord>(record: R, level: PrivacyLevel): R {
  if (record.kind === 'edit') {
    const edit: EditEvent = {
      ...record,
      prompt: record.prompt === null ? null : restrictPrompt(record.prompt, level),
      insertedText: restrictContent(record.insertedText, level, 'code'),
      deletedText: restrictContent(record.deletedText, level, 'code'),
    };
    return edit as R;
  }
  const session: AiEditSession = { ...record, prompts: record.prompts.map((p) => restrictPrompt(p, level)) };
  return session as R;
}
