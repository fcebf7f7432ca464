/**
 * Lineage read from the store's lineage tables (docs/lineage.md) instead of built in memory: the store
 * returns the out-closure of the nodes asked about (everything ancestryOf reads), loaded into a
 * LineageGraph, so every query of lineageQueries.ts answers as on a graph built from all records.
 */
import type { LineageAnswer, LineageQuery } from '../store/index/lineageQuery';
import { LineageGraph, nodeId } from './lineageGraph';
import { ancestryOf, type Ancestry } from './lineageQueries';

/** What reads lineage: a ProvenanceStore (or its index). */
export interface LineageReader {
  lineage<Q extends LineageQuery>(query: Q): Promise<LineageAnswer<Q>>;
}

/** A graph holding every node reachable from `starts` along out-edges, with those edges. */
export async function loadAncestryGraph(reader: LineageReader, starts: readonly string[]): Promise<LineageGraph> {
  return LineageGraph.fromSubgraph(await reader.lineage({ op: 'ancestry', nodes: [...starts] }));
}

/** An earlier record the editor saw an edit rewrite; `ifEarlier`: only if that record is not newer than the edit. */
export interface LiveRewrite {
  earlier: string;
  ifEarlier?: boolean;
}

/**
 * The ancestry of an edit from the store, plus rewrites the editor saw that are not stored yet (`live`:
 * the earlier records an edit rewrote, given the edit's id). Their records are loaded too, until nothing
 * new turns up (bounded).
 */
export async function storedAncestry(reader: LineageReader, editId: string, live: (editId: string) => readonly LiveRewrite[] = () => []): Promise<Ancestry | null> {
  const graph = await loadAncestryGraph(reader, [nodeId.edit(editId)]);
  const done = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const missing = new Set<string>();
    const pending: [string, LiveRewrite, string][] = [];
    for (const n of [...graph.allNodes()]) {
      if (n.kind !== 'edit' || done.has(n.id)) continue;
      done.add(n.id);
      const id = n.id.slice('edit:'.length);
      for (const r of live(id)) {
        pending.push([id, r, String(n.attrs.time ?? '')]);
        if (!graph.node(nodeId.edit(r.earlier))) missing.add(nodeId.edit(r.earlier));
      }
    }
    if (missing.size > 0) graph.merge(await reader.lineage({ op: 'ancestry', nodes: [...missing] }));
    for (const [later, r, time] of pending) {
      if (r.ifEarlier && String(graph.node(nodeId.edit(r.earlier))?.attrs.time ?? '\uffff') > time) continue;
      graph.addObservedRewrite(later, r.earlier);
    }
    if (missing.size === 0) break;
  }
  return ancestryOf(graph, nodeId.edit(editId));
}
