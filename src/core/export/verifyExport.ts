/**
 * `lineagelens verify <export>`: checks what an export claims and names exactly what fails.
 *
 *  1. signature   the DSSE envelope (FILE.sig.json, or FILE itself for an in-toto export) verifies with
 *                 the public key (Ed25519, PAE over type and payload)
 *  2. subjects    every file the statement names exists and has the signed SHA-256
 *  3. records     (JSONL) every line is a record whose chain link recomputes (the record is byte-for-byte
 *                 what the store chained), in chain order, none missing, none added, consecutive seqs
 *                 linked (prev = previous hash), and as many as the statement says
 *
 * Every problem is reported (not only the first), each with its kind and the line / seq / file it is about.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { linkHashOf, chainPath, provCounts, signaturePath } from './runExport';
import { DsseEnvelope, verifyEnvelope } from './signing';
import { ChainLine, ExportStatement, IN_TOTO_PAYLOAD_TYPE } from './statement';

export type ProblemKind =
  | 'unsigned'
  | 'envelope'
  | 'signature'
  | 'statement'
  | 'subject_missing'
  | 'subject_digest'
  | 'chain_file'
  | 'record_unparsable'
  | 'record_changed'
  | 'record_added'
  | 'record_missing'
  | 'records_reordered'
  | 'chain_link'
  | 'count'
  | 'lineage';

export interface ExportProblem {
  kind: ProblemKind;
  message: string;
  line?: number;
  seq?: number;
}

export interface ExportVerification {
  ok: boolean;
  signed: boolean;
  keyId: string | null;
  records: number;
  problems: ExportProblem[];
}

export interface VerifyExportOptions {
  /** The public key to check the signature with; null = none available (the signature is then not trusted). */
  publicKey: KeyObject | null;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readEnvelope(file: string): DsseEnvelope | null {
  try {
    const parsed = DsseEnvelope.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function verifyExport(file: string, options: VerifyExportOptions): Promise<ExportVerification> {
  const problems: ExportProblem[] = [];
  const report = (p: ExportProblem) => problems.push(p);
  let envelopeFile: string | null = null;
  let envelope = file.endsWith('.sig.json') || file.endsWith('.intoto.json') ? readEnvelope(file) : null;
  if (envelope) envelopeFile = file;
  else if (existsSync(signaturePath(file))) {
    envelopeFile = signaturePath(file);
    envelope = readEnvelope(envelopeFile);
    if (!envelope) report({ kind: 'envelope', message: `${path.basename(envelopeFile)} is not a DSSE envelope` });
  } else {
    envelope = readEnvelope(file); // an in-toto export under any name
    if (envelope) envelopeFile = file;
  }

  let statement: ExportStatement | null = null;
  let keyId: string | null = null;
  if (envelope && envelopeFile) {
    if (!options.publicKey) report({ kind: 'signature', message: 'no public key to check the signature with (pass --key PUB, or generate keys)' });
    else {
      const check = verifyEnvelope(envelope, options.publicKey);
      keyId = check.keyId;
      if (!check.ok) {
        const other = check.signedBy.filter((k) => k !== check.keyId);
        report({
          kind: 'signature',
          message: `the signature in ${path.basename(envelopeFile)} does not verify with key ${check.keyId.slice(0, 16)}…${other.length ? ` (it names key ${other[0]!.slice(0, 16)}…)` : ''}: the envelope was altered or signed by another key`,
        });
      }
    }
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) report({ kind: 'envelope', message: `unexpected payload type ${envelope.payloadType}` });
    try {
      const parsed = ExportStatement.safeParse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')));
      if (parsed.success) statement = parsed.data;
      else report({ kind: 'statement', message: 'the signed payload is not a LineageLens export statement' });
    } catch {
      report({ kind: 'statement', message: 'the signed payload is not JSON' });
    }
  } else report({ kind: 'unsigned', message: `${path.basename(file)} has no signature (${path.basename(signaturePath(file))}): only its internal consistency can be checked` });

  const dir = path.dirname(envelopeFile ?? file);
  if (statement) {
    for (const subject of statement.subject) {
      const target = path.resolve(dir, subject.name);
      if (!existsSync(target)) {
        report({ kind: 'subject_missing', message: `${subject.name} is named in the statement but does not exist` });
        continue;
      }
      const digest = await fileSha256(target);
      if (digest !== subject.digest.sha256) report({ kind: 'subject_digest', message: `${subject.name}: SHA-256 ${digest.slice(0, 16)}… differs from the signed ${subject.digest.sha256.slice(0, 16)}…: the file changed after it was signed` });
    }
  }

  if (statement?.predicate.lineage) checkLineage(dir, statement, report);

  const dataFile = statement ? path.resolve(dir, statement.predicate.dataFile) : file;
  const chainFile = statement ? (statement.predicate.chainFile ? path.resolve(dir, statement.predicate.chainFile) : null) : existsSync(chainPath(file)) ? chainPath(file) : null;
  let records = 0;
  if (chainFile && existsSync(dataFile)) {
    if (!existsSync(chainFile)) report({ kind: 'chain_file', message: `${path.basename(chainFile)} is missing` });
    else records = await checkRecords(dataFile, chainFile, report);
    if (statement && records !== statement.predicate.records) report({ kind: 'count', message: `the export holds ${records} records, the statement says ${statement.predicate.records}` });
  }
  return { ok: problems.length === 0, signed: envelope !== null, keyId, records, problems };
}

async function checkRecords(dataFile: string, chainFile: string, report: (p: ExportProblem) => void): Promise<number> {
  const links: ChainLine[] = [];
  readFileSync(chainFile, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      try {
        links.push(ChainLine.parse(JSON.parse(text)));
      } catch {
        report({ kind: 'chain_file', line: i + 1, message: `${path.basename(chainFile)} line ${i + 1} is not a chain link` });
      }
    });
  const byDigest = new Map<string, number>();
  const byId = new Map<string, number>();
  links.forEach((l, i) => {
    byDigest.set(l.sha256, i);
    byId.set(l.id, i);
    if (i > 0 && l.seq <= links[i - 1]!.seq) report({ kind: 'chain_file', seq: l.seq, message: `${path.basename(chainFile)}: seq ${l.seq} does not follow seq ${links[i - 1]!.seq}` });
    if (i > 0 && l.seq === links[i - 1]!.seq + 1 && l.prev !== links[i - 1]!.hash) report({ kind: 'chain_link', seq: l.seq, message: `entry ${l.seq} does not link to entry ${links[i - 1]!.seq}: prev differs from its hash` });
  });
  const seen = new Uint8Array(links.length);
  let lastIndex = -1;
  let lastLine = 0;
  let n = 0;
  const lines = createInterface({ input: createReadStream(dataFile, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (!text) continue;
    n++;
    const digest = createHash('sha256').update(text).digest('hex');
    let index = byDigest.get(digest);
    if (index === undefined) {
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        report({ kind: 'record_unparsable', line: n, message: `line ${n} is not valid JSON: the record was damaged` });
        continue;
      }
      index = typeof id === 'string' ? byId.get(id) : undefined;
      if (index === undefined) {
        report({ kind: 'record_added', line: n, message: `line ${n} is a record the chain file does not list: it was added` });
        continue;
      }
      report({ kind: 'record_changed', line: n, seq: links[index]!.seq, message: `line ${n} (record ${links[index]!.id}, entry ${links[index]!.seq}) differs from what the store chained: the record was changed` });
    } else {
      const link = links[index]!;
      if (linkHashOf(link.seq, link.prev, link.at, text) !== link.hash) report({ kind: 'chain_link', line: n, seq: link.seq, message: `line ${n}: the chain link of entry ${link.seq} does not recompute from the record` });
    }
    if (seen[index]) report({ kind: 'record_added', line: n, message: `line ${n} repeats record ${links[index]!.id}` });
    seen[index] = 1;
    if (index < lastIndex) report({ kind: 'records_reordered', line: n, seq: links[index]!.seq, message: `lines ${lastLine} and ${n} are out of order: entry ${links[index]!.seq} comes after entry ${links[lastIndex]!.seq}` });
    else {
      lastIndex = index;
      lastLine = n;
    }
  }
  links.forEach((l, i) => {
    if (!seen[i]) report({ kind: 'record_missing', seq: l.seq, message: `record ${l.id} (entry ${l.seq}, line ${l.n} when exported) is missing from the export` });
  });
  return n;
}

/** A PROV-JSON document holding what the statement says it holds. */
function checkProv(doc: unknown, name: string, lineage: { entities: number; relations: number }, report: (p: ExportProblem) => void): void {
  if (!doc || typeof doc !== 'object' || typeof (doc as { entity?: unknown }).entity !== 'object' || typeof (doc as { prefix?: unknown }).prefix !== 'object') {
    report({ kind: 'lineage', message: `${name} is not a PROV-JSON document` });
    return;
  }
  const counts = provCounts(doc as Record<string, unknown>);
  if (counts.entities !== lineage.entities || counts.relations !== lineage.relations) {
    report({ kind: 'lineage', message: `${name} holds ${counts.entities} entities and ${counts.relations} relations, the statement says ${lineage.entities} and ${lineage.relations}` });
  }
}

/**
 * The lineage file is a signed subject, is PROV-JSON, and holds what the statement says it holds; a
 * document inside the statement is signed with it (the signature check covers it), and is checked alike.
 */
function checkLineage(dir: string, statement: ExportStatement, report: (p: ExportProblem) => void): void {
  const lineage = statement.predicate.lineage!;
  if (lineage.document !== undefined || lineage.file === undefined) {
    checkProv(lineage.document, 'the lineage document in the statement', lineage, report);
    return;
  }
  if (!statement.subject.some((s) => s.name === lineage.file)) {
    report({ kind: 'lineage', message: `the lineage file ${lineage.file} is not among the signed subjects` });
    return;
  }
  const file = path.resolve(dir, lineage.file);
  if (!existsSync(file)) return; // reported as subject_missing
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    report({ kind: 'lineage', message: `${lineage.file} is not JSON` });
    return;
  }
  checkProv(doc, lineage.file, lineage, report);
}
