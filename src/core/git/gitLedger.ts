/**
 * The git ledger: `<store home>/git/ledger.jsonl`, append-only, every line a link of the same SHA-256 hash
 * chain as the store's journal (chain/chainEntry.ts: `{at, hash, op:"put", prev, record, seq}`), so the
 * store's ChainVerifier checks it and `lineagelens verify` covers it. Appends take an inter-process lock
 * (the post-commit hook, the editor and a rewrite may run at once) and are fsynced before they return.
 *
 * Why a separate file and not more record kinds in the journal: bindings are facts about commits, read
 * together by blame (all bindings of a repository at once), while the journal's index is built for edits;
 * keeping them apart leaves the provenance record schema and its index untouched.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { formatEntry, GENESIS_HASH, parseEntryLine } from '../chain/chainEntry';
import { ChainVerifier, type ChainVerification } from '../chain/chainVerifier';
import { formatIssues } from '../model/version';
import { JournalLock } from '../store/journal/journalLock';
import { type Binding, GitRecord, type HumanChange, type ReviewMark } from './gitRecords';

export interface GitLedgerProblem {
  line: number;
  message: string;
}

export function ledgerFile(home: string): string {
  return path.join(home, 'git', 'ledger.jsonl');
}

export class GitLedger {
  readonly file: string;
  private readonly lock: JournalLock;

  constructor(readonly home: string) {
    this.file = ledgerFile(home);
    this.lock = new JournalLock(`${this.file}.lock`);
  }

  /** Every valid record in order; damaged lines are reported (never with their content) and skipped. */
  readAll(onProblem: (p: GitLedgerProblem) => void = () => undefined): GitRecord[] {
    if (!existsSync(this.file)) return [];
    const records: GitRecord[] = [];
    const lines = readFileSync(this.file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (!text.trim()) return;
      try {
        const entry = parseEntryLine(text);
        if (entry.op !== 'put') return;
        const parsed = GitRecord.safeParse(entry.record);
        if (parsed.success) records.push(parsed.data);
        else onProblem({ line: i + 1, message: `not a git ledger record: ${formatIssues(parsed.error)}` });
      } catch (err) {
        onProblem({ line: i + 1, message: (err as Error).message });
      }
    });
    return records;
  }

  /** Appends records (validated first: nothing is written if one is invalid); durable when it resolves. */
  async append(records: readonly GitRecord[]): Promise<void> {
    if (records.length === 0) return;
    const valid = records.map((r, i) => {
      const parsed = GitRecord.safeParse(r);
      if (!parsed.success) throw new Error(`git ledger record ${i + 1} is invalid: ${formatIssues(parsed.error)}`);
      return parsed.data;
    });
    mkdirSync(path.dirname(this.file), { recursive: true });
    const lease = await this.lock.acquire();
    try {
      let { seq, hash } = this.head();
      const at = new Date().toISOString();
      const lines: string[] = [];
      for (const record of valid) {
        const formatted = formatEntry({ seq: ++seq, prev: hash, at, op: 'put', record: record as unknown as Record<string, unknown> });
        hash = formatted.hash;
        lines.push(formatted.line);
      }
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, `${lines.join('\n')}\n`);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } finally {
      await lease.release();
    }
  }

  /** Walks the ledger's chain (same checks and messages as the store's journal). */
  verify(): ChainVerification & { exists: boolean } {
    const verifier = new ChainVerifier();
    if (!existsSync(this.file)) return { ...verifier.finish(), exists: false };
    let offset = 0;
    readFileSync(this.file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim()) verifier.push(text, { segment: 'git/ledger.jsonl', line: i + 1, offset }, undefined);
        offset += Buffer.byteLength(text) + 1;
      });
    return { ...verifier.finish(), exists: true };
  }

  private head(): { seq: number; hash: string } {
    if (!existsSync(this.file)) return { seq: 0, hash: GENESIS_HASH };
    const lines = readFileSync(this.file, 'utf8').split('\n').filter((l) => l.trim());
    const last = lines[lines.length - 1];
    if (!last) return { seq: 0, hash: GENESIS_HASH };
    const entry = parseEntryLine(last);
    return { seq: entry.seq, hash: entry.hash };
  }
}

/** Bindings and reviews of a ledger, indexed the ways blame and rewrites look them up. */
export class LedgerView {
  readonly bindings: Binding[] = [];
  readonly reviews: ReviewMark[] = [];
  readonly humanChanges: HumanChange[] = [];
  private readonly byCommitPath = new Map<string, Binding[]>();
  private readonly humanByCommitPath = new Map<string, HumanChange[]>();
  private readonly byCommit = new Map<string, Binding[]>();
  private readonly ids = new Set<string>();

  constructor(records: readonly GitRecord[]) {
    for (const r of records) this.add(r);
  }

  add(record: GitRecord): void {
    this.ids.add(record.id);
    if (record.kind === 'review') this.reviews.push(record);
    if (record.kind === 'human-change') {
      this.humanChanges.push(record);
      const key = `${record.commit}\0${record.path}`;
      const list = this.humanByCommitPath.get(key);
      if (list) list.push(record);
      else this.humanByCommitPath.set(key, [record]);
    }
    if (record.kind !== 'binding') return;
    this.bindings.push(record);
    const ofCommit = this.byCommit.get(record.commit);
    if (ofCommit) ofCommit.push(record);
    else this.byCommit.set(record.commit, [record]);
    const key = `${record.commit}\0${record.path}`;
    const list = this.byCommitPath.get(key);
    if (list) list.push(record);
    else this.byCommitPath.set(key, [record]);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  at(commit: string, path: string): readonly Binding[] {
    return this.byCommitPath.get(`${commit}\0${path}`) ?? [];
  }

  ofCommit(commit: string): Binding[] {
    return [...(this.byCommit.get(commit) ?? [])];
  }

  ofRepoPath(repoId: string, path: string): Binding[] {
    return this.bindings.filter((b) => b.repoId === repoId && b.path === path);
  }

  /** The binding and range holding 1-based `line` of `path` as committed in `commit`, if any. */
  lineAt(commit: string, path: string, line: number): { binding: Binding; lineHash: string } | null {
    let found: { binding: Binding; lineHash: string } | null = null;
    for (const b of this.at(commit, path)) {
      for (const r of b.ranges) {
        // The latest binding wins (a later edit rewrote the line before it was committed).
        if (line >= r.start && line <= r.end && (!found || b.edit.time >= found.binding.edit.time)) found = { binding: b, lineHash: r.lines[line - r.start]! };
      }
    }
    return found;
  }

  /** The person's change over AI lines holding 1-based `line` of `path` as committed in `commit`, if any. */
  humanChangeAt(commit: string, path: string, line: number): { change: HumanChange; lineHash: string } | null {
    for (const h of this.humanByCommitPath.get(`${commit}\0${path}`) ?? []) {
      for (const r of h.ranges) if (line >= r.start && line <= r.end) return { change: h, lineHash: r.lines[line - r.start]! };
    }
    return null;
  }

  /** Bindings of one AI edit (what its lines landed in). */
  bindingsOfEdit(editId: string): Binding[] {
    return this.bindings.filter((b) => b.edit.id === editId);
  }

  /** The newest review mark that covers an edit (by edit, session or committed range). */
  reviewFor(binding: Binding, line: number): ReviewMark | null {
    let latest: ReviewMark | null = null;
    for (const mark of this.reviews) {
      const t = mark.target;
      const hit =
        ('editId' in t && t.editId === binding.edit.id) ||
        ('sessionId' in t && t.sessionId === binding.edit.sessionId) ||
        ('commit' in t && t.repoId === binding.repoId && t.commit === binding.commit && t.path === binding.path && line >= t.start && line <= t.end);
      if (hit && (!latest || mark.time >= latest.time)) latest = mark;
    }
    return latest;
  }
}
