/**
 * What the index keeps of each journal entry. Built from a committed entry of this process (records
 * already validated) or from a line read back from the journal, which is outside input: there only the
 * fields the index needs are checked, with a lenient zod schema (the whole record is validated with the
 * full schema whenever it is read out of the store).
 */
import { z } from 'zod';
import type { ChainEntry } from '../../chain/chainEntry';
import { lineSpan } from '../../model/agentTrace';
import { Disposition, type Model, ModelRef, type ProvenanceRecord } from '../../model/schema';
import type { JournalLocation } from '../journal/journalWriter';
import { type LineageFacts, lineageFactsOf } from '../../lineage/lineageFacts';

/** What the index keeps of a record, apart from where it is in the journal. */
export interface RowFields {
  kind: 0 | 1;
  id: string;
  repo: string | null;
  remote: string | null;
  path: string | null;
  session: string;
  tool: string;
  model: string;
  time: number;
  timeEnd: number | null;
  disposition: number | null;
  lineStart: number | null;
  lineEnd: number | null;
  contentHash: string | null;
  /**
   * What the lineage tables take from the record (null when lineage is off or the record has none), or
   * LIN_FROM_JOURNAL: computed from the record's journal line when the lineage queue is folded (this
   * process's own appends: the facts cost ~10 us per record, and the queue is folded only when a lineage
   * question or a prune needs it).
   */
  lin: LineageFacts | typeof LIN_FROM_JOURNAL | null;
}

/** RowFields.lin of a record whose lineage facts are read from its journal line when they are folded. */
export const LIN_FROM_JOURNAL = 'journal';

export type IndexOp = ({ op: 'put'; seq: number; fields: RowFields } & JournalLocation) | { op: 'prune'; seq: number; toSeq: number };

export const DISPOSITIONS: readonly Disposition[] = ['pending', 'accepted', 'rejected', 'partially_kept'];
export const REJECTED = DISPOSITIONS.indexOf('rejected');

export function modelKey(model: Model): string {
  if (model === 'unknown') return 'unknown';
  return model.provider ? `${model.provider}/${model.id}` : model.id;
}

const Position = z.object({ line: z.number().int().nonnegative(), character: z.number().int().nonnegative() });
const Repo = z.object({ id: z.string().min(1), remote: z.string().optional() }).nullable();
const Common = { id: z.string().min(1).max(200), tool: z.object({ name: z.string().min(1) }), model: z.union([ModelRef, z.literal('unknown')]) };

/** The subset of a record the index reads; everything else is left alone (and not copied). */
const IndexedFields = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('edit'),
    ...Common,
    time: z.iso.datetime({ offset: true }),
    sessionId: z.string().min(1),
    file: z.object({ path: z.string().min(1), repo: Repo }),
    rangeAfter: z.object({ start: Position, end: Position }),
    disposition: Disposition,
    contentHash: z.string(),
  }),
  z.object({
    kind: z.literal('session'),
    ...Common,
    repo: Repo,
    startedAt: z.iso.datetime({ offset: true }),
    endedAt: z.iso.datetime({ offset: true }),
  }),
]);

/**
 * Index fields of a record: `record` must already be a valid ProvenanceRecord. Object literals are
 * written out in full: this runs for every record, and V8 builds spread literals several times slower.
 */
export function rowFieldsOf(record: ProvenanceRecord, lineage: boolean | typeof LIN_FROM_JOURNAL = true): RowFields {
  const lin = lineage === LIN_FROM_JOURNAL ? LIN_FROM_JOURNAL : lineage ? lineageFactsOf(record) : null;
  if (record.kind === 'edit') {
    const span = lineSpan(record.rangeAfter);
    return {
      kind: 0,
      id: record.id,
      repo: record.file.repo?.id ?? null,
      remote: record.file.repo?.remote ?? null,
      path: record.file.path,
      session: record.sessionId,
      tool: record.tool.name,
      model: modelKey(record.model),
      time: Date.parse(record.time),
      timeEnd: null,
      disposition: DISPOSITIONS.indexOf(record.disposition),
      lineStart: span ? span.start - 1 : null,
      lineEnd: span ? span.end - 1 : null,
      contentHash: record.contentHash, // a valid record's is a SHA-256 hex digest (indexOpOfEntry checks read-back ones)
      lin,
    };
  }
  return {
    kind: 1,
    id: record.id,
    repo: record.repo?.id ?? null,
    remote: record.repo?.remote ?? null,
    path: null,
    session: record.id,
    tool: record.tool.name,
    model: modelKey(record.model),
    time: Date.parse(record.startedAt),
    timeEnd: Date.parse(record.endedAt),
    disposition: null,
    lineStart: null,
    lineEnd: null,
    contentHash: null,
    lin,
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Index op of an entry read back from the journal; null (with the reason) when its record is unusable. */
export function indexOpOfEntry(entry: ChainEntry, location: JournalLocation): IndexOp | { error: string } {
  if (entry.op === 'prune') return { op: 'prune', seq: entry.seq, toSeq: entry.prune.removed.toSeq };
  const parsed = IndexedFields.safeParse(entry.record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `entry ${entry.seq}: record lacks what the index needs (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})` };
  }
  // The checked subset has every field rowFieldsOf reads; only the content hash may not be a digest.
  const fields = rowFieldsOf(parsed.data as unknown as ProvenanceRecord, false);
  // The lenient subset has no text or prompts: lineage facts come from the whole record as read.
  fields.lin = lineageFactsOf(entry.record);
  if (fields.contentHash !== null && !SHA256_HEX.test(fields.contentHash)) fields.contentHash = null;
  return { op: 'put', seq: entry.seq, segment: location.segment, offset: location.offset, length: location.length, fields };
}
