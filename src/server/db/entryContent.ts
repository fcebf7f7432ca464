/**
 * The one check both backends make on every uploaded chain entry: that its hash covers the record as
 * received. Clients send records in canonical form: then JSON.stringify of the parsed record is those
 * very bytes, and a matching hash proves it. Otherwise (another client) canonicalise and check again.
 */
import { canonicalJson } from '../../core/chain/canonicalJson';
import { linkHash } from '../../core/chain/chainEntry';
import type { UploadEntry } from '../../core/sync/uploadChain';

/** The record's JSON as chained, or null when the entry's hash does not match its content. */
export function verifiedRecordJson(entry: UploadEntry, rawRecord: unknown): string | null {
  const hashOf = (json: string) => linkHash(entry.prev, `{"prev":"${entry.prev}","record":${json},"seq":${entry.seq}}`);
  const asSent = JSON.stringify(rawRecord);
  if (hashOf(asSent) === entry.hash) return asSent;
  const canonical = canonicalJson(rawRecord);
  return canonical !== asSent && hashOf(canonical) === entry.hash ? canonical : null;
}

/** verifiedRecordJson of every entry, each against its record as received (`raw`, parallel to `entries`). */
export function verifyEntries(entries: readonly UploadEntry[], raw: readonly { record: unknown }[]): (string | null)[] {
  return entries.map((entry, i) => verifiedRecordJson(entry, raw[i]!.record));
}
