/**
 * Batch ingest with server-side chain verification, in one SQLite transaction per batch: either every
 * new entry of the batch is stored or none is.
 *
 * Per uploader (server user + the client's source id) the server keeps the chain head and every entry's
 * hash. An entry at or below the head must be the very entry stored there (a resend: counted as
 * duplicate, nothing changes); the first new entry must link to the head (seq = head + 1, prev = head
 * hash); every entry's hash must match its content. Anything else rejects the batch with the reason.
 * A record id already stored with identical content is a duplicate too (e.g. sent by two uploaders);
 * with different content it replaces the stored one (records are updated under their id).
 */
import type { ProvenanceRecord } from '../../core/model/schema';
import { GENESIS_HASH, type UploadEntry } from '../../core/sync/uploadChain';
import { toRow } from './recordRow';
import type { Db } from './serverDb';
import { writeTransaction } from './writeTransaction';

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface IngestResult {
  accepted: number;
  duplicate: number;
  head: ChainHead;
}

export class ChainError extends Error {
  constructor(
    message: string,
    readonly head: ChainHead,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

export class Ingestor {
  private readonly getUploader;
  private readonly addUploader;
  private readonly setHead;
  private readonly getChainHash;
  private readonly addChain;
  private readonly getRecord;
  private readonly insertRecord;
  private readonly updateRecord;
  private readonly ftsDelete;
  private readonly ftsInsert;
  private readonly run: (userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]) => IngestResult;

  constructor(db: Db) {
    this.getUploader = db.prepare<[number, string], { id: number; head_seq: number; head_hash: string }>(
      'SELECT id, head_seq, head_hash FROM uploaders WHERE user_id = ? AND source = ?',
    );
    this.addUploader = db.prepare('INSERT INTO uploaders (user_id, source, head_seq, head_hash) VALUES (?, ?, 0, ?)');
    this.setHead = db.prepare('UPDATE uploaders SET head_seq = ?, head_hash = ? WHERE id = ?');
    this.getChainHash = db.prepare<[number, number], { hash: string }>('SELECT hash FROM chain_entries WHERE uploader_id = ? AND seq = ?');
    this.addChain = db.prepare('INSERT INTO chain_entries (uploader_id, seq, hash) VALUES (?, ?, ?)');
    this.getRecord = db.prepare<[string], { rid: number; json: string }>('SELECT rid, json FROM records WHERE id = ?');
    const cols = 'kind, time, repo_id, path, session_id, tool, model, author, line_start, line_end, lines, disposition, uploader_id, json';
    // New ids (the common case) cost one insert; only a conflict reads the stored record to compare.
    this.insertRecord = db.prepare(`INSERT INTO records (id, ${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`);
    this.updateRecord = db.prepare(`UPDATE records SET (${cols}) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE rid = ?`);
    this.ftsDelete = db.prepare('DELETE FROM records_fts WHERE rowid = ?');
    this.ftsInsert = db.prepare('INSERT INTO records_fts (rowid, prompt, code) VALUES (?, ?, ?)');
    this.run = writeTransaction(db, (userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]) =>
      this.ingestInTransaction(userId, source, verified, parsed, stored),
    );
  }

  /**
   * `verified`: per entry, its record's JSON as chained, or null when the entry's hash does not match it
   * (checked over the bytes received, so optional fields a newer client adds still verify: see
   * entryContent.ts); `parsed` the same entries after zod validation.
   */
  ingest(userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]): IngestResult {
    return this.run(userId, source, verified, parsed, stored);
  }

  /** The chain head the server holds for an uploader (seq 0 before its first entry). */
  head(userId: number, source: string): ChainHead {
    const u = this.getUploader.get(userId, source);
    return u ? { seq: u.head_seq, hash: u.head_hash } : { seq: 0, hash: GENESIS_HASH };
  }

  private ingestInTransaction(userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]): IngestResult {
    let uploader = this.getUploader.get(userId, source);
    if (!uploader) {
      const id = Number(this.addUploader.run(userId, source, GENESIS_HASH).lastInsertRowid);
      uploader = { id, head_seq: 0, head_hash: GENESIS_HASH };
    }
    const head: ChainHead = { seq: uploader.head_seq, hash: uploader.head_hash };
    const reject = (message: string): never => {
      throw new ChainError(message, { seq: uploader.head_seq, hash: uploader.head_hash });
    };
    let accepted = 0;
    let duplicate = 0;
    for (let i = 0; i < parsed.length; i++) {
      const entry = parsed[i]!;
      if (i > 0 && entry.seq !== parsed[i - 1]!.seq + 1) reject(`entry ${i}: seq ${entry.seq} does not follow seq ${parsed[i - 1]!.seq} (a batch is consecutive)`);
      const recordJson = verified[i] ?? reject(`entry seq ${entry.seq}: hash does not match its content (altered in transit or computed wrongly)`);
      if (entry.seq <= head.seq) {
        const stored = this.getChainHash.get(uploader.id, entry.seq);
        if (stored?.hash === entry.hash) {
          duplicate++;
          continue;
        }
        reject(`entry seq ${entry.seq}: differs from the entry this server already holds at that position (the chain forked)`);
      }
      if (entry.seq !== head.seq + 1) reject(`entry seq ${entry.seq}: the server's chain for this source ends at seq ${head.seq}; entries ${head.seq + 1}..${entry.seq - 1} are missing`);
      if (entry.prev !== head.hash) reject(`entry seq ${entry.seq}: prev does not link to the hash of entry ${head.seq}`);
      this.addChain.run(uploader.id, entry.seq, entry.hash);
      head.seq = entry.seq;
      head.hash = entry.hash;
      // Verified over the bytes received; stored as the policy allows (governance: `stored`).
      if (this.storeRecord(entry.record, stored?.[i] ?? recordJson, uploader.id)) accepted++;
      else duplicate++;
    }
    this.setHead.run(head.seq, head.hash, uploader.id);
    return { accepted, duplicate, head };
  }

  /** False when the record id is already stored with identical content. */
  private storeRecord(record: ProvenanceRecord, json: string, uploaderId: number): boolean {
    const r = toRow(record);
    const values = [r.kind, r.time, r.repoId, r.path, r.sessionId, r.tool, r.model, r.author, r.lineStart, r.lineEnd, r.lines, r.disposition, uploaderId, json];
    let rid: number;
    const inserted = this.insertRecord.run(r.id, ...values);
    if (inserted.changes > 0) rid = Number(inserted.lastInsertRowid);
    else {
      const existing = this.getRecord.get(record.id)!;
      if (existing.json === json) return false;
      this.updateRecord.run(...values, existing.rid);
      this.ftsDelete.run(existing.rid);
      rid = existing.rid;
    }
    if (r.prompt || r.code) this.ftsInsert.run(rid, r.prompt, r.code);
    return true;
  }
}
