/**
 * The git ledger on PostgreSQL, with the same answers as the SQLite classes (db/bindings.ts, db/blame.ts,
 * db/exportRows.ts): ledger records stored idempotently by id (first writer wins; a resend is `duplicate`,
 * different content under a stored id is `conflicting`), blame through the shared ServerBlame logic, and
 * export pages in rid (ingest) order.
 *
 * Ingest is set-based: one INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING id per
 * record kind, then one read of the stored content of the ids that were not inserted.
 */
import type { Pool, PoolClient } from 'pg';
import { type ExportFilter, recordMatcher } from '../../core/export/exportFilter';
import type { Binding, GitRecord, StoredGitRecord, ReviewMark, RewriteRecord } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import { parseRecord } from '../../core/model/version';
import { type RecordScope, recordsInScope, usersInScope } from '../access/scopeSql';
import { uploadersInScope } from './pgScope';
import type { GitBackend } from '../backend/backend';
import type { LedgerIngestResult } from '../db/bindings';
import { type BlameSource, ServerBlame, type ServerBlameQuery, type ServerBlameResult } from '../db/blame';
import type { ExportRow } from '../db/exportRows';
import { clean } from './pgAccounts';
import { inTransaction } from './pgClient';

const ORG = 1;
const PAGE = 500;

type Item<R> = { record: R; json: string };

const TABLE: Record<StoredGitRecord['kind'], string> = { binding: 'git_bindings', review: 'git_reviews', rewrite: 'git_rewrites' };

const nullable = (s: string | null | undefined) => (s === null || s === undefined ? null : clean(s));

export class PgGit implements GitBackend {
  private readonly blamer: ServerBlame;

  constructor(
    private readonly pool: Pool,
    private readonly signingKeyDir: string | null,
  ) {
    this.blamer = new ServerBlame((scope) => pgBlameSource(pool, scope));
  }

  keyDir(): string | null {
    return this.signingKeyDir;
  }

  async ingest(userId: number, records: { record: StoredGitRecord; json: string }[]): Promise<LedgerIngestResult> {
    return inTransaction(this.pool, (c) => this.ingestIn(c, userId, records));
  }

  private async ingestIn(c: PoolClient, userId: number, records: { record: StoredGitRecord; json: string }[]): Promise<LedgerIngestResult> {
    const of = <K extends StoredGitRecord['kind']>(kind: K) => records.filter((r) => r.record.kind === kind) as Item<Extract<StoredGitRecord, { kind: K }>>[];
    const inserted = new Set<string>();
    const mark = (kind: string, rows: { id: string }[]) => rows.forEach((r) => inserted.add(`${kind}:${r.id}`));
    const bindings = of('binding');
    if (bindings.length) mark('binding', await this.insertBindings(c, userId, bindings));
    const reviews = of('review');
    if (reviews.length) mark('review', await this.insertReviews(c, userId, reviews));
    const rewrites = of('rewrite');
    if (rewrites.length) mark('rewrite', await this.insertRewrites(c, userId, rewrites));

    // Not inserted: a resend (same content) or a conflict (different content under a stored id). A record
    // sent twice in one batch counts once as accepted, then against what was stored.
    const result: LedgerIngestResult = { accepted: 0, duplicate: 0, conflicting: 0 };
    const stored = new Map<string, string>();
    for (const kind of ['binding', 'review', 'rewrite'] as const) {
      const ids = [...new Set(records.filter((r) => r.record.kind === kind).map((r) => clean(r.record.id)))];
      if (!ids.length) continue;
      const rows = await c.query<{ id: string; json: string }>(`SELECT id, json FROM ${TABLE[kind]} WHERE org_id = $1 AND id = ANY($2::text[])`, [ORG, ids]);
      for (const r of rows.rows) stored.set(`${kind}:${r.id}`, r.json);
    }
    for (const { record, json } of records) {
      const key = `${record.kind}:${clean(record.id)}`;
      if (inserted.delete(key)) result.accepted++;
      else if (stored.get(key) === json) result.duplicate++;
      else result.conflicting++;
    }
    return result;
  }

  private async insertBindings(c: PoolClient, userId: number, items: Item<Binding>[]): Promise<{ id: string }[]> {
    const col = <T>(f: (b: Binding, json: string) => T) => items.map((i) => f(i.record, i.json));
    return (
      await c.query<{ id: string }>(
        `INSERT INTO git_bindings (org_id, id, repo_id, commit_id, path, edit_id, session_id, edit_time, via, user_id, json)
         SELECT $1, id, repo, cm, path, edit, sess, t, via, $2, json
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
              WITH ORDINALITY AS u(id, repo, cm, path, edit, sess, t, via, json, n)
         ORDER BY n
         ON CONFLICT (org_id, id) DO NOTHING RETURNING id`,
        [
          ORG,
          userId,
          col((b) => clean(b.id)),
          col((b) => clean(b.repoId)),
          col((b) => clean(b.commit)),
          col((b) => clean(b.path)),
          col((b) => clean(b.edit.id)),
          col((b) => clean(b.edit.sessionId)),
          col((b) => clean(b.edit.time)),
          col((b) => clean(b.via)),
          col((_, json) => json),
        ],
      )
    ).rows;
  }

  private async insertReviews(c: PoolClient, userId: number, items: Item<ReviewMark>[]): Promise<{ id: string }[]> {
    const col = <T>(f: (r: ReviewMark, json: string) => T) => items.map((i) => f(i.record, i.json));
    const target = (r: ReviewMark) => r.target as { editId?: string; sessionId?: string; repoId?: string; commit?: string; path?: string };
    const range = (r: ReviewMark) => ('commit' in r.target ? target(r) : null);
    return (
      await c.query<{ id: string }>(
        `INSERT INTO git_reviews (org_id, id, time, status, edit_id, session_id, repo_id, commit_id, path, user_id, json)
         SELECT $1, id, t, st, edit, sess, repo, cm, path, $2, json
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
              WITH ORDINALITY AS u(id, t, st, edit, sess, repo, cm, path, json, n)
         ORDER BY n
         ON CONFLICT (org_id, id) DO NOTHING RETURNING id`,
        [
          ORG,
          userId,
          col((r) => clean(r.id)),
          col((r) => clean(r.time)),
          col((r) => clean(r.status)),
          col((r) => nullable(target(r).editId)),
          col((r) => nullable(target(r).sessionId)),
          col((r) => nullable(range(r)?.repoId)),
          col((r) => nullable(range(r)?.commit)),
          col((r) => nullable(range(r)?.path)),
          col((_, json) => json),
        ],
      )
    ).rows;
  }

  private async insertRewrites(c: PoolClient, userId: number, items: Item<RewriteRecord>[]): Promise<{ id: string }[]> {
    const col = <T>(f: (r: RewriteRecord, json: string) => T) => items.map((i) => f(i.record, i.json));
    const rows = (
      await c.query<{ id: string }>(
        `INSERT INTO git_rewrites (org_id, id, time, repo_id, source, user_id, json)
         SELECT $1, id, t, repo, src, $2, json FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, t, repo, src, json)
         ON CONFLICT (org_id, id) DO NOTHING RETURNING id`,
        [ORG, userId, col((r) => clean(r.id)), col((r) => clean(r.time)), col((r) => clean(r.repoId)), col((r) => clean(r.source)), col((_, json) => json)],
      )
    ).rows;
    // Pairs only of the rewrites stored now (a resent rewrite already has them).
    const fresh = new Set(rows.map((r) => r.id));
    const pairs: [string, string, string, string][] = [];
    const seen = new Set<string>();
    for (const { record } of items) {
      const id = clean(record.id);
      if (!fresh.has(id) || seen.has(id)) continue;
      seen.add(id);
      for (const [oldCommit, newCommit] of record.pairs) pairs.push([id, clean(record.repoId), clean(oldCommit), clean(newCommit)]);
    }
    if (pairs.length)
      await c.query(
        `INSERT INTO git_rewrite_pairs (org_id, rewrite_id, repo_id, old_commit, new_commit)
         SELECT $1, i, r, o, n FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(i, r, o, n) ON CONFLICT DO NOTHING`,
        [ORG, pairs.map((p) => p[0]), pairs.map((p) => p[1]), pairs.map((p) => p[2]), pairs.map((p) => p[3])],
      );
    return rows;
  }

  blame(scope: RecordScope, q: ServerBlameQuery): Promise<ServerBlameResult> {
    return this.blamer.blame(scope, q);
  }

  async latestRid(scope: RecordScope): Promise<number> {
    return (await this.pool.query<{ m: number | null }>(`SELECT max(rid) AS m FROM records WHERE org_id = $1 AND ${await uploadersInScope(this.pool, scope)}`, [ORG])).rows[0]?.m ?? 0;
  }

  async *exportPages(scope: RecordScope, filter: ExportFilter, asOf: number): AsyncGenerator<ExportRow[]> {
    const args: (string | number)[] = [ORG, 0, asOf];
    const where = ['org_id = $1', 'rid > $2', 'rid <= $3', await uploadersInScope(this.pool, scope)];
    const add = (sql: string, v: string | number) => {
      args.push(v);
      where.push(`${sql} $${args.length}`);
    };
    if (filter.tool) add('tool =', clean(filter.tool));
    if (filter.session) add('session_id =', clean(filter.session));
    if (filter.since) add('time >=', new Date(filter.since).toISOString());
    const sql = `SELECT rid, json FROM records WHERE ${where.join(' AND ')} ORDER BY rid LIMIT ${PAGE}`;
    // The export filter itself decides (the CLI's), as on SQLite; the SQL only narrows.
    const matches = recordMatcher(filter);
    for (;;) {
      const rows = (await this.pool.query<{ rid: number; json: string }>(sql, args)).rows;
      if (rows.length === 0) return;
      args[1] = rows[rows.length - 1]!.rid;
      const out: ExportRow[] = [];
      for (const row of rows) {
        const record = parseRecord(JSON.parse(row.json));
        if (matches(record)) out.push({ rid: row.rid, record, json: row.json });
      }
      yield out;
    }
  }

  async record(scope: RecordScope, rid: number): Promise<ProvenanceRecord | null> {
    const row = (await this.pool.query<{ json: string }>(`SELECT json FROM records WHERE org_id = $1 AND rid = $2 AND ${recordsInScope(scope)}`, [ORG, rid])).rows[0];
    return row ? parseRecord(JSON.parse(row.json)) : null;
  }

  async reviewMarks(scope: RecordScope): Promise<GitRecord[]> {
    const rows = await this.pool.query<{ json: string }>(`SELECT json FROM git_reviews WHERE org_id = $1 AND (edit_id IS NOT NULL OR session_id IS NOT NULL) AND ${usersInScope(scope)} ORDER BY rid`, [ORG]);
    return rows.rows.map((r) => JSON.parse(r.json) as GitRecord);
  }

  async hasCommit(scope: RecordScope, repo: string, commit: string): Promise<boolean> {
    const rows = await this.pool.query(`SELECT 1 FROM git_bindings WHERE org_id = $1 AND repo_id = $2 AND commit_id = $3 AND ${usersInScope(scope)} LIMIT 1`, [ORG, clean(repo), clean(commit)]);
    return rows.rows.length > 0;
  }
}

/** Blame's reads on PostgreSQL (the same queries as the SQLite source, scoped to the org). */
export function pgBlameSource(pool: Pool, scope: RecordScope): BlameSource {
  const users = usersInScope(scope);
  const texts = async (sql: string, args: unknown[], column: 'json' | 'c' = 'json') => (await pool.query<Record<string, string>>(sql, [ORG, ...args])).rows.map((r) => r[column]!);
  return {
    commitsInRange: (repo, lo, hi) =>
      texts(
        `SELECT DISTINCT c FROM (
           SELECT commit_id AS c FROM git_bindings WHERE org_id = $1 AND repo_id = $2 AND commit_id >= $3 AND commit_id < $4 AND ${users}
           UNION SELECT new_commit FROM git_rewrite_pairs WHERE org_id = $1 AND repo_id = $2 AND new_commit >= $3 AND new_commit < $4
           UNION SELECT old_commit FROM git_rewrite_pairs WHERE org_id = $1 AND repo_id = $2 AND old_commit >= $3 AND old_commit < $4
         ) AS u LIMIT 2`,
        [clean(repo), lo, hi],
        'c',
      ),
    bindingsAt: (repo, commit, path) => texts(`SELECT json FROM git_bindings WHERE org_id = $1 AND repo_id = $2 AND commit_id = $3 AND path = $4 AND ${users} ORDER BY rid`, [clean(repo), commit, clean(path)]),
    reviewsOfEdit: (editId) => texts(`SELECT json FROM git_reviews WHERE org_id = $1 AND edit_id = $2 AND ${users} ORDER BY rid`, [clean(editId)]),
    reviewsOfSession: (sessionId) => texts(`SELECT json FROM git_reviews WHERE org_id = $1 AND session_id = $2 AND ${users} ORDER BY rid`, [clean(sessionId)]),
    reviewsOfRange: (repo, commit, path) => texts(`SELECT json FROM git_reviews WHERE org_id = $1 AND repo_id = $2 AND commit_id = $3 AND path = $4 AND ${users} ORDER BY rid`, [clean(repo), commit, clean(path)]),
    editJson: async (editId) =>
      (
        await texts(
          `SELECT r.json FROM record_ids m JOIN records r ON r.org_id = m.org_id AND r.time = m.time AND r.rid = m.rid
           WHERE m.org_id = $1 AND m.id = $2 AND r.kind = 'edit' AND ${recordsInScope(scope, 'r.uploader_id')}`,
          [clean(editId)],
        )
      )[0],
    rewrittenTo: (repo, commit) => texts('SELECT DISTINCT new_commit AS c FROM git_rewrite_pairs WHERE org_id = $1 AND repo_id = $2 AND old_commit = $3 ORDER BY c', [clean(repo), commit], 'c'),
    rewrittenFrom: (repo, commit) => texts('SELECT DISTINCT old_commit AS c FROM git_rewrite_pairs WHERE org_id = $1 AND repo_id = $2 AND new_commit = $3 ORDER BY c', [clean(repo), commit], 'c'),
  };
}
