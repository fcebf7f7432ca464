/**
 * `lineagelens export` and the editor's "Export..." command: records of the store, filtered, in one
 * format, streamed to a file; for JSONL (and in-toto) a chain file alongside; optionally signed.
 *
 *   FILE                         the export (for `intoto`: the DSSE envelope itself)
 *   FILE.chain.jsonl             JSONL: the chain link of every record (statement.ts)
 *   FILE.sig.json                with --sign: a DSSE envelope (Ed25519) around an in-toto Statement v1
 *                                whose subjects are FILE and FILE.chain.jsonl by SHA-256
 *   intoto: FILE is the envelope; its subjects are FILE.records.jsonl and FILE.records.jsonl.chain.jsonl
 *
 * `onProgress` is called every 1,000 records; `isCancelled` is checked as often, and a cancelled export
 * removes what it wrote.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { putLineParts } from '../chain/chainEntry';
import { sha256Hex } from '../model/content';
import type { StoreLayout } from '../store/storeHome';
import type { ExportFilter } from './exportFilter';
import { agentTraceWriter, csvWriter, type ExportFormat, type FormatWriter, jsonlWriter, markdownWriter } from './exportFormats';
import { GitLedger } from '../git/gitLedger';
import type { GitRecord, ReviewMark } from '../git/gitRecords';
import { HashingWriter } from './hashingWriter';
import { type ScanProblem, scanJournalRecords } from './journalRecords';
import { loadPrivateKey, signEnvelope } from './signing';
import type { ProvDocument } from '../lineage/provJson';
import { type ExportStatement, EXPORT_PREDICATE, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT } from './statement';

export class ExportCancelled extends Error {
  constructor() {
    super('the export was cancelled; partial files were removed');
    this.name = 'ExportCancelled';
  }
}

export interface ExportOptions {
  layout: StoreLayout;
  storeId: string;
  format: ExportFormat;
  out: string;
  filter: ExportFilter;
  sign: boolean;
  exporter: { name: string; version: string };
  onProgress?: (records: number) => void;
  isCancelled?: () => boolean;
  onProblem?: (p: ScanProblem) => void;
  /** The signing key when it does not live in `<home>/keys/` (the editor keeps it in SecretStorage). */
  privateKey?: KeyObject;
  /** A lineage subgraph to ship alongside (FILE.lineage.prov.json, a signed subject when signing). */
  lineage?: { target: string; document: ProvDocument };
}

export function lineagePath(dataFile: string): string {
  return `${dataFile}.lineage.prov.json`;
}

/** Entities and relations of a PROV-JSON document (what the statement promises and verify recounts). */
export function provCounts(doc: Record<string, unknown>): { entities: number; relations: number } {
  let relations = 0;
  for (const [k, v] of Object.entries(doc)) if (!['prefix', 'entity', 'activity', 'agent'].includes(k) && v && typeof v === 'object') relations += Object.keys(v).length;
  const entity = doc.entity;
  return { entities: entity && typeof entity === 'object' ? Object.keys(entity).length : 0, relations };
}

export interface ExportResult {
  records: number;
  skipped: number;
  files: { path: string; sha256: string; bytes: number }[];
  signature: string | null;
}

export function signaturePath(file: string): string {
  return `${file}.sig.json`;
}
export function chainPath(file: string): string {
  return `${file}.chain.jsonl`;
}

export function exportRecords(options: ExportOptions): ExportResult {
  const intoto = options.format === 'intoto';
  const privateKey = options.sign || intoto ? (options.privateKey ?? loadPrivateKey(options.layout.home)) : null; // fail before writing anything
  const dataPath = intoto ? `${options.out}.records.jsonl` : options.out;
  const withChain = options.format === 'jsonl' || intoto;
  const data = new HashingWriter(dataPath);
  const chain = withChain ? new HashingWriter(chainPath(dataPath)) : null;
  const lineage = options.lineage ? new HashingWriter(lineagePath(dataPath)) : null;
  const written = [dataPath, ...(chain ? [chain.file] : []), ...(lineage ? [lineage.file] : [])];
  const cleanup = () => {
    data.abort();
    chain?.abort();
    lineage?.abort();
    for (const f of written) rmSync(f, { force: true });
  };
  let writer: FormatWriter;
  if (options.format === 'csv') writer = csvWriter(data);
  else if (options.format === 'agent-trace') writer = agentTraceWriter(data);
  else if (options.format === 'markdown') {
    const reviews = reviewIndex(new GitLedger(options.layout.home).readAll());
    writer = markdownWriter(data, options.layout.journalDir, `LineageLens audit report (${new Date().toISOString()})`, reviews);
  }
  else writer = jsonlWriter(data);
  let n = 0;
  let summary;
  try {
    summary = scanJournalRecords(
      options.layout,
      options.filter,
      (r) => {
        writer.record(r);
        n++;
        if (chain) chain.write(`${JSON.stringify({ n, id: r.record.id, seq: r.link.seq, at: r.link.at, prev: r.link.prev, hash: r.link.hash, sha256: sha256Hex(r.canonical) })}\n`);
        if (n % 1_000 === 0) {
          options.onProgress?.(n);
          if (options.isCancelled?.()) throw new ExportCancelled();
        }
      },
      options.onProblem,
    );
    writer.end();
  } catch (err) {
    cleanup();
    throw err;
  }
  const files = [{ path: dataPath, ...data.close() }];
  if (chain) files.push({ path: chain.file, ...chain.close() });
  if (lineage) {
    lineage.write(`${JSON.stringify(options.lineage!.document, null, 2)}\n`);
    files.push({ path: lineage.file, ...lineage.close() });
  }
  options.onProgress?.(n);
  let signature: string | null = null;
  if (privateKey) {
    const envelopePath = intoto ? options.out : signaturePath(options.out);
    const dir = path.dirname(envelopePath);
    const statement: ExportStatement = {
      _type: IN_TOTO_STATEMENT,
      subject: files.map((f) => ({ name: path.relative(dir, f.path).split(path.sep).join('/'), digest: { sha256: f.sha256 } })),
      predicateType: EXPORT_PREDICATE,
      predicate: {
        format: options.format,
        exportedAt: new Date().toISOString(),
        exporter: options.exporter,
        filter: options.filter,
        records: n,
        dataFile: path.relative(dir, dataPath).split(path.sep).join('/'),
        chainFile: chain ? path.relative(dir, chain.file).split(path.sep).join('/') : null,
        store: { storeId: options.storeId, head: summary.head },
        ...(lineage
          ? { lineage: { file: path.relative(dir, lineage.file).split(path.sep).join('/'), target: options.lineage!.target, ...provCounts(options.lineage!.document as unknown as Record<string, unknown>) } }
          : {}),
      },
    };
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), privateKey);
    writeFileSync(envelopePath, `${JSON.stringify(envelope, null, 2)}\n`);
    signature = envelopePath;
  } else if (existsSync(signaturePath(options.out))) {
    // A stale signature of an earlier export to the same path would not match: remove it.
    rmSync(signaturePath(options.out));
  }
  return { records: n, skipped: summary.skipped, files, signature };
}

/** The newest review mark per session and per edit (ledger marks on committed ranges show in blame). */
export function reviewIndex(records: readonly GitRecord[]): (sessionId: string, editId: string) => ReviewMark | null {
  const latest = new Map<string, ReviewMark>();
  for (const r of records) {
    if (r.kind !== 'review') continue;
    const key = 'sessionId' in r.target ? `s:${r.target.sessionId}` : 'editId' in r.target ? `e:${r.target.editId}` : null;
    if (key && (!latest.has(key) || latest.get(key)!.time <= r.time)) latest.set(key, r);
  }
  return (sessionId, editId) => {
    const a = latest.get(`e:${editId}`);
    const b = latest.get(`s:${sessionId}`);
    return a && b ? (a.time >= b.time ? a : b) : (a ?? b ?? null);
  };
}

/** The chain link hash of a put entry holding `recordLine` (the journal's own formula). */
export function linkHashOf(seq: number, prev: string, at: string, recordLine: string): string {
  return putLineParts(seq, prev, at, recordLine).hash;
}
