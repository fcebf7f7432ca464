/**
 * The store's lineage edges (sql.js, filled as records, ledger bindings and editor-seen rewrites are
 * stored) answer exactly what a LineageGraph built in memory from the same data answers: ancestry of
 * every edit, descendants of every session and prompt, impact per tool and model and time window.
 * Property-based (fast-check) over generated histories: several files and sessions, edits that rewrite
 * lines of earlier edits (by content), re-puts (disposition updates), bindings with rewrites and moves,
 * and rewrite-log entries, appended in shuffled order across several appends.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { GitLedger } from '../../src/core/git/gitLedger';
import { type Binding, GIT_SCHEMA_ID } from '../../src/core/git/gitRecords';
import { LineageGraph, nodeId, type LineageEdge } from '../../src/core/lineage/lineageGraph';
import { ancestryOf, descendantsOf, impactOf, type Ancestry, type Subgraph } from '../../src/core/lineage/lineageQueries';
import { rewriteLogFile } from '../../src/core/lineage/rewriteLog';
import { loadAncestryGraph, storedAncestry } from '../../src/core/lineage/storedLineage';
import { textContent } from '../../src/core/model/content';
import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface History {
  appends: ProvenanceRecord[][];
  bindings: Binding[];
  rewrites: { later: string; earlier: string; time: string }[];
}

const REPO = 'a'.repeat(64);
const TOOLS = [
  { name: 'copilot', model: { id: 'gpt-4o', provider: 'openai' } },
  { name: 'claude-code', model: { id: 'claude-sonnet-4-5', provider: 'anthropic' } },
  { name: 'cursor', model: 'unknown' as const },
];

/** A history: edits insert distinctive lines, later edits delete some of them (rewrites by content). */
function generate(seed: number): History {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const files = ['src/a.ts', 'src/b.ts', 'lib/c.ts'];
  const sessions = Array.from({ length: 2 + Math.floor(r() * 3) }, (_, i) => ({ id: `ses_${seed}_${i}`, tool: pick(TOOLS) }));
  const written = new Map<string, string[]>(files.map((f) => [f, []]));
  const edits: EditEvent[] = [];
  const records: ProvenanceRecord[] = [];
  const n = 6 + Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const s = pick(sessions);
    const file = pick(files);
    const pool = written.get(file)!;
    const inserted = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, k) => (r() < 0.15 && pool.length > 0 ? pick(pool) : `const value_${seed}_${i}_${k} = compute(${k});`));
    if (r() < 0.2) inserted.push('}');
    const deleted = pool.length > 0 && r() < 0.6 ? Array.from({ length: 1 + Math.floor(r() * 3) }, () => (r() < 0.85 ? pick(pool) : `let unseen_${i} = 0;`)) : [];
    if (deleted.length > 0 && r() < 0.2) deleted.push('  }');
    const text = `${inserted.join('\n')}\n`;
    const line = Math.floor(r() * 30);
    // Times: mostly increasing, sometimes equal (ties), in the generation order.
    const time = new Date(Date.UTC(2026, 10, 1, 9, 0, 0) + (i - (r() < 0.1 ? 1 : 0)) * 60_000).toISOString();
    const e: EditEvent = {
      schema: 'lineagelens.provenance/1',
      kind: 'edit',
      id: `ed_${seed}_${i}`,
      time,
      tool: { name: s.tool.name },
      model: s.tool.model,
      prompt: r() < 0.7 ? { content: textContent(`prompt ${Math.floor(r() * 3)} of ${s.id}`), source: 'hook', time } : r() < 0.5 ? { content: { form: 'none' }, source: 'hook' } : null,
      sessionId: s.id,
      file: { path: file, repo: { id: REPO } },
      rangeBefore: { start: { line, character: 0 }, end: { line: line + deleted.length, character: 0 } },
      rangeAfter: { start: { line, character: 0 }, end: { line: line + inserted.length, character: r() < 0.3 ? 4 : 0 } },
      insertedText: textContent(text),
      deletedText: deleted.length > 0 ? textContent(`${deleted.join('\n')}\n`) : { form: 'none' },
      contentHash: sha(text),
      disposition: pick(['accepted', 'pending', 'partially_kept'] as const),
      acceptor: null,
      capture: { method: 'hook', confidence: 1 },
      review: { status: 'unreviewed' },
    };
    pool.push(...inserted);
    edits.push(e);
    records.push(e);
  }
  for (const s of sessions) {
    if (r() < 0.3) continue;
    const session: AiEditSession = {
      schema: 'lineagelens.provenance/1',
      kind: 'session',
      id: s.id,
      tool: { name: s.tool.name },
      model: s.tool.model,
      prompts: [0, 1].filter(() => r() < 0.7).map((k) => ({ content: textContent(`prompt ${k} of ${s.id}`), source: 'hook' as const })),
      repo: { id: REPO },
      files,
      startedAt: '2026-11-01T08:00:00.000Z',
      endedAt: '2026-11-01T12:00:00.000Z',
      counts: { linesAdded: 1, linesKept: 1, linesRejected: 0 },
      capture: { method: 'hook', confidence: 1 },
    };
    records.splice(Math.floor(r() * records.length), 0, session);
  }
  // Re-puts: a disposition changed later (the latest put wins).
  for (const e of edits) if (r() < 0.2) records.push({ ...e, disposition: 'rejected' });
  // Appended in a shuffled order (records arrive out of order: content edges must form either way).
  for (let i = records.length - 1; i > 0; i--) {
    if (r() < 0.5) continue;
    const j = Math.floor(r() * (i + 1));
    [records[i], records[j]] = [records[j]!, records[i]!];
  }
  const appends: ProvenanceRecord[][] = [];
  for (let i = 0; i < records.length; ) {
    const k = 1 + Math.floor(r() * 6);
    appends.push(records.slice(i, i + k));
    i += k;
  }
  const commit = (k: number) => sha(`commit ${seed} ${k}`).slice(0, 40);
  const bindings: Binding[] = [];
  for (const e of edits) {
    if (r() < 0.4) continue;
    const c = Math.floor(r() * 4);
    const bound = (via: 'commit' | 'rewrite', at: string, from?: string): Binding => ({
      schema: GIT_SCHEMA_ID,
      kind: 'binding',
      id: `bind_${e.id}_${at.slice(0, 8)}`,
      time: '2026-11-02T00:00:00.000Z',
      repoId: REPO,
      commit: at,
      path: r() < 0.15 ? 'moved/elsewhere.ts' : e.file.path,
      via,
      ...(from ? { from: { commit: from, binding: `bind_${e.id}_${from.slice(0, 8)}` } } : {}),
      edit: { id: e.id, sessionId: e.sessionId, tool: e.tool.name, model: e.model === 'unknown' ? 'unknown' : `${e.model.provider}/${e.model.id}`, time: e.time, disposition: e.disposition, acceptor: null },
      ranges: [{ start: 1, end: 2, sha256: sha(e.id), lines: [sha(`${e.id}1`).slice(0, 16), sha(`${e.id}2`).slice(0, 16)] }],
    });
    bindings.push(bound('commit', commit(c)));
    if (r() < 0.4) bindings.push(bound('rewrite', commit(c + 10), commit(c)));
  }
  const rewrites: History['rewrites'] = [];
  for (let i = 0; i < 3; i++) {
    const [a, b] = [pick(edits), pick(edits)];
    if (a.id !== b.id && r() < 0.6) rewrites.push({ later: a.time >= b.time ? a.id : b.id, earlier: a.time >= b.time ? b.id : a.id, time: a.time });
  }
  if (r() < 0.3) rewrites.push({ later: edits[0]!.id, earlier: 'ed_never_stored', time: edits[0]!.time });
  return { appends, bindings, rewrites };
}

const edgeKey = (e: LineageEdge) => `${e.from} ${e.kind} ${e.to} ${e.evidence} ${e.confidence} ${JSON.stringify(e.attrs ?? null)}`;
const normal = (s: Subgraph | null) =>
  s && {
    nodes: s.nodes.map((n) => JSON.stringify([n.id, n.kind, Object.entries(n.attrs).sort()])).sort(),
    edges: s.edges.map(edgeKey).sort(),
  };
const chainOf = (a: Ancestry | null) =>
  a && {
    chain: a.chain.map((s) => ({ node: s.node.id, attrs: s.node.attrs, via: s.via, session: s.session?.id, prompts: s.prompts?.map((p) => p.id) })),
    landed: a.landed.map((l) => ({ commit: l.commit.id, path: l.path, rewrittenAs: l.rewrittenAs.map((c) => c.id), prs: l.prs.map((p) => p.id) })),
    graph: normal(a.graph),
  };

async function compare(seed: number): Promise<void> {
  const h = generate(seed);
  const home = tempHome();
  try {
    const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    try {
      // Half of the ledger before the first query, half after: the index tails the ledger.
      const ledger = new GitLedger(home);
      const half = Math.floor(h.bindings.length / 2);
      for (const batch of h.appends) await store.append(batch);
      await ledger.append(h.bindings.slice(0, half));
      await store.lineage({ op: 'counts' });
      await ledger.append(h.bindings.slice(half));
      mkdirSync(path.dirname(rewriteLogFile(home)), { recursive: true });
      writeFileSync(rewriteLogFile(home), h.rewrites.map((w) => `${JSON.stringify(w)}\n`).join('') + '{"torn":');

      // The in-memory graph, built the way the CLI used to: stored records (latest puts) in the order
      // they first arrived, then the bindings, then the rewrites the editor saw.
      const memory = new LineageGraph();
      const firstSeen: string[] = [];
      for (const batch of h.appends) for (const r of batch) if (!firstSeen.includes(r.id)) firstSeen.push(r.id);
      const latest = await store.getRecords(firstSeen);
      for (const r of latest) memory.addRecord(r!);
      for (const b of h.bindings) memory.addBinding(b);
      for (const w of h.rewrites) memory.addObservedRewrite(w.later, w.earlier);

      for (const id of firstSeen.filter((x) => x.startsWith('ed_'))) {
        const stored = ancestryOf(await loadAncestryGraph(store, [nodeId.edit(id)]), nodeId.edit(id));
        assert.deepEqual(chainOf(stored), chainOf(ancestryOf(memory, nodeId.edit(id))), `ancestry of ${id}`);
        assert.deepEqual(chainOf(await storedAncestry(store, id)), chainOf(stored));
      }
      const starts = [...memory.allNodes()].filter((n) => n.kind === 'session' || n.kind === 'prompt').map((n) => n.id);
      for (const id of [...starts, 'session:nobody']) {
        assert.deepEqual(normal(await store.lineage({ op: 'descendants', node: id })), normal(descendantsOf(memory, id)), `descendants of ${id}`);
      }
      const filters = [{}, ...TOOLS.map((t) => ({ tool: t.name })), { model: 'gpt-4o' }, { since: '2026-11-01T09:05:00.000Z' }, { tool: 'copilot', until: '2026-11-01T09:07:00.000Z' }];
      for (const f of filters) assert.deepEqual(await store.lineage({ op: 'impact', ...f }), impactOf(memory, f), `impact ${JSON.stringify(f)}`);
      const counts = await store.lineage({ op: 'counts' });
      assert.equal(counts.nodes, memory.size.nodes);
    } finally {
      await store.close();
    }
  } finally {
    removeHome(home);
  }
}

describe('lineage in the store: the sql.js edges answer as the in-memory graph', function () {
  this.timeout(300_000);

  it('on generated histories (fast-check): ancestry, descendants, impact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => compare(seed)),
      { numRuns: 25, seed: 20261128 },
    );
  });

  it('rejects a malformed lineage query with a clear message', async () => {
    const home = tempHome();
    const store = await openStore({ home, index: 'inProcess' });
    try {
      await assert.rejects(store.lineage({ op: 'ancestry', nodes: [] }), /invalid lineage query/);
      await assert.rejects(store.lineage({ op: 'impact', since: 'yesterday' } as never), /invalid lineage query/);
    } finally {
      await store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
