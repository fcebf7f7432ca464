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
import type { HashRow, LineageStore, StoredNode } from './lineageStore';

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

export class LineageIndexer {
  constructor(private readonly store: LineageStore) {}

  /** Nodes of a fresh core graph, with the record each came from. */
  private stored(g: LineageGraph, recordId: string | null, repoId: string | null): StoredNode[] {
    return [...g.allNodes()].map((n) => ({ ...n, recordId: n.kind === 'edit' || n.kind === 'session' || n.kind === 'prompt' ? (n.kind === 'edit' ? n.id.slice(5) : n.kind === 'session' ? n.id.slice(8) : recordId) : null, repoId }));
  }

  async onRecords(records: readonly ProvenanceRecord[]): Promise<void> {
    const all = async () => {
      for (const r of records) await this.onRecord(r);
    };
    await (this.store.batch ? this.store.batch(all) : all());
  }

  private async onRecord(r: ProvenanceRecord): Promise<void> {
    const g = new LineageGraph();
    g.addRecord(r);
    const repoId = r.kind === 'edit' ? (r.file.repo?.id ?? null) : null;
    await this.store.putNodes(this.stored(g, r.id, repoId), 'merge');
    await this.store.putEdges([...g.allEdges()]);
    if (r.kind !== 'edit') return;

    const repo = repoId ?? '';
    const after = span(r.rangeAfter);
    const before = span(r.rangeBefore);
    const inserted = distinctHashes(textOf(r.insertedText));
    const deleted = distinctHashes(textOf(r.deletedText));
    const row = (hash: string, side: 'i' | 'd'): HashRow => ({ repoId: repo, path: r.file.path, hash, side, editId: r.id, time: r.time, lineStart: (side === 'i' ? after : before).start, lineEnd: (side === 'i' ? after : before).end });
    await this.store.putHashes([...inserted.map((h) => row(h, 'i')), ...deleted.map((h) => row(h, 'd'))]);

    // This edit as the later one, then as the earlier one of edits already stored.
    await this.derive(r.id, repo, r.file.path, r.time, deleted, before);
    if (inserted.length > 0) {
      for (const later of await this.store.laterDeleters(repo, r.file.path, inserted, r.time)) {
        const rows = await this.store.hashesOf(later, 'd');
        if (rows.length === 0) continue;
        const first = rows[0]!;
        await this.derive(later, first.repoId, first.path, first.time, rows.map((x) => x.hash), { start: first.lineStart, end: first.lineEnd });
      }
    }
    // Bindings that arrived before the record: lines bound in another file were moved there.
    const moved: LineageEdge[] = [];
    const files: StoredNode[] = [];
    for (const b of await this.store.bindingsOfEdit(r.id)) {
      if (b.path === r.file.path) continue;
      const f = nodeId.file(b.repoId, b.path);
      files.push({ id: f, kind: 'file', attrs: { path: b.path }, recordId: null, repoId: b.repoId });
      moved.push({ from: nodeId.edit(r.id), to: f, kind: 'moved-to', evidence: 'content-hash', confidence: 1, attrs: { from: r.file.path, commit: b.commit } });
    }
    await this.store.putNodes(files, 'merge');
    await this.store.putEdges(moved);
  }

  /**
   * derived-from edges of a later edit: per line it replaced, the newest earlier edit of the file that
   * inserted that line. Evidence: content hashes, the share of its replaced lines matched, and whether
   * the line ranges overlap (lines may have shifted between the two edits, so overlap is reported, not required).
   */
  private async derive(editId: string, repo: string, path: string, time: string, deleted: string[], before: { start: number; end: number }): Promise<void> {
    if (deleted.length === 0) return;
    const hits = await this.store.latestInserters(repo, path, deleted, time, editId);
    const per = new Map<string, { n: number; overlap: boolean }>();
    for (const h of hits) {
      const p = per.get(h.editId) ?? { n: 0, overlap: false };
      p.n++;
      p.overlap ||= h.lineStart <= before.end && before.start <= h.lineEnd;
      per.set(h.editId, p);
    }
    await this.store.putEdges(
      [...per].map(([earlier, p]) => ({
        from: nodeId.edit(editId),
        to: nodeId.edit(earlier),
        kind: 'derived-from' as const,
        evidence: 'content-hash' as const,
        confidence: Math.round((p.n / deleted.length) * 1000) / 1000,
        attrs: { lines: p.n, of: deleted.length, rangeOverlap: p.overlap ? 1 : 0 },
      })),
    );
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
