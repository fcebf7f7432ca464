/**
 * What the server stores of an uploaded record under a policy: the record restricted to the capture level
 * that applies to it (core/privacy: `redacted` removes secrets, `hash` keeps only hashes, `off` keeps no
 * prompt and only the hash of the code). Every Content keeps the SHA-256 of the ORIGINAL text at every
 * level, so whoever holds the original (the client's store) can still prove it is the text that was
 * captured. Pure: the server verifies the upload chain over the bytes it received, then stores this.
 */
import { canonicalJson } from '../chain/canonicalJson';
import type { Content, ProvenanceRecord } from '../model/schema';
import { applyPrivacy, type PrivacyLevel } from '../privacy/privacyLevel';
import { captureLevel, type PolicyBody, type RecordScope } from './policy';

export interface EnforcedRecord {
  level: PrivacyLevel;
  /** The record to store (the same object when the level asked for nothing to change). */
  record: ProvenanceRecord;
  /** Canonical JSON of `record` when enforcement changed it; null when the record is stored as received. */
  json: string | null;
}

/** Where a record comes from. Teams are not modelled yet: a record's team is null until they are. */
export function scopeOf(record: ProvenanceRecord, teams: readonly string[] = []): RecordScope {
  return { teams, repo: (record.kind === 'edit' ? record.file.repo : record.repo)?.id ?? null };
}

export function enforceCapture(policy: PolicyBody, record: ProvenanceRecord, scope: RecordScope = scopeOf(record)): EnforcedRecord {
  const level = captureLevel(policy, scope);
  if (level === 'full') return { level, record, json: null };
  const restricted = applyPrivacy(record, level);
  // A record the client already sent at this level (or stricter) is stored as received.
  return sameContents(record, restricted) ? { level, record, json: null } : { level, record: restricted, json: canonicalJson(restricted) };
}

function sameContent(a: Content, b: Content): boolean {
  if (a === b) return true;
  if (a.form !== b.form) return false;
  if (a.form === 'none' || b.form === 'none') return true;
  if (a.sha256 !== b.sha256) return false;
  if (a.form === 'hash' || b.form === 'hash') return true;
  return a.text === b.text && (a.form === 'text' || (b.form === 'redacted' && a.redactions === b.redactions));
}

/** applyPrivacy changes nothing but Contents: the record is unchanged when every Content is. */
function sameContents(a: ProvenanceRecord, b: ProvenanceRecord): boolean {
  if (a.kind === 'edit' && b.kind === 'edit') {
    const prompts = a.prompt === null || b.prompt === null ? a.prompt === b.prompt : sameContent(a.prompt.content, b.prompt.content);
    return prompts && sameContent(a.insertedText, b.insertedText) && sameContent(a.deletedText, b.deletedText);
  }
  if (a.kind === 'session' && b.kind === 'session') return a.prompts.every((p, i) => sameContent(p.content, b.prompts[i]!.content));
  return false;
}
