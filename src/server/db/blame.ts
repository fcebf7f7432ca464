/**
 * Blame on the server, from uploaded git ledger records alone (the server has no git checkout).
 *
 * For (repo, path, commit) it answers the lines of that file as committed in that commit which the ledger
 * binds to AI edits: bindings made when the commit was created, and bindings re-anchored onto it from the
 * commits an amend, rebase or squash rewrote (the ledger's `via: "rewrite"` bindings name the new commit).
 * Line lookup and review matching are core's LedgerView (the same code `lineagelens blame` uses), the line
 * JSON is core's aiLineJson, and prompt excerpts come from the uploaded records (at their upload privacy).
 *
 * What it cannot do without git: follow a line that an earlier commit added and this one kept. Those lines
 * are bound at the commit that added them, which `git blame` names (ask blame at that commit), and the
 * answer says which commits this one rewrote or was rewritten into.
 */
import { aiLineJson, type PromptInfo, promptInfo } from '../../core/git/blameJson';
import { LedgerView } from '../../core/git/gitLedger';
import type { Binding, GitRecord, ReviewMark } from '../../core/git/gitRecords';
import type { ProvenanceRecord } from '../../core/model/schema';
import { type RecordScope, recordsInScope, usersInScope } from '../access/scopeSql';
import type { Db } from './serverDb';

export interface ServerBlameQuery {
  repo: string;
  path: string;
  /** A full commit id, or an unambiguous prefix of at least 7 hex digits. */
  commit: string;
}

export type ServerBlameLine = { line: number; commit: string; origPath: string; origLine: number } & ReturnType<typeof aiLineJson>;

export interface ServerBlameResult {
  repo: string;
  path: string;
  commit: string;
  lines: ServerBlameLine[];
  summary: { ai: number; edits: number; sessions: number };
  /** Commits this commit was rewritten into (amend, rebase, squash), and the commits it rewrote. */
  rewrittenTo: string[];
  rewrittenFrom: string[];
}

export class BlameCommitError extends Error {}

const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The reads blame needs, each answering stored JSON texts (SQLite below; PostgreSQL in postgres/pgGit.ts),
 * made for one caller's scope: bindings and review marks uploaded by users in it, records in it.
 */
export interface BlameSource {
  /** Up to two distinct commit ids of the repository in [lo, hi) (bindings and rewrites). */
  commitsInRange(repo: string, lo: string, hi: string): Promise<string[]>;
  bindingsAt(repo: string, commit: string, path: string): Promise<string[]>;
  reviewsOfEdit(editId: string): Promise<string[]>;
  reviewsOfSession(sessionId: string): Promise<string[]>;
  reviewsOfRange(repo: string, commit: string, path: string): Promise<string[]>;
  /** The stored edit record of that id, if any. */
  editJson(editId: string): Promise<string | undefined>;
  /** Distinct commits, sorted. */
  rewrittenTo(repo: string, oldCommit: string): Promise<string[]>;
  rewrittenFrom(repo: string, newCommit: string): Promise<string[]>;
}

export function sqliteBlameSource(db: Db, scope: RecordScope): BlameSource {
  const users = usersInScope(scope, 'user_id');
  const commitsWithPrefix = db.prepare<[{ repo: string; lo: string; hi: string }], { c: string }>(
    `SELECT DISTINCT c FROM (
       SELECT commit_id AS c FROM git_bindings WHERE repo_id = @repo AND commit_id >= @lo AND commit_id < @hi AND ${users}
       UNION SELECT new_commit FROM git_rewrite_pairs WHERE repo_id = @repo AND new_commit >= @lo AND new_commit < @hi
       UNION SELECT old_commit FROM git_rewrite_pairs WHERE repo_id = @repo AND old_commit >= @lo AND old_commit < @hi
     ) LIMIT 2`,
  );
  const bindingsAt = db.prepare<[string, string, string], { json: string }>(`SELECT json FROM git_bindings WHERE repo_id = ? AND commit_id = ? AND path = ? AND ${users}`);
  const reviewsOfEdit = db.prepare<[string], { json: string }>(`SELECT json FROM git_reviews WHERE edit_id = ? AND ${users}`);
  const reviewsOfSession = db.prepare<[string], { json: string }>(`SELECT json FROM git_reviews WHERE session_id = ? AND ${users}`);
  const reviewsOfRange = db.prepare<[string, string, string], { json: string }>(`SELECT json FROM git_reviews WHERE repo_id = ? AND commit_id = ? AND path = ? AND ${users}`);
  const recordJson = db.prepare<[string], { json: string }>(`SELECT json FROM records WHERE id = ? AND kind = 'edit' AND ${recordsInScope(scope)}`);
  const rewrittenTo = db.prepare<[string, string], { c: string }>('SELECT DISTINCT new_commit AS c FROM git_rewrite_pairs WHERE repo_id = ? AND old_commit = ? ORDER BY c');
  const rewrittenFrom = db.prepare<[string, string], { c: string }>('SELECT DISTINCT old_commit AS c FROM git_rewrite_pairs WHERE repo_id = ? AND new_commit = ? ORDER BY c');
  const json = (rows: { json: string }[]) => rows.map((r) => r.json);
  return {
    commitsInRange: async (repo, lo, hi) => commitsWithPrefix.all({ repo, lo, hi }).map((r) => r.c),
    bindingsAt: async (repo, commit, path) => json(bindingsAt.all(repo, commit, path)),
    reviewsOfEdit: async (editId) => json(reviewsOfEdit.all(editId)),
    reviewsOfSession: async (sessionId) => json(reviewsOfSession.all(sessionId)),
    reviewsOfRange: async (repo, commit, path) => json(reviewsOfRange.all(repo, commit, path)),
    editJson: async (editId) => recordJson.get(editId)?.json,
    rewrittenTo: async (repo, commit) => rewrittenTo.all(repo, commit).map((r) => r.c),
    rewrittenFrom: async (repo, commit) => rewrittenFrom.all(repo, commit).map((r) => r.c),
  };
}

export class ServerBlame {
  /** On a SQLite database, or on any storage's reads for a scope. */
  constructor(private readonly from: Db | ((scope: RecordScope) => BlameSource)) {}

  blame(scope: RecordScope, q: ServerBlameQuery): Promise<ServerBlameResult> {
    const from = this.from;
    return new ScopedBlame(typeof from === 'function' ? from(scope) : sqliteBlameSource(from, scope)).blame(q);
  }
}

class ScopedBlame {
  constructor(private readonly source: BlameSource) {}

  // Reads that do not depend on each other are issued together: on PostgreSQL each is a round trip to
  // the database (a pool of connections answers them at once); on SQLite they complete synchronously.
  async blame(q: ServerBlameQuery): Promise<ServerBlameResult> {
    const commit = await this.resolveCommit(q.repo, q.commit.toLowerCase());
    const rewrites = Promise.all([this.source.rewrittenTo(q.repo, commit), this.source.rewrittenFrom(q.repo, commit)]);
    const bindings = (await this.source.bindingsAt(q.repo, commit, q.path)).map((json) => JSON.parse(json) as Binding);
    const editIds = [...new Set(bindings.map((b) => b.edit.id))];
    const [reviews, promptList] = await Promise.all([this.reviewsFor(q.repo, commit, q.path, bindings), Promise.all(editIds.map((id) => this.promptOf(id)))]);
    const prompts = new Map<string, PromptInfo | undefined>(editIds.map((id, i) => [id, promptList[i]]));
    const view = new LedgerView([...bindings, ...reviews] as GitRecord[]);
    const lineNumbers = new Set<number>();
    for (const b of bindings) for (const r of b.ranges) for (let l = r.start; l <= r.end; l++) lineNumbers.add(l);
    const lines: ServerBlameLine[] = [];
    for (const line of [...lineNumbers].sort((a, b) => a - b)) {
      const hit = view.lineAt(commit, q.path, line);
      if (!hit) continue;
      lines.push({ line, commit, origPath: q.path, origLine: line, ...aiLineJson(hit.binding, view.reviewFor(hit.binding, line), prompts.get(hit.binding.edit.id)) });
    }
    const [rewrittenTo, rewrittenFrom] = await rewrites;
    return {
      repo: q.repo,
      path: q.path,
      commit,
      lines,
      summary: { ai: lines.length, edits: new Set(lines.map((l) => l.editId)).size, sessions: new Set(lines.map((l) => l.sessionId)).size },
      rewrittenTo,
      rewrittenFrom,
    };
  }

  private async resolveCommit(repo: string, commit: string): Promise<string> {
    if (FULL_COMMIT.test(commit)) return commit;
    // Prefix range: every id starting with `commit` sorts in [commit, commit + "g").
    const found = await this.source.commitsInRange(repo, commit, `${commit}g`);
    if (found.length > 1) throw new BlameCommitError(`commit prefix ${commit} is ambiguous in repository ${repo.slice(0, 200)}: give more digits`);
    return found[0] ?? commit;
  }

  private async reviewsFor(repo: string, commit: string, path: string, bindings: Binding[]): Promise<ReviewMark[]> {
    const byId = new Map<string, ReviewMark>();
    const add = (rows: string[]) => rows.forEach((json) => {
      const mark = JSON.parse(json) as ReviewMark;
      byId.set(mark.id, mark);
    });
    // Added in a fixed order (edits, sessions, the range) whatever order the reads complete in.
    const reads = await Promise.all([
      ...[...new Set(bindings.map((b) => b.edit.id))].map((edit) => this.source.reviewsOfEdit(edit)),
      ...[...new Set(bindings.map((b) => b.edit.sessionId))].map((session) => this.source.reviewsOfSession(session)),
      this.source.reviewsOfRange(repo, commit, path),
    ]);
    reads.forEach(add);
    return [...byId.values()];
  }

  private async promptOf(editId: string): Promise<PromptInfo | undefined> {
    const json = await this.source.editJson(editId);
    if (!json) return undefined;
    const record = JSON.parse(json) as ProvenanceRecord;
    return record.kind === 'edit' ? promptInfo(record.prompt?.content) : undefined;
  }
}
