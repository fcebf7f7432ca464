/**
 * The in-toto Statement v1 an export is attested with, and the chain file that lists, for every record
 * of a JSONL export, the store's chain link that vouches for it:
 *
 *   {"n":1,"id":"ed_…","seq":42,"at":"…","prev":"<hash of entry 41>","hash":"<hash of entry 42>","sha256":"<of the line>"}
 *
 * `hash` = SHA-256(prev + canonical JSON of {at, op:"put", prev, record: <the exported line>, seq}), the
 * journal's own link formula, so a verifier recomputes it from the exported record alone.
 */
import { z } from 'zod';
import { Sha256Hex } from '../model/schema';
import { ExportFilter } from './exportFilter';
import { EXPORT_FORMATS } from './exportFormats';

export const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const EXPORT_PREDICATE = 'https://lineagelens.dev/attestations/export/v1';

export const ChainLine = z
  .object({
    n: z.number().int().positive(),
    id: z.string().min(1).max(200),
    seq: z.number().int().positive(),
    at: z.iso.datetime({ offset: true }),
    prev: Sha256Hex,
    hash: Sha256Hex,
    sha256: Sha256Hex,
  })
  .strict();
export type ChainLine = z.infer<typeof ChainLine>;

const Subject = z.object({ name: z.string().min(1).max(1000), digest: z.object({ sha256: Sha256Hex }) });

export const ExportPredicate = z.object({
  format: z.enum(EXPORT_FORMATS),
  exportedAt: z.iso.datetime({ offset: true }),
  exporter: z.object({ name: z.string(), version: z.string() }),
  filter: ExportFilter,
  /** Records included. */
  records: z.number().int().nonnegative(),
  /** Subject names of the data file and (JSONL) its chain file. */
  dataFile: z.string(),
  chainFile: z.string().nullable(),
  store: z.object({ storeId: z.string(), head: z.object({ seq: z.number().int(), hash: Sha256Hex }).nullable() }),
  /**
   * A lineage subgraph exported with the records: what it is the lineage of, how many entities and
   * relations it holds, and the W3C PROV-JSON itself, either as a file (the CLI's `--lineage`: also a
   * subject, so its digest is signed) or as `document`, inside this signed statement (the team server's
   * `lineage=1`: one response, signed with the rest).
   */
  lineage: z
    .object({
      file: z.string().min(1).max(1000).optional(),
      document: z.record(z.string(), z.unknown()).optional(),
      target: z.string().min(1).max(5000),
      entities: z.number().int().nonnegative(),
      relations: z.number().int().nonnegative(),
    })
    .refine((l) => (l.file === undefined) !== (l.document === undefined), { message: 'lineage is either a file or a document' })
    .optional(),
});
export type ExportPredicate = z.infer<typeof ExportPredicate>;

export const ExportStatement = z.object({
  _type: z.literal(IN_TOTO_STATEMENT),
  subject: z.array(Subject).min(1).max(100),
  predicateType: z.literal(EXPORT_PREDICATE),
  predicate: ExportPredicate,
});
export type ExportStatement = z.infer<typeof ExportStatement>;
