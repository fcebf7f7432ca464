/**
 * Builds the server's lineage graph incrementally, as records, git ledger records and PR webhook facts
 * arrive (in any order; every step is idempotent, so a resend changes nothing):
 *
 *   provenance record  the edit / session node, part-of and prompted-by (core's LineageGraph decides the
 *                      node ids and attrs), the edit's line hashes, and derived-from by content: the lines
 *                      it replaced were inserted by an earlier edit of the same file (both directions: an
 *                      earlier edit arriving late links the later ones already stored);
 *   ledger binding     landed-in (edit -> commit, with the bound ranges), rewritten-as for a binding that
 *                      followed a rewrite, moved-to when the lines are bound in another file than written;
 *   ledger rewrite     rewritten-as for every old -> new commit pair (amend, rebase, squash);
 *   PR facts           reviewed-in (commit -> PR) for every commit a PR carried, with its review status.
 */
import { isDistinctive, LineageGraph, nodeId } from '../../core/lineage/lineageGraph';
import type { LineageEdge } from '../../core/lineage/lineageGraph';
import type { GitRecord } from '../../core/git/gitRecords';
import { lineHash } from '../../core/git/lineHashes';
import type { EditEvent, ProvenanceRecord } from '../../core/model/schema';
import type { PrFact } from '../../core/reviews/prEvents';
import { PrReviewIndex } from '../../core/reviews/prReviews';
import { type DeleterProbe, type HashRow, type InserterHit, type InserterProbe, type LineageStore, newerInserter, type StoredNode } from './lineageStore';

function textOf(content: EditEvent['insertedText']): string | null {
  return content.form === 'text' || content.form === 'redacted' ? content.text : null;
}

/** 1-based inclusive line span of a range (an end at column 0 does not reach into that line). */
function span(r: EditEvent['rangeAfter']): { start: number; end: number } {
  const start = r.start.line + 1;
  const end = Math.max(start, r.end.line + (r.end.character > 0 || r.end.line === r.start.line ? 1 : 0));
  return { start, end };
}

const distinctHashes = (text: string | null) => (text === null ? [] : [...new Set(text.split('\n').filter(isDistinctive).map(lineHash))]);

/** An edit record of a batch: where it is in the batch, and the line hashes it inserted and deleted. */
interface EditStep {
  pos: number;
  id: string;
  repo: string;
  path: string;
  time: string;
  before: { start: number; end: number };
  inserted: string[];
  deleted: string[];
  rows: HashRow[];
}

const keyOf = (repo: string, path: string, hash: string) => `${repo}\u0000${path}\u0000${hash}`;

/**
 * The line hashes as record `pos` of a batch would see them indexed alone: the stored ones (read in two
 * batched lookups before the batch writes anything) and the batch's rows of records 0..pos. A row already
 * written keeps its first version (INSERT ... DO NOTHING), so the first of a batch's duplicates counts.
 */
class BatchView {
  /** The batch's 'i' and 'd' rows by file and hash, each with the position of the record that wrote it first. */
  private readonly inserts = new Map<string, { pos: number; row: HashRow }[]>();
  private readonly deletes = new Map<string, { pos: number; row: HashRow }[]>();
  /** An edit's 'd' rows from its first record in the batch. */
  private readonly batchDeleted = new Map<string, { pos: number; rows: HashRow[] }>();
  /** Stored: the answer per inserter probe, the later deleters by file and hash, their 'd' rows. */
  private readonly storedInserter = new Map<string, InserterHit | null>();
  private readonly storedDeletes = new Map<string, HashRow[]>();
  private readonly storedDeleted = new Map<string, HashRow[]>();

  constructor(steps: EditStep[]) {
    // A record's own rows are distinct (hash, side); only an edit sent twice in the batch repeats them.
    const earlier = new Map<string, HashRow[]>();
    const rowKey = (r: HashRow) => `${keyOf(r.repoId, r.path, r.hash)}\u0000${r.side}`;
    for (const s of steps) {
      const had = earlier.get(s.id);
      const seen = had ? new Set(had.map(rowKey)) : null;
      earlier.set(s.id, had ? [...had, ...s.rows] : s.rows);
      if (!had) this.batchDeleted.set(s.id, { pos: s.pos, rows: s.rows.filter((r) => r.side === 'd') });
      for (const row of s.rows) {
        const key = keyOf(row.repoId, row.path, row.hash);
        if (seen?.has(`${key}\u0000${row.side}`)) continue;
        const into = row.side === 'i' ? this.inserts : this.deletes;
        const list = into.get(key);
        if (list) list.push({ pos: s.pos, row });
        else into.set(key, [{ pos: s.pos, row }]);
      }
    }
    this.steps = steps;
  }

  private readonly steps: EditStep[];

  private static probeKey(repo: string, path: string, hash: string, before: string, exclude: string): string {
    return `${keyOf(repo, path, hash)}\u0000${before}\u0000${exclude}`;
  }

  /** Reads the stored side: later deleters of the inserted lines, then the newest inserters every derive asks for. */
  async load(store: LineageStore, deleterProbes: DeleterProbe[]): Promise<void> {
    const ownProbes = this.steps.flatMap((s) => s.deleted.map((hash) => ({ repoId: s.repo, path: s.path, hash, before: s.time, exclude: s.id })));
    const [deleters] = await Promise.all([deleterProbes.length > 0 ? store.laterDeleters(deleterProbes) : Promise.resolve([]), this.ask(store, ownProbes)]);
    for (const row of deleters) {
      this.storedDeleted.set(row.editId, [...(this.storedDeleted.get(row.editId) ?? []), row]);
      const key = keyOf(row.repoId, row.path, row.hash);
      this.storedDeletes.set(key, [...(this.storedDeletes.get(key) ?? []), row]);
    }
    await this.ask(store, [...this.storedDeleted].flatMap(([editId, rows]) => rows.map((r) => ({ repoId: r.repoId, path: r.path, hash: r.hash, before: r.time, exclude: editId }))));
  }

  private async ask(store: LineageStore, probes: InserterProbe[]): Promise<void> {
    const todo = new Map<string, InserterProbe>();
    for (const p of probes) {
      const k = BatchView.probeKey(p.repoId, p.path, p.hash, p.before, p.exclude);
      if (!this.storedInserter.has(k)) todo.set(k, p);
    }
    if (todo.size === 0) return;
    const hits = await store.latestInserters([...todo.values()]);
    [...todo.keys()].forEach((k, i) => this.storedInserter.set(k, hits[i] ?? null));
  }

  /**
   * derived-from edges of a later edit: per line it replaced, the newest earlier edit of the file that
   * inserted that line. Evidence: content hashes, the share of its replaced lines matched, and whether
   * the line ranges overlap (lines may have shifted between the two edits, so overlap is reported, not required).
   */
  derive(editId: string, repo: string, path: string, time: string, deleted: string[], before: { start: number; end: number }, pos: number): LineageEdge[] {
    if (deleted.length === 0) return [];
    const per = new Map<string, { n: number; overlap: boolean }>();
    for (const hash of deleted) {
      let best = this.storedInserter.get(BatchView.probeKey(repo, path, hash, time, editId)) ?? null;
      for (const c of this.inserts.get(keyOf(repo, path, hash)) ?? []) {
        if (c.pos > pos || c.row.time >= time || c.row.editId === editId) continue;
        if (!best || newerInserter(c.row, best)) best = c.row;
      }
      if (!best) continue;
      const p = per.get(best.editId) ?? { n: 0, overlap: false };
      p.n++;
      p.overlap ||= best.lineStart <= before.end && before.start <= best.lineEnd;
      per.set(best.editId, p);
    }
    return [...per].map(([earlier, p]) => ({
      from: nodeId.edit(editId),
      to: nodeId.edit(earlier),
      kind: 'derived-from' as const,
      evidence: 'content-hash' as const,
      confidence: Math.round((p.n / deleted.length) * 1000) / 1000,
      attrs: { lines: p.n, of: deleted.length, rangeOverlap: p.overlap ? 1 : 0 },
    }));
  }

  /** Edits of the file after `after` that deleted one of these lines: stored ones, and the batch's up to `pos`. */
  laterDeleters(repo: string, path: string, hashes: string[], after: string, pos: number): string[] {
    const out = new Set<string>();
    for (const hash of hashes) {
      const key = keyOf(repo, path, hash);
      for (const r of this.storedDeletes.get(key) ?? []) if (r.time > after) out.add(r.editId);
      for (const c of this.deletes.get(key) ?? []) if (c.pos <= pos && c.row.time > after) out.add(c.row.editId);
    }
    return [...out];
  }

  /** An edit's 'd' rows as seen at `pos`: from its record in the batch once that came, else as stored. */
  deletedRowsOf(editId: string, pos: number): HashRow[] {
    const own = this.batchDeleted.get(editId);
    if (own && own.pos <= pos) return own.rows;
    return this.storedDeleted.get(editId) ?? [];
  }
}

export class LineageIndexer {
  constructor(private readonly store: LineageStore) {}

  /** Nodes of a fresh core graph, with the record each came from. */
  private stored(g: LineageGraph, recordId: string | null, repoId: string | null): StoredNode[] {
    return [...g.allNodes()].map((n) => ({ ...n, recordId: n.kind === 'edit' || n.kind === 'session' || n.kind === 'prompt' ? (n.kind === 'edit' ? n.id.slice(5) : n.kind === 'session' ? n.id.slice(8) : recordId) : null, repoId }));
  }

  /**
   * Indexes a batch with a fixed number of store calls (three lookups, one write), whatever its size, and
   * with exactly the result of indexing its records one at a time in order: the lookups read the store as
   * it was before the batch, and the batch's own line hashes are laid over them in memory, record by
   * record, so each record sees what it would have seen alone (the records before it in the batch, not
   * those after). Writes are applied in the same order too (putIndexed keeps it).
   */
  async onRecords(records: readonly ProvenanceRecord[]): Promise<void> {
    const run = () => this.indexBatch(records);
    await (this.store.batch ? this.store.batch(run) : run());
  }

  private async indexBatch(records: readonly ProvenanceRecord[]): Promise<void> {
    const nodes: StoredNode[] = [];
    const edges: LineageEdge[] = [];
    const steps: EditStep[] = [];
    const hashes: HashRow[] = [];
    const plans = records.map((r) => {
      const g = new LineageGraph();
      g.addRecord(r, { byContent: false }); // one record's graph has no derived-from of its own
      const repoId = r.kind === 'edit' ? (r.file.repo?.id ?? null) : null;
      const plan = { nodes: this.stored(g, r.id, repoId), edges: [...g.allEdges()], step: null as EditStep | null };
      if (r.kind !== 'edit') return plan;
      const repo = repoId ?? '';
      const after = span(r.rangeAfter);
      const before = span(r.rangeBefore);
      const inserted = distinctHashes(textOf(r.insertedText));
      const deleted = distinctHashes(textOf(r.deletedText));
      const row = (hash: string, side: 'i' | 'd'): HashRow => ({ repoId: repo, path: r.file.path, hash, side, editId: r.id, time: r.time, lineStart: (side === 'i' ? after : before).start, lineEnd: (side === 'i' ? after : before).end });
      const step: EditStep = { pos: steps.length, id: r.id, repo, path: r.file.path, time: r.time, before, inserted, deleted, rows: [...inserted.map((h) => row(h, 'i')), ...deleted.map((h) => row(h, 'd'))] };
      steps.push(step);
      hashes.push(...step.rows);
      plan.step = step;
      return plan;
    });

    // The stored side, read before the batch's own rows are written.
    const view = new BatchView(steps);
    const [, bindings] = await Promise.all([
      view.load(this.store, steps.flatMap((s) => s.inserted.map((hash) => ({ repoId: s.repo, path: s.path, hash, after: s.time })))),
      steps.length > 0 ? this.store.bindingsOfEdits(steps.map((s) => s.id)) : Promise.resolve([]),
    ]);
    const bindingsOf = new Map<string, { repoId: string; path: string; commit: string }[]>();
    for (const b of bindings) bindingsOf.set(b.editId, [...(bindingsOf.get(b.editId) ?? []), b]);

    for (const plan of plans) {
      nodes.push(...plan.nodes);
      edges.push(...plan.edges);
      const s = plan.step;
      if (!s) continue;
      // This edit as the later one, then as the earlier one of edits already there.
      edges.push(...view.derive(s.id, s.repo, s.path, s.time, s.deleted, s.before, s.pos));
      if (s.inserted.length > 0) {
        for (const later of view.laterDeleters(s.repo, s.path, s.inserted, s.time, s.pos)) {
          const rows = view.deletedRowsOf(later, s.pos);
          if (rows.length === 0) continue;
          const first = rows[0]!;
          edges.push(...view.derive(later, first.repoId, first.path, first.time, rows.map((x) => x.hash), { start: first.lineStart, end: first.lineEnd }, s.pos));
        }
      }
      // Bindings that arrived before the record: lines bound in another file were moved there.
      for (const b of bindingsOf.get(s.id) ?? []) {
        if (b.path === s.path) continue;
        const f = nodeId.file(b.repoId, b.path);
        nodes.push({ id: f, kind: 'file', attrs: { path: b.path }, recordId: null, repoId: b.repoId });
        edges.push({ from: nodeId.edit(s.id), to: f, kind: 'moved-to', evidence: 'content-hash', confidence: 1, attrs: { from: s.path, commit: b.commit } });
      }
    }
    await this.store.putIndexed(nodes, edges, hashes);
  }

  async onLedger(records: readonly GitRecord[]): Promise<void> {
    for (const r of records) {
      if (r.kind === 'binding') {
        const known = (await this.store.nodes([nodeId.edit(r.edit.id)]))[0];
        const g = new LineageGraph();
        g.addBinding(r, typeof known?.attrs.path === 'string' ? known.attrs.path : undefined);
        const nodes = this.stored(g, null, r.repoId);
        // The edit's own record is authoritative: a binding only fills in a node not uploaded (yet).
        await this.store.putNodes(nodes.filter((n) => n.kind === 'edit'), 'ifMissing');
        await this.store.putNodes(nodes.filter((n) => n.kind !== 'edit'), 'merge');
        await this.store.putEdges([...g.allEdges()].map((e) => (e.kind === 'landed-in' ? { ...e, attrs: { ...e.attrs, via: r.via } } : e)));
      } else if (r.kind === 'rewrite') {
        const nodes: StoredNode[] = [];
        const edges: LineageEdge[] = [];
        for (const [from, to] of r.pairs) {
          const [a, b] = [nodeId.commit(r.repoId, from), nodeId.commit(r.repoId, to)];
          nodes.push({ id: a, kind: 'commit', attrs: { sha: from }, recordId: null, repoId: r.repoId }, { id: b, kind: 'commit', attrs: { sha: to }, recordId: null, repoId: r.repoId });
          edges.push({ from: a, to: b, kind: 'rewritten-as', evidence: 'rewrite', confidence: 1, attrs: { source: r.source } });
        }
        await this.store.putNodes(nodes, 'merge');
        await this.store.putEdges(edges);
      }
    }
  }

  /** Re-derives reviewed-in for one repository from all its webhook facts (a few per PR; order-independent). */
  async onPrFacts(repoId: string, facts: readonly PrFact[]): Promise<void> {
    const index = new PrReviewIndex();
    index.add(facts);
    const commits = new Set<string>();
    for (const f of facts) {
      if (f.kind === 'push') f.commits.forEach((c) => commits.add(c.toLowerCase()));
      else if (f.kind === 'review') {
        if (f.commit) commits.add(f.commit.toLowerCase());
      }
      else for (const c of [f.headSha, f.mergeCommitSha]) if (c) commits.add(c.toLowerCase());
    }
    const nodes: StoredNode[] = [];
    const edges: LineageEdge[] = [];
    for (const sha of commits) {
      const review = index.reviewOf(repoId, sha);
      if (!review) continue;
      const c = nodeId.commit(repoId, sha);
      const p = nodeId.pr(review.pr.provider, repoId, review.pr.number);
      const by = review.status === 'reviewed' ? review.reviewers.join(', ') : review.status === 'in-review' ? review.approvals.join(', ') : review.status === 'merged-without-review' ? review.mergedBy : null;
      nodes.push({ id: c, kind: 'commit', attrs: { sha }, recordId: null, repoId });
      nodes.push({ id: p, kind: 'pr', attrs: { number: review.pr.number, url: review.pr.url, status: review.status, by: by || null }, recordId: null, repoId });
      edges.push({ from: c, to: p, kind: 'reviewed-in', evidence: 'webhook', confidence: 1, attrs: { status: review.status } });
    }
    await this.store.putNodes(nodes, 'merge');
    await this.store.putEdges(edges);
  }
}
