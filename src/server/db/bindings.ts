/**
 * Git ledger records on the server: bindings (AI lines as committed), review marks and rewrites, uploaded
 * by the sync client from each developer's `<home>/git/ledger.jsonl`. The server has no git checkout, so
 * these are what its blame reads.
 *
 * Idempotent by record id: ledger records never change (a rewrite adds bindings for the new commits), so
 * an id already stored is a resend (`duplicate`) when its content is the same, and is kept as first stored
 * when it differs (`conflicting`: a client bug or a forged record; the first writer wins, nothing is lost).
 */
import type { Binding, StoredGitRecord, ReviewMark, RewriteRecord } from '../../core/git/gitRecords';
import type { Db } from './serverDb';
import { writeTransaction } from './writeTransaction';

/** Schema step (appended to serverDb's migrations): tables for the git ledger's records. */
export const BINDINGS_MIGRATION = `
  CREATE TABLE git_bindings (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    repo_id TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    path TEXT NOT NULL,
    edit_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    edit_time TEXT NOT NULL,
    via TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX git_bindings_at ON git_bindings (repo_id, commit_id, path);
  CREATE INDEX git_bindings_edit ON git_bindings (edit_id);
  CREATE TABLE git_reviews (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    status TEXT NOT NULL,
    edit_id TEXT,
    session_id TEXT,
    repo_id TEXT,
    commit_id TEXT,
    path TEXT,
    user_id INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX git_reviews_edit ON git_reviews (edit_id) WHERE edit_id IS NOT NULL;
  CREATE INDEX git_reviews_session ON git_reviews (session_id) WHERE session_id IS NOT NULL;
  CREATE INDEX git_reviews_range ON git_reviews (repo_id, commit_id, path) WHERE commit_id IS NOT NULL;
  CREATE TABLE git_rewrites (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    repo_id TEXT NOT NULL,
    source TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE TABLE git_rewrite_pairs (
    rewrite_rid INTEGER NOT NULL REFERENCES git_rewrites(rid),
    repo_id TEXT NOT NULL,
    old_commit TEXT NOT NULL,
    new_commit TEXT NOT NULL,
    PRIMARY KEY (rewrite_rid, old_commit, new_commit)
  ) WITHOUT ROWID;
  CREATE INDEX git_rewrite_old ON git_rewrite_pairs (repo_id, old_commit);
  CREATE INDEX git_rewrite_new ON git_rewrite_pairs (repo_id, new_commit);
`;

export interface LedgerIngestResult {
  accepted: number;
  duplicate: number;
  conflicting: number;
}

export class BindingStore {
  private readonly insertBinding;
  private readonly insertReview;
  private readonly insertRewrite;
  private readonly insertPair;
  private readonly storedJson;
  private readonly run: (userId: number, records: { record: StoredGitRecord; json: string }[]) => LedgerIngestResult;

  constructor(db: Db) {
    this.insertBinding = db.prepare(
      `INSERT INTO git_bindings (id, repo_id, commit_id, path, edit_id, session_id, edit_time, via, user_id, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.insertReview = db.prepare(
      `INSERT INTO git_reviews (id, time, status, edit_id, session_id, repo_id, commit_id, path, user_id, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.insertRewrite = db.prepare('INSERT INTO git_rewrites (id, time, repo_id, source, user_id, json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.insertPair = db.prepare('INSERT OR IGNORE INTO git_rewrite_pairs (rewrite_rid, repo_id, old_commit, new_commit) VALUES (?, ?, ?, ?)');
    const lookups = {
      binding: db.prepare<[string], { json: string }>('SELECT json FROM git_bindings WHERE id = ?'),
      review: db.prepare<[string], { json: string }>('SELECT json FROM git_reviews WHERE id = ?'),
      rewrite: db.prepare<[string], { json: string }>('SELECT json FROM git_rewrites WHERE id = ?'),
    };
    this.storedJson = (kind: StoredGitRecord['kind'], id: string) => lookups[kind].get(id)?.json;
    this.run = writeTransaction(db, (userId: number, records: { record: StoredGitRecord; json: string }[]) => {
      const result: LedgerIngestResult = { accepted: 0, duplicate: 0, conflicting: 0 };
      for (const { record, json } of records) {
        if (this.insert(userId, record, json)) result.accepted++;
        else if (this.storedJson(record.kind, record.id) === json) result.duplicate++;
        else result.conflicting++;
      }
      return result;
    });
  }

  /** Stores validated ledger records in one transaction. `json` is each record as stored (canonical text). */
  async ingest(userId: number, records: { record: StoredGitRecord; json: string }[]): Promise<LedgerIngestResult> {
    return this.run(userId, records);
  }

  private insert(userId: number, record: StoredGitRecord, json: string): boolean {
    if (record.kind === 'binding') return this.addBinding(userId, record, json);
    if (record.kind === 'review') return this.addReview(userId, record, json);
    return this.addRewrite(userId, record, json);
  }

  private addBinding(userId: number, b: Binding, json: string): boolean {
    return this.insertBinding.run(b.id, b.repoId, b.commit, b.path, b.edit.id, b.edit.sessionId, b.edit.time, b.via, userId, json).changes > 0;
  }

  private addReview(userId: number, r: ReviewMark, json: string): boolean {
    const t = r.target;
    const editId = 'editId' in t ? t.editId : null;
    const sessionId = 'sessionId' in t ? t.sessionId : null;
    const range = 'commit' in t ? t : null;
    return this.insertReview.run(r.id, r.time, r.status, editId, sessionId, range?.repoId ?? null, range?.commit ?? null, range?.path ?? null, userId, json).changes > 0;
  }

  private addRewrite(userId: number, r: RewriteRecord, json: string): boolean {
    const info = this.insertRewrite.run(r.id, r.time, r.repoId, r.source, userId, json);
    if (info.changes === 0) return false;
    const rid = Number(info.lastInsertRowid);
    for (const [oldCommit, newCommit] of r.pairs) this.insertPair.run(rid, r.repoId, oldCommit, newCommit);
    return true;
  }
}
