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
 *   ledger human-change  a `human` node (a person's commit changed an AI edit's lines: ranges in its
 *                      attrs) derived-from that edit, landed-in the commit;
 *   PR facts           reviewed-in (commit -> PR) for every commit a PR carried, with its review status.
 */
import { isDistinctive, LineageGraph, nodeId } from '../../core/lineage/lineageGraph';
import type { LineageEdge } from '../../core/lineage/lineageGraph';
import type { GitRecord } from '../../core/git/gitRecords';
import { lineHash } from '../../core/git/lineHashes';
import type { EditEvent, ProvenanceRecord } from '../../core/model/schema';
import type { PrFact } from '../../core/reviews/prEvents';
import { PrReviewIndex } from '../../core/reviews/prReviews';
import { type HashRow, type InserterHit, type InserterProbe, type LineageStore, newerInserter, type StoredNode } from './lineageStore';

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

/** Bytewise order of rows' (repo, path, hash): the order an edit's rows are read in (rows[0] gives its range). */
function byKey(a: HashRow, b: HashRow): number {
  return Buffer.compare(Buffer.from(keyOf(a.repoId, a.path, a.hash)), Buffer.from(keyOf(b.repoId, b.path, b.hash)));
}

/**
 * The line hashes as record `pos` of a batch would see them indexed alone: the stored ones (read in
 * batched lookups before the batch writes anything) and the batch's rows of records 0..pos. A row whose key
 * is already written keeps that version (INSERT ... DO NOTHING): a batch row is laid over only when neither
 * the store nor an earlier record of the batch holds its key (a record resent with changed content adds
 * its new lines and keeps the old ones, as one at a time).
 */
class BatchView {
  /** The batch's new 'i' and 'd' rows by file and hash, each with the position of the record that wrote it. */
  private readonly inserts = new Map<string, { pos: number; row: HashRow }[]>();
  private readonly deletes = new Map<string, { pos: number; row: HashRow }[]>();
  /** The batch's new 'd' rows by edit. */
  private readonly batchDeleted = new Map<string, { pos: number; row: HashRow }[]>();
  /** Stored: the answer per inserter probe, the later deleters by file and hash, the 'd' rows by edit. */
  private readonly storedInserter = new Map<string, InserterHit | null>();
  private readonly storedDeletes = new Map<string, HashRow[]>();
  private readonly storedDeleted = new Map<string, HashRow[]>();

  constructor(private readonly steps: EditStep[]) {}

  private static probeKey(repo: string, path: string, hash: string, before: string, exclude: string): string {
    return `${keyOf(repo, path, hash)}\u0000${before}\u0000${exclude}`;
  }

  /** Reads the stored side: later deleters of the inserted lines, the batch's edits' own stored rows, then the newest inserters every derive asks for. */
  async load(store: LineageStore): Promise<void> {
    const deleterProbes = this.steps.flatMap((s) => s.inserted.map((hash) => ({ repoId: s.repo, path: s.path, hash, after: s.time })));
    const ownProbes = this.steps.flatMap((s) => s.deleted.map((hash) => ({ repoId: s.repo, path: s.path, hash, before: s.time, exclude: s.id })));
    const [deleters, own] = await Promise.all([
      deleterProbes.length > 0 ? store.laterDeleters(deleterProbes) : Promise.resolve([]),
      this.steps.length > 0 ? store.hashesOf(this.steps.map((s) => s.id)) : Promise.resolve([]),
      this.ask(store, ownProbes),
    ]);
    const add = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };
    for (const row of deleters) {
      add(this.storedDeleted, row.editId, row);
      add(this.storedDeletes, keyOf(row.repoId, row.path, row.hash), row);
    }
    // A batch edit's stored 'd' rows, as a later deleter found through the batch (not through the store).
    for (const row of own) if (row.side === 'd' && !this.storedDeleted.has(row.editId)) add(this.storedDeleted, `own\u0000${row.editId}`, row);
    const written = new Set(own.map((r) => `${keyOf(r.repoId, r.path, r.hash)}\u0000${r.side}\u0000${r.editId}`));
    for (const s of this.steps) {
      for (const row of s.rows) {
        const key = keyOf(row.repoId, row.path, row.hash);
        const unique = `${key}\u0000${row.side}\u0000${row.editId}`;
        if (written.has(unique)) continue;
        written.add(unique);
        add(row.side === 'i' ? this.inserts : this.deletes, key, { pos: s.pos, row });
        if (row.side === 'd') add(this.batchDeleted, row.editId, { pos: s.pos, row });
      }
    }
    // An edit derived as a later one takes its file and time from its first row: every combination of
    // its rows' (repo, path, time) with its hashes is asked (one combination unless it was re-sent changed).
    const rowsByEdit = new Map<string, HashRow[]>();
    for (const rows of this.storedDeleted.values()) for (const r of rows) add(rowsByEdit, r.editId, r);
    for (const list of this.batchDeleted.values()) for (const c of list) add(rowsByEdit, c.row.editId, c.row);
    const probes: InserterProbe[] = [];
    for (const [editId, rows] of rowsByEdit) {
      const hashes = new Set(rows.map((r) => r.hash));
      const at = new Map(rows.map((r) => [`${r.repoId}\u0000${r.path}\u0000${r.time}`, r]));
      for (const r of at.values()) for (const hash of hashes) probes.push({ repoId: r.repoId, path: r.path, hash, before: r.time, exclude: editId });
    }
    await this.ask(store, probes);
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
      const probe = BatchView.probeKey(repo, path, hash, time, editId);
      if (!this.storedInserter.has(probe)) throw new Error(`lineage indexing: no stored answer loaded for a line of edit ${editId.slice(0, 200)}`);
      let best = this.storedInserter.get(probe) ?? null;
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

  /** An edit's 'd' rows as seen at `pos` (stored, and the batch's up to `pos`), in (repo, path, hash) order. */
  deletedRowsOf(editId: string, pos: number): HashRow[] {
    const stored = this.storedDeleted.get(editId) ?? this.storedDeleted.get(`own\u0000${editId}`) ?? [];
    const fresh = (this.batchDeleted.get(editId) ?? []).filter((c) => c.pos <= pos).map((c) => c.row);
    return fresh.length === 0 ? [...stored].sort(byKey) : [...stored, ...fresh].sort(byKey);
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
      view.load(this.store),
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
      } else if (r.kind === 'human-change') {
        // A person's change over an AI edit's lines (core/git/humanChanges.ts): a summarised human node, derived
        // from the edit, landed in the commit. It carries no record, so a role filter never hides it;
        // the edit behind it is shown or redacted as everywhere.
        const g = new LineageGraph();
        g.addHumanChange(r);
        await this.store.putNodes(this.stored(g, null, r.repoId), 'merge');
        await this.store.putEdges([...g.allEdges()]);
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
    // A commit is reviewed in one PR (the merged one decides): an edge to a PR it was in before is dropped.
    const keep: { from: string; to: string | null }[] = [];
    for (const sha of commits) {
      const review = index.reviewOf(repoId, sha);
      const c = nodeId.commit(repoId, sha);
      if (!review) {
        keep.push({ from: c, to: null });
        continue;
      }
      const p = nodeId.pr(review.pr.provider, repoId, review.pr.number);
      keep.push({ from: c, to: p });
      const by = review.status === 'reviewed' ? review.reviewers.join(', ') : review.status === 'in-review' ? review.approvals.join(', ') : review.status === 'merged-without-review' ? review.mergedBy : null;
      nodes.push({ id: c, kind: 'commit', attrs: { sha }, recordId: null, repoId });
      nodes.push({ id: p, kind: 'pr', attrs: { number: review.pr.number, url: review.pr.url, status: review.status, by: by || null }, recordId: null, repoId });
      edges.push({ from: c, to: p, kind: 'reviewed-in', evidence: 'webhook', confidence: 1, attrs: { status: review.status } });
    }
    await this.store.putNodes(nodes, 'merge');
    await this.store.putEdges(edges);
    await this.store.retainEdges('reviewed-in', keep);
  }
}
