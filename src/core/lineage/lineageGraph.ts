/**
 * The lineage graph of one store (and its git ledger): where AI-written lines came from, step by step.
 *
 *   nodes  prompt, session, edit, commit, pr, file, human (a person's change to AI lines, summarised)
 *   edges  part-of      edit -> session          (the edit's session id)
 *          prompted-by  session -> prompt        (the prompts the record carried)
 *          derived-from edit -> earlier edit     (it replaced lines the earlier edit wrote: the deleted
 *                                                 lines' hashes equal lines the earlier one inserted)
 *          landed-in    edit -> commit           (a ledger binding: lines committed, with ranges)
 *          rewritten-as commit -> commit         (amend, rebase, squash: a rewrite binding)
 *          moved-to     edit -> file             (its lines bound in a file other than the one written)
 *          reviewed-in  commit -> pr             (from PR webhooks, when known)
 *
 * Built incrementally: add records and bindings in any order; an edge found by content records its
 * evidence and how sure it is. Pure and in memory: the store and the server persist nodes and edges.
 */
import type { Binding, HumanChange } from '../git/gitRecords';
import { lineHash } from '../git/lineHashes';
import type { EditEvent, ProvenanceRecord } from '../model/schema';

export type NodeKind = 'prompt' | 'session' | 'edit' | 'commit' | 'pr' | 'file' | 'human';
export type EdgeKind = 'part-of' | 'prompted-by' | 'derived-from' | 'landed-in' | 'rewritten-as' | 'moved-to' | 'reviewed-in';
export type Evidence = 'session-id' | 'record' | 'content-hash' | 'binding' | 'rewrite' | 'webhook' | 'git-diff' | 'editor';

export interface LineageNode {
  id: string;
  kind: NodeKind;
  /** Short, display-safe facts (never prompt or code text). */
  attrs: Record<string, string | number | null>;
}

export interface LineageEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  evidence: Evidence;
  /** 0..1: 1 when a recorded id says so, the share of matched lines for content evidence. */
  confidence: number;
  attrs?: Record<string, string | number | null>;
}

export const nodeId = {
  edit: (id: string) => `edit:${id}`,
  session: (id: string) => `session:${id}`,
  prompt: (sessionId: string, sha256: string) => `prompt:${sessionId}:${sha256.slice(0, 16)}`,
  commit: (repoId: string, sha: string) => `commit:${repoId.slice(0, 16)}:${sha}`,
  file: (repoId: string, path: string) => `file:${repoId.slice(0, 16)}:${path}`,
  pr: (provider: string, repoId: string, n: number) => `pr:${provider}:${repoId.slice(0, 16)}:${n}`,
  human: (commit: string, path: string, line: number) => `human:${commit}:${path}:${line}`,
  /**
   * A person's change over one AI edit's lines in one file of one commit (a ledger `human-change` fact,
   * summarised: its line ranges are in the attrs). Named by its first changed line, not by the edit (a
   * line belongs to one edit's change only, and the id must not name a record a role filter may hide).
   * The commit's part comes first, so a repository's changes at a commit share humanChangePrefix (the
   * server looks them up by it).
   */
  humanChange: (repoId: string, commit: string, path: string, firstLine: number) => `${nodeId.humanChangePrefix(repoId, commit)}:${path}:L${firstLine}`,
  humanChangePrefix: (repoId: string, commitOrPrefix: string) => `human:${repoId.slice(0, 16)}:${commitOrPrefix}`,
};

/** Lines too common to be evidence that one edit rewrote another (braces, blank lines, `return;`). */
export function isDistinctive(line: string): boolean {
  return line.trim().length >= 8;
}

function textOf(content: EditEvent['insertedText']): string | null {
  return content.form === 'text' || content.form === 'redacted' ? content.text : null;
}

interface Inserted {
  editId: string;
  time: string;
}

export class LineageGraph {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageEdge>();
  private readonly outgoing = new Map<string, LineageEdge[]>();
  private readonly incoming = new Map<string, LineageEdge[]>();
  /** Per file: line hash -> edits that inserted such a line (for derived-from by content). */
  private readonly insertedLines = new Map<string, Map<string, Inserted[]>>();
  private readonly edits = new Map<string, EditEvent>();
  private readonly editsByFile = new Map<string, EditEvent[]>();

  node(id: string): LineageNode | undefined {
    return this.nodes.get(id);
  }
  out(id: string, kind?: EdgeKind): LineageEdge[] {
    return (this.outgoing.get(id) ?? []).filter((e) => !kind || e.kind === kind);
  }
  in(id: string, kind?: EdgeKind): LineageEdge[] {
    return (this.incoming.get(id) ?? []).filter((e) => !kind || e.kind === kind);
  }
  get size(): { nodes: number; edges: number } {
    return { nodes: this.nodes.size, edges: this.edges.size };
  }
  allEdges(): IterableIterator<LineageEdge> {
    return this.edges.values();
  }
  allNodes(): IterableIterator<LineageNode> {
    return this.nodes.values();
  }

  /** A graph of stored nodes and edges (the server reads a subgraph from its tables, then asks core's queries). */
  static fromParts(nodes: Iterable<LineageNode>, edges: Iterable<LineageEdge>): LineageGraph {
    const g = new LineageGraph();
    for (const n of nodes) g.addNode(n);
    for (const e of edges) g.addEdge(e);
    return g;
  }

  /** A graph holding exactly these nodes and edges (a subgraph the store loaded from its lineage tables). */
  static fromSubgraph(sub: { nodes: readonly LineageNode[]; edges: readonly LineageEdge[] }): LineageGraph {
    const g = new LineageGraph();
    g.merge(sub);
    return g;
  }

  /** Adds nodes and edges as they are (edges to nodes not present are left out). */
  merge(sub: { nodes: readonly LineageNode[]; edges: readonly LineageEdge[] }): void {
    for (const n of sub.nodes) this.addNode(n);
    for (const e of sub.edges) if (this.nodes.has(e.from) && this.nodes.has(e.to)) this.addEdge({ ...e });
  }

  private addNode(n: LineageNode): void {
    const had = this.nodes.get(n.id);
    this.nodes.set(n.id, had ? { ...n, attrs: { ...had.attrs, ...n.attrs } } : n);
  }

  private addEdge(e: LineageEdge): void {
    const key = `${e.from}\u0000${e.kind}\u0000${e.to}`;
    const had = this.edges.get(key);
    if (had) {
      if (e.confidence > had.confidence) Object.assign(had, e);
      return;
    }
    this.edges.set(key, e);
    for (const [map, k] of [[this.outgoing, e.from], [this.incoming, e.to]] as const) {
      const list = map.get(k);
      if (list) list.push(e);
      else map.set(k, [e]);
    }
  }

  /**
   * Adds a store record: an edit (with its session and prompt) or a session (with its prompts).
   * `byContent: false` leaves out derived-from by content (the server derives it from its stored line
   * hashes, and hashing every line twice was a tenth of its indexing CPU).
   */
  addRecord(r: ProvenanceRecord, opts: { byContent?: boolean } = {}): void {
    if (r.kind === 'session') {
      const s = nodeId.session(r.id);
      this.addNode({ id: s, kind: 'session', attrs: { tool: r.tool.name, model: r.model === 'unknown' ? null : r.model.id, startedAt: r.startedAt } });
      for (const p of r.prompts) {
        const pid = nodeId.prompt(r.id, p.content.form === 'none' ? 'none' : p.content.sha256);
        this.addNode({ id: pid, kind: 'prompt', attrs: { time: p.time ?? null, source: p.source } });
        this.addEdge({ from: s, to: pid, kind: 'prompted-by', evidence: 'record', confidence: 1 });
      }
      return;
    }
    if (this.edits.has(r.id)) return;
    this.edits.set(r.id, r);
    const e = nodeId.edit(r.id);
    // Lines the edit's text spans (end-exclusive: an end at column 0 does not reach into that line).
    const { start, end } = r.rangeAfter;
    const lines = Math.max(end.line - start.line + (end.character > 0 ? 1 : 0), start.line === end.line && end.character > start.character ? 1 : 0);
    this.addNode({
      id: e,
      kind: 'edit',
      attrs: { tool: r.tool.name, model: r.model === 'unknown' ? null : r.model.id, time: r.time, path: r.file.path, line: r.rangeAfter.start.line + 1, lines, disposition: r.disposition },
    });
    if (r.sessionId) {
      const s = nodeId.session(r.sessionId);
      this.addNode({ id: s, kind: 'session', attrs: { tool: r.tool.name } });
      this.addEdge({ from: e, to: s, kind: 'part-of', evidence: 'session-id', confidence: 1 });
      if (r.prompt && r.prompt.content.form !== 'none') {
        const pid = nodeId.prompt(r.sessionId, r.prompt.content.sha256);
        this.addNode({ id: pid, kind: 'prompt', attrs: { time: r.prompt.time ?? null, source: r.prompt.source } });
        this.addEdge({ from: s, to: pid, kind: 'prompted-by', evidence: 'record', confidence: 1 });
      }
    }
    if (opts.byContent !== false) this.linkByContent(r);
  }

  /**
   * derived-from: the lines this edit deleted were lines an earlier edit of the same file inserted. Both
   * directions are checked, so records may arrive out of order.
   */
  private linkByContent(r: EditEvent): void {
    const fileKey = `${r.file.repo?.id ?? ''}\u0000${r.file.path}`;
    const sameFile = this.editsByFile.get(fileKey) ?? [];
    sameFile.push(r);
    this.editsByFile.set(fileKey, sameFile);
    let index = this.insertedLines.get(fileKey);
    if (!index) this.insertedLines.set(fileKey, (index = new Map()));
    const inserted = textOf(r.insertedText);
    const insertedHashes = inserted === null ? [] : inserted.split('\n').filter(isDistinctive).map(lineHash);
    for (const h of insertedHashes) {
      const list = index.get(h) ?? [];
      list.push({ editId: r.id, time: r.time });
      index.set(h, list);
    }
    // This edit as the later one: which earlier edits wrote the lines it deleted?
    this.deriveFrom(r, index);
    // This edit as the earlier one: later edits already seen that deleted its lines.
    if (insertedHashes.length > 0) {
      const mine = new Set(insertedHashes);
      for (const other of sameFile) {
        if (other.id === r.id || other.time <= r.time) continue;
        const deleted = textOf(other.deletedText);
        if (deleted !== null && deleted.split('\n').some((l) => isDistinctive(l) && mine.has(lineHash(l)))) this.deriveFrom(other, index);
      }
    }
  }

  private deriveFrom(later: EditEvent, index: Map<string, Inserted[]>): void {
    const deleted = textOf(later.deletedText);
    if (deleted === null) return;
    const lines = deleted.split('\n').filter(isDistinctive);
    if (lines.length === 0) return;
    const counts = new Map<string, number>();
    for (const l of lines) {
      // The latest earlier edit that inserted this line: the one whose text was on screen.
      const source = (index.get(lineHash(l)) ?? []).filter((i) => i.time < later.time && i.editId !== later.id).sort((a, b) => b.time.localeCompare(a.time))[0];
      if (source) counts.set(source.editId, (counts.get(source.editId) ?? 0) + 1);
    }
    for (const [editId, n] of counts) {
      this.addEdge({ from: nodeId.edit(later.id), to: nodeId.edit(editId), kind: 'derived-from', evidence: 'content-hash', confidence: Math.round((n / lines.length) * 1000) / 1000, attrs: { lines: n } });
    }
  }

  /** A rewrite the editor saw happen (an AI change inside another AI record's text): certain. */
  addObservedRewrite(laterEditId: string, earlierEditId: string): void {
    for (const id of [laterEditId, earlierEditId]) if (!this.nodes.has(nodeId.edit(id))) return;
    this.addEdge({ from: nodeId.edit(laterEditId), to: nodeId.edit(earlierEditId), kind: 'derived-from', evidence: 'editor', confidence: 1 });
  }

  /** Adds a ledger binding: landed-in (and rewritten-as / moved-to when the binding says so). */
  addBinding(b: Binding, editPath?: string): void {
    const e = nodeId.edit(b.edit.id);
    if (!this.nodes.has(e)) this.addNode({ id: e, kind: 'edit', attrs: { tool: b.edit.tool, model: b.edit.model, time: b.edit.time, disposition: b.edit.disposition } });
    const c = nodeId.commit(b.repoId, b.commit);
    this.addNode({ id: c, kind: 'commit', attrs: { sha: b.commit } });
    const lines = b.ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
    this.addEdge({ from: e, to: c, kind: 'landed-in', evidence: 'binding', confidence: 1, attrs: { path: b.path, lines, ranges: b.ranges.map((r) => `${r.start}-${r.end}`).join(',') } });
    if (b.via === 'rewrite' && b.from) {
      const old = nodeId.commit(b.repoId, b.from.commit);
      this.addNode({ id: old, kind: 'commit', attrs: { sha: b.from.commit } });
      this.addEdge({ from: old, to: c, kind: 'rewritten-as', evidence: 'rewrite', confidence: 1 });
    }
    const written = editPath ?? this.edits.get(b.edit.id)?.file.path;
    if (written !== undefined && written !== b.path) {
      const f = nodeId.file(b.repoId, b.path);
      this.addNode({ id: f, kind: 'file', attrs: { path: b.path } });
      this.addEdge({ from: e, to: f, kind: 'moved-to', evidence: 'content-hash', confidence: 1, attrs: { from: written, commit: b.commit } });
    }
  }

  /** Adds a PR that carried a commit (from the review index). */
  addPullRequest(repoId: string, commit: string, pr: { provider: string; number: number; url: string; status: string; by: string | null }): void {
    const c = nodeId.commit(repoId, commit);
    const p = nodeId.pr(pr.provider, repoId, pr.number);
    this.addNode({ id: c, kind: 'commit', attrs: { sha: commit } });
    this.addNode({ id: p, kind: 'pr', attrs: { number: pr.number, url: pr.url, status: pr.status, by: pr.by } });
    this.addEdge({ from: c, to: p, kind: 'reviewed-in', evidence: 'webhook', confidence: 1 });
  }

  /**
   * A ledger fact: a person's commit changed lines of one AI edit in one file (who, when, which lines).
   * The node holds no record id and no edit id (the edge names the edit), so it reveals nothing a role
   * filter hides.
   */
  addHumanChange(h: HumanChange): string {
    const id = nodeId.humanChange(h.repoId, h.commit, h.path, Math.min(...h.ranges.map((r) => r.start)));
    const ranges = h.ranges.map((r) => `${r.start}-${r.end}`).join(',');
    const lines = h.ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
    this.addNode({ id, kind: 'human', attrs: { author: h.author.name, time: h.author.time, path: h.path, commit: h.commit, lines, ranges } });
    this.addEdge({ from: id, to: nodeId.edit(h.edit.id), kind: 'derived-from', evidence: 'git-diff', confidence: 1 });
    const c = nodeId.commit(h.repoId, h.commit);
    this.addNode({ id: c, kind: 'commit', attrs: { sha: h.commit } });
    this.addEdge({ from: id, to: c, kind: 'landed-in', evidence: 'git-diff', confidence: 1, attrs: { path: h.path, lines, ranges } });
    return id;
  }

  /** A person's commit that changed AI lines (summarised: who, when, how many lines). */
  addHumanEdit(parentEditId: string, commit: { repoId: string; sha: string; path: string; line: number; author: string; time: string }): string {
    const h = nodeId.human(commit.sha, commit.path, commit.line);
    this.addNode({ id: h, kind: 'human', attrs: { author: commit.author, time: commit.time, path: commit.path, commit: commit.sha } });
    this.addEdge({ from: h, to: nodeId.edit(parentEditId), kind: 'derived-from', evidence: 'git-diff', confidence: 1 });
    const c = nodeId.commit(commit.repoId, commit.sha);
    this.addNode({ id: c, kind: 'commit', attrs: { sha: commit.sha } });
    this.addEdge({ from: h, to: c, kind: 'landed-in', evidence: 'git-diff', confidence: 1 });
    return h;
  }
}
