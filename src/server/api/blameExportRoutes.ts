/**
 * /api/v1 handlers for the git ledger upload, blame and export:
 *
 *   POST /api/v1/bindings            git ledger records (bindings, reviews, rewrites) from the sync client
 *   GET  /api/v1/blame               AI lines of a file as committed in a commit (from the uploaded ledger)
 *   GET  /api/v1/export              records in a CLI export format, streamed (format=intoto&lineage=1:
 *                                    the signed statement carries the exported edits' lineage as PROV-JSON)
 *   GET  /api/v1/export/signature    a DSSE envelope (the server's Ed25519 key) over that same export
 *   GET  /api/v1/export/key          the server's public key, for `lineagelens verify --key`
 *
 * All of it through the backend's `git` part, so it runs alike on SQLite and PostgreSQL.
 */
import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { canonicalJson } from '../../core/chain/canonicalJson';
import type { ExportFilter } from '../../core/export/exportFilter';
import { agentTraceWriter, csvWriter, type ExportFormat, type FormatWriter, jsonlWriter, markdownWriter, type TextSink } from '../../core/export/exportFormats';
import { provCounts, reviewIndex } from '../../core/export/runExport';
import { generateSigningKey, keyId, keyPaths, loadPrivateKey, newSigningKeyPair, privateKeyFromPem, signEnvelope } from '../../core/export/signing';
import { EXPORT_PREDICATE, type ExportStatement, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT } from '../../core/export/statement';
import type { StoredGitRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import { type RecordScope, scopeFor } from '../access/scope';
import type { ServerBackend } from '../backend/backend';
import type { Handler, ServerContext } from '../context';
import { BlameCommitError } from '../db/blame';
import { accessOf } from '../lineage/lineageQuery';
import { LineageTooLargeError, provOf } from '../lineage/lineageService';
import { obscureRedacted } from '../lineage/obscureRedacted';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, resultCounts, sendJson } from '../http/respond';
import { BlameQuery, ExportQuery, LedgerUploadBatch } from './apiSchemas';
import { parseBody, parseQuery } from './params';
import { pullRequestReviews } from './webhookRoutes';

const keys = new WeakMap<ServerBackend, KeyObject>();

/**
 * The server's own signing key: `<key dir>/keys/ed25519.key` (created on first use, mode 0600) — the data
 * folder — or, when the backend has no folder for it, a key that lives as long as the process.
 */
function signingKey(ctx: ServerContext): KeyObject {
  let key = keys.get(ctx.backend);
  if (key) return key;
  const dir = ctx.backend.git.keyDir();
  if (!dir) key = privateKeyFromPem(newSigningKeyPair().privateKeyPem);
  else {
    if (!existsSync(keyPaths(dir).privateKey)) generateSigningKey(dir);
    key = loadPrivateKey(dir);
  }
  keys.set(ctx.backend, key);
  return key;
}

export const ingestBindings: Handler = async (ctx, { req, res, principal }) => {
  const batch = parseBody(LedgerUploadBatch, parseJsonBody(req, await readBody(req, ctx.maxBodyBytes)), 'git ledger batch');
  // A person's change over AI lines is derived data: it lives in the lineage graph only (indexed
  // idempotently, so a resend changes nothing), and counts as accepted.
  const stored = batch.records.filter((r): r is StoredGitRecord => r.kind !== 'human-change');
  const records = stored.map((record) => ({ record, json: canonicalJson(record) }));
  const result = records.length > 0 ? await ctx.backend.git.ingest(principal!.user.id, records) : { accepted: 0, duplicate: 0, conflicting: 0 };
  result.accepted += batch.records.length - stored.length;
  await ctx.lineage.queue.ledger(batch.records);
  sendJson(res, 200, result);
};

/** From the bindings the caller may read (theirs, their led teams', or all for admins and auditors). */
export const blame: Handler = async (ctx, { res, url, principal }) => {
  const q = parseQuery(BlameQuery, url);
  try {
    const result = await ctx.backend.git.blame((await scopeFor(ctx.backend, principal!)).read, q);
    // Each AI line's commit with its pull-request review, when PR webhooks told the server of one.
    const prs = await pullRequestReviews(ctx, q.repo, [...new Set(result.lines.map((l) => l.commit))]);
    sendJson(res, 200, { ...result, lines: result.lines.map((l) => ({ ...l, pullRequest: prs.get(l.commit.toLowerCase()) ?? null })) });
  } catch (err) {
    if (err instanceof BlameCommitError) throw new HttpError(400, err.message);
    throw err;
  }
};

/** File name extension of each format's data (the name a signature's subject gives it). */
const EXTENSION: Record<ExportFormat, string> = { jsonl: 'jsonl', csv: 'csv', 'agent-trace': 'agent-trace.jsonl', markdown: 'md', intoto: 'jsonl' };
const CONTENT_TYPE: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  'agent-trace': 'application/x-ndjson; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  intoto: 'application/json; charset=utf-8',
};

/** Text collected between awaits and handed on in one piece. */
class ChunkSink implements TextSink {
  private parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  take(): string {
    const text = this.parts.join('');
    this.parts = [];
    return text;
  }
}

/**
 * Runs one export through the core format writers; `emit` receives the text page by page (a response
 * stream, or a hash for the signature). Returns how many records were included.
 */
async function runServerExport(
  ctx: ServerContext,
  scope: RecordScope,
  format: ExportFormat,
  filter: ExportFilter,
  asOf: number,
  emit: (text: string) => Promise<void> | void,
  onRecord?: (record: ProvenanceRecord) => void,
): Promise<number> {
  const git = ctx.backend.git;
  const sink = new ChunkSink();
  let writer: FormatWriter;
  let kept: Map<number, ProvenanceRecord> | null = null;
  if (format === 'csv') writer = csvWriter(sink);
  else if (format === 'agent-trace') writer = agentTraceWriter(sink);
  else if (format === 'markdown') {
    const reviews = reviewIndex(await git.reviewMarks(scope));
    // Read back by rid (carried in the location's offset) where the storage reads synchronously; else the
    // included records are kept until the report is written. The title names the snapshot, so a signature
    // request for the same export produces the same bytes.
    const now = git.recordNow;
    let readBack = now ? (rid: number) => now(scope, rid) : undefined;
    if (!readBack) {
      kept = new Map();
      const held = kept;
      readBack = (rid) => held.get(rid) ?? null;
    }
    const read = readBack;
    writer = markdownWriter(sink, (loc) => read(loc.offset), `LineageLens audit report (team server, records up to #${asOf})`, reviews);
  } else writer = jsonlWriter(sink);
  let n = 0;
  for await (const page of git.exportPages(scope, filter, asOf)) {
    for (const row of page) {
      kept?.set(row.rid, row.record);
      onRecord?.(row.record);
      writer.record({ record: row.record, canonical: row.json, link: { seq: row.rid, at: '', prev: '', hash: '' }, location: { segment: 0, offset: row.rid, length: 0 } });
      n++;
    }
    const text = sink.take();
    if (text) await emit(text);
  }
  writer.end();
  const rest = sink.take();
  if (rest) await emit(rest);
  return n;
}

/** The query, and the records the caller may export: admins, auditors and leads (in their read scope); developers may not. */
async function splitQuery(ctx: ServerContext, url: URL, principal: Parameters<Handler>[1]['principal']) {
  const { format, asOf, lineage, ...filter } = parseQuery(ExportQuery, url);
  if (lineage === '1' && format !== 'intoto') throw new HttpError(400, 'lineage=1 goes with format=intoto (the lineage rides inside the signed statement)');
  const access = await scopeFor(ctx.backend, principal!);
  if (!access.canExport) throw new HttpError(403, 'your role may not export: ask an admin, an auditor or your team lead');
  return { format, asOf, filter: filter as ExportFilter, scope: access.read, lineage: lineage === '1' };
}

export const exportData: Handler = async (ctx, { req, res, url, principal }) => {
  const { format, asOf: asked, filter, scope, lineage } = await splitQuery(ctx, url, principal);
  if (format === 'intoto') {
    await sendSignature(ctx, res, scope, 'intoto', filter, asked, lineage);
    return;
  }
  const asOf = asked ?? (await ctx.backend.git.latestRid(scope));
  res.writeHead(200, {
    'content-type': CONTENT_TYPE[format],
    'content-disposition': `attachment; filename="lineagelens-export.${EXTENSION[format]}"`,
    'cache-control': 'no-store',
    'x-lineagelens-as-of': String(asOf),
  });
  let closed = false;
  req.socket.once('close', () => (closed = true));
  const exported = await runServerExport(ctx, scope, format, filter, asOf, async (text) => {
    if (closed) throw new HttpError(499, 'client went away');
    if (!res.write(text)) await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  });
  resultCounts.set(res, exported);
  res.end();
};

async function sendSignature(ctx: ServerContext, res: Parameters<Handler>[1]['res'], scope: RecordScope, format: ExportFormat, filter: ExportFilter, asked: number | undefined, withLineage = false): Promise<void> {
  const asOf = asked ?? (await ctx.backend.git.latestRid(scope));
  const key = signingKey(ctx);
  const hash = createHash('sha256');
  const dataFormat = format === 'intoto' ? 'jsonl' : format;
  const edits: string[] = [];
  const records = await runServerExport(ctx, scope, dataFormat, filter, asOf, (text) => void hash.update(text, 'utf8'), withLineage ? (r) => void (r.kind === 'edit' && edits.push(r.id)) : undefined);
  const lineage = withLineage ? await exportedLineage(ctx, scope, edits) : undefined;
  const dataFile = `export.${EXTENSION[format]}`;
  const statement: ExportStatement = {
    _type: IN_TOTO_STATEMENT,
    subject: [{ name: dataFile, digest: { sha256: hash.digest('hex') } }],
    predicateType: EXPORT_PREDICATE,
    predicate: {
      format,
      exportedAt: new Date().toISOString(),
      exporter: { name: 'lineagelens-server', version: ctx.version },
      filter,
      records,
      dataFile,
      chainFile: null,
      store: { storeId: `server:${keyId(createPublicKey(key))}`, head: null },
      ...(lineage ? { lineage } : {}),
    },
  };
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), key);
  sendJson(res, 200, envelope, { 'x-lineagelens-as-of': String(asOf) });
}

/** Most exported edits whose lineage one signed export carries (one graph walk each). */
const MAX_LINEAGE_EDITS = 20_000;

/**
 * The lineage subgraph of the exported edits (their ancestry), as the caller may see it: nodes of records
 * outside their read scope are redacted (with opaque ids), never dropped. PROV-JSON, for the statement.
 */
async function exportedLineage(ctx: ServerContext, scope: RecordScope, edits: string[]): Promise<NonNullable<ExportStatement['predicate']['lineage']>> {
  if (edits.length > MAX_LINEAGE_EDITS) throw new HttpError(400, `lineage=1 takes exports of at most ${MAX_LINEAGE_EDITS} edits (this one has ${edits.length}): narrow the filter`);
  await ctx.lineage.queue.idle(); // everything uploaded before the export is in the graph
  let graph;
  try {
    graph = obscureRedacted(await ctx.lineage.service.ancestryOfEdits(edits, accessOf(ctx, scope)));
  } catch (err) {
    if (err instanceof LineageTooLargeError) throw new HttpError(400, err.message);
    throw err;
  }
  const document = provOf(graph) as unknown as Record<string, unknown>;
  return { target: `the ancestry of the ${edits.length} exported edit(s)`, ...provCounts(document), document };
}

export const exportSignature: Handler = async (ctx, { res, url, principal }) => {
  const { format, asOf, filter, scope, lineage } = await splitQuery(ctx, url, principal);
  await sendSignature(ctx, res, scope, format, filter, asOf, lineage);
};

export const exportKey: Handler = (ctx, { res }) => {
  const pub = createPublicKey(signingKey(ctx));
  sendJson(res, 200, { keyId: keyId(pub), publicKey: pub.export({ type: 'spki', format: 'pem' }).toString() });
};
