/**
 * Batch ingest on PostgreSQL with the same rules as db/ingest.ts (SQLite): per uploader a verified
 * chain, a resend counted as duplicate, a record id stored once and replaced when its content changes,
 * all or nothing per batch. The chain is checked in memory first (its stored hashes fetched in one
 * query); then everything the batch changes is written with a handful of set-based statements
 * (unnest arrays, ON CONFLICT DO NOTHING), not a statement per record.
 *
 * Concurrency: the uploader's row is locked (FOR UPDATE) for the transaction, so two batches of one
 * chain run one after the other; record ids are locked in `record_ids` before they are replaced, and a
 * new id inserted by a concurrent batch meanwhile is taken as a replacement (last writer wins).
 */
import type { Pool, PoolClient } from 'pg';
import { GENESIS_HASH, type UploadEntry } from '../../core/sync/uploadChain';
import type { IngestBackend } from '../backend/backend';
import { type ChainHead, ChainError, type IngestResult } from '../db/ingest';
import { type RecordRow, toRow } from '../db/recordRow';
import { HttpError } from '../http/respond';
import { clean } from './pgAccounts';
import { inTransaction } from './pgClient';
import { monthOf, type Partitions } from './partitions';
import { VOCAB_INSERT_SQL } from '../pg/searchSchema';
import type { TextRecord } from '../pg/recordTextSource';
import { searchDocument, searchVectorSql } from '../search/searchDocument';

const ORG = 1;

interface Pending {
  row: RecordRow;
  json: string;
  /** Where the id is stored now (null: not stored yet). */
  stored: { time: Date; rid: number } | null;
}

export class PgIngest implements IngestBackend {
  /**
   * Told of the records each committed batch stored (the embedding queue's `enqueue`: synchronous,
   * memory only), so ingest never waits on embeddings. Set by the backend when semantic search is on.
   */
  onStored: ((records: TextRecord[]) => void) | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly partitions: Partitions,
  ) {}

  async head(userId: number, source: string): Promise<ChainHead> {
    const u = (await this.pool.query<{ head_seq: number; head_hash: string }>('SELECT head_seq, head_hash FROM uploaders WHERE org_id = $1 AND user_id = $2 AND source = $3', [ORG, userId, clean(source)])).rows[0];
    return u ? { seq: u.head_seq, hash: u.head_hash } : { seq: 0, hash: GENESIS_HASH };
  }

  async ingest(userId: number, source: string, verified: readonly (string | null)[], parsed: UploadEntry[], stored?: readonly (string | null)[]): Promise<IngestResult> {
    const rows = parsed.map((e) => toRow(e.record));
    for (const r of rows) if (r.time < '0001' || r.time.startsWith('+') || r.time.startsWith('-')) throw new HttpError(400, `record ${r.id.slice(0, 100)}: time ${r.time} is outside the years 0001-9999`);
    // Partitions first, outside the batch's transaction (see partitions.ts).
    await this.partitions.ensure(rows.map((r) => monthOf(r.time)));
    // Locks are taken in id order, so batches sharing records do not deadlock; should PostgreSQL still
    // pick this batch as a deadlock victim, it is retried as a whole (nothing of it was kept).
    for (let attempt = 1; ; attempt++) {
      try {
        const storedText: TextRecord[] = [];
        const result = await inTransaction(this.pool, (c) => this.ingestIn(c, userId, clean(source), verified, parsed, rows, stored, storedText));
        if (storedText.length) this.onStored?.(storedText);
        return result;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw err;
      }
    }
  }

  private async ingestIn(
    c: PoolClient,
    userId: number,
    source: string,
    verified: readonly (string | null)[],
    parsed: UploadEntry[],
    rows: RecordRow[],
    stored: readonly (string | null)[] | undefined,
    storedText: TextRecord[],
  ): Promise<IngestResult> {
    await c.query('INSERT INTO uploaders (org_id, user_id, source, head_seq, head_hash) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (org_id, user_id, source) DO NOTHING', [ORG, userId, source, GENESIS_HASH]);
    const uploader = (await c.query<{ id: number; head_seq: number; head_hash: string }>('SELECT id, head_seq, head_hash FROM uploaders WHERE org_id = $1 AND user_id = $2 AND source = $3 FOR UPDATE', [ORG, userId, source])).rows[0]!;
    const head: ChainHead = { seq: uploader.head_seq, hash: uploader.head_hash };
    const reject = (message: string): never => {
      throw new ChainError(message, { seq: uploader.head_seq, hash: uploader.head_hash });
    };
    const resent = parsed.filter((e) => e.seq <= head.seq).map((e) => e.seq);
    const storedHashes = new Map<number, string>();
    if (resent.length) {
      const found = await c.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_entries WHERE org_id = $1 AND uploader_id = $2 AND seq = ANY($3::bigint[])', [ORG, uploader.id, resent]);
      for (const r of found.rows) storedHashes.set(r.seq, r.hash);
    }

    let duplicate = 0;
    const newChain: { seq: number; hash: string }[] = [];
    const toStore: { row: RecordRow; json: string }[] = [];
    for (let i = 0; i < parsed.length; i++) {
      const entry = parsed[i]!;
      if (i > 0 && entry.seq !== parsed[i - 1]!.seq + 1) reject(`entry ${i}: seq ${entry.seq} does not follow seq ${parsed[i - 1]!.seq} (a batch is consecutive)`);
      const recordJson = verified[i] ?? reject(`entry seq ${entry.seq}: hash does not match its content (altered in transit or computed wrongly)`);
      if (entry.seq <= head.seq) {
        if (storedHashes.get(entry.seq) === entry.hash) {
          duplicate++;
          continue;
        }
        reject(`entry seq ${entry.seq}: differs from the entry this server already holds at that position (the chain forked)`);
      }
      if (entry.seq !== head.seq + 1) reject(`entry seq ${entry.seq}: the server's chain for this source ends at seq ${head.seq}; entries ${head.seq + 1}..${entry.seq - 1} are missing`);
      if (entry.prev !== head.hash) reject(`entry seq ${entry.seq}: prev does not link to the hash of entry ${head.seq}`);
      newChain.push({ seq: entry.seq, hash: entry.hash });
      head.seq = entry.seq;
      head.hash = entry.hash;
      // Verified over the bytes received; stored as the policy allows (governance: `stored`).
      toStore.push({ row: rows[i]!, json: stored?.[i] ?? recordJson });
    }

    let accepted = 0;
    if (toStore.length) {
      const result = await this.storeRecords(c, toStore, uploader.id, storedText);
      accepted = result.accepted;
      duplicate += result.duplicate;
      await c.query('INSERT INTO chain_entries (org_id, uploader_id, seq, hash) SELECT $1, $2, s, h FROM unnest($3::bigint[], $4::text[]) AS t(s, h)', [
        ORG,
        uploader.id,
        newChain.map((e) => e.seq),
        newChain.map((e) => e.hash),
      ]);
      await c.query('UPDATE uploaders SET head_seq = $1, head_hash = $2 WHERE org_id = $3 AND id = $4', [head.seq, head.hash, ORG, uploader.id]);
    }
    return { accepted, duplicate, head };
  }

  /** Stores records in batch order (the last content of an id wins); counts identical content as duplicate. */
  private async storeRecords(c: PoolClient, toStore: { row: RecordRow; json: string }[], uploaderId: number, stored: TextRecord[]): Promise<{ accepted: number; duplicate: number }> {
    const ids = [...new Set(toStore.map((s) => clean(s.row.id)))];
    const existing = await c.query<{ id: string; time: Date; rid: number; json: string }>(
      `SELECT m.id, m.time, m.rid, r.json FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
       WHERE m.org_id = $1 AND m.id = ANY($2::text[]) ORDER BY m.id FOR UPDATE OF m`,
      [ORG, ids],
    );
    const current = new Map<string, { json: string; stored: { time: Date; rid: number } | null }>();
    for (const e of existing.rows) current.set(e.id, { json: e.json, stored: { time: e.time, rid: e.rid } });
    const pending = new Map<string, Pending>();
    let accepted = 0;
    let duplicate = 0;
    for (const s of toStore) {
      const id = clean(s.row.id);
      const now = pending.get(id) ?? current.get(id);
      if (now?.json === s.json) {
        duplicate++;
        continue;
      }
      accepted++;
      pending.set(id, { row: s.row, json: s.json, stored: now?.stored ?? null });
    }
    if (pending.size === 0) return { accepted, duplicate };

    const fresh = [...pending.entries()].filter(([, p]) => !p.stored).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (fresh.length) {
      const inserted = await c.query<{ id: string; rid: number }>(
        'INSERT INTO record_ids (org_id, id, time) SELECT $1, i, t FROM unnest($2::text[], $3::timestamptz[]) AS u(i, t) ON CONFLICT (org_id, id) DO NOTHING RETURNING id, rid',
        [ORG, fresh.map(([id]) => id), fresh.map(([, p]) => p.row.time)],
      );
      const rids = new Map(inserted.rows.map((r) => [r.id, r.rid]));
      const raced = fresh.filter(([id]) => !rids.has(id)).map(([id]) => id);
      for (const [id, p] of fresh) if (rids.has(id)) p.stored = { time: new Date(p.row.time), rid: rids.get(id)! };
      if (raced.length) {
        // Inserted by a concurrent batch since we looked: replace it like any stored record.
        const now = await c.query<{ id: string; time: Date; rid: number }>('SELECT id, time, rid FROM record_ids WHERE org_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE', [ORG, raced]);
        for (const r of now.rows) {
          const p = pending.get(r.id)!;
          p.stored = { time: r.time, rid: r.rid };
          await this.replace(c, [[r.id, p]]);
        }
      }
    }
    const replaced = [...pending.entries()].filter(([id, p]) => p.stored && current.has(id));
    if (replaced.length) await this.replace(c, replaced);

    const all = [...pending.values()];
    const col = <T>(f: (p: Pending) => T) => all.map(f);
    // What search sees (search/searchDocument.ts): prompt A (English-stemmed), path B, code C, identifiers split.
    const docs = all.map((p) => searchDocument(p.row));
    await c.query(
      `INSERT INTO records (org_id, time, rid, id, kind, repo_id, path, session_id, tool, model, author, line_start, line_end, lines, disposition, uploader_id, json, search)
       SELECT $1, t, rid, id, kind, repo, path, sess, tool, model, author, ls, le, lines, disp, $2, json,
              ${searchVectorSql('spath', 'sprompt', 'scode')}
       FROM unnest($3::timestamptz[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::int[], $14::int[], $15::int[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])
            AS u(t, rid, id, kind, repo, path, sess, tool, model, author, ls, le, lines, disp, json, spath, sprompt, scode)
       ON CONFLICT DO NOTHING`,
      [
        ORG,
        uploaderId,
        col((p) => p.row.time),
        col((p) => p.stored!.rid),
        col((p) => clean(p.row.id)),
        col((p) => p.row.kind),
        col((p) => nullable(p.row.repoId)),
        col((p) => nullable(p.row.path)),
        col((p) => clean(p.row.sessionId)),
        col((p) => clean(p.row.tool)),
        col((p) => clean(p.row.model)),
        col((p) => nullable(p.row.author)),
        col((p) => p.row.lineStart),
        col((p) => p.row.lineEnd),
        col((p) => p.row.lines),
        col((p) => nullable(p.row.disposition)),
        col((p) => p.json),
        docs.map((d) => d.path),
        docs.map((d) => d.prompt),
        docs.map((d) => d.code),
      ],
    );
    // The vocabulary query typos are corrected against (sorted inserts: concurrent batches do not deadlock).
    await c.query(VOCAB_INSERT_SQL, [[...new Set(docs.flatMap((d) => (d.words ? d.words.split(' ') : [])))]]);
    for (const p of all) stored.push({ orgId: ORG, id: clean(p.row.id), repoId: p.row.repoId === null ? null : clean(p.row.repoId), source: { path: p.row.path, prompt: p.row.prompt, code: p.row.code } });
    return { accepted, duplicate };
  }

  /** Removes the stored rows of ids about to be written again (their time, hence partition, may change). */
  private async replace(c: PoolClient, items: [string, Pending][]): Promise<void> {
    await c.query('DELETE FROM records r USING unnest($2::timestamptz[], $3::bigint[]) AS d(t, rid) WHERE r.org_id = $1 AND r.time = d.t AND r.rid = d.rid', [
      ORG,
      items.map(([, p]) => p.stored!.time),
      items.map(([, p]) => p.stored!.rid),
    ]);
    await c.query('UPDATE record_ids m SET time = u.t FROM unnest($2::text[], $3::timestamptz[]) AS u(i, t) WHERE m.org_id = $1 AND m.id = u.i', [
      ORG,
      items.map(([id]) => id),
      items.map(([, p]) => p.row.time),
    ]);
  }
}

const nullable = (s: string | null) => (s === null ? null : clean(s));
