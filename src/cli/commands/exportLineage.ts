/**
 * `lineagelens export --lineage <file:line | session-id | session:ID | prompt:ID> --out FILE [--format prov]`:
 * the lineage subgraph of a line (its ancestry) or of a session or prompt (its descendants) as W3C
 * PROV-JSON. With `--format intoto` (or `jsonl --sign`) the same document rides in the signed export
 * instead, as a subject of the DSSE envelope (see core/export/runExport.ts); `lineagelens verify`
 * checks its digest and counts.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LedgerView } from '../../core/git/gitLedger';
import { LineageGraph } from '../../core/lineage/lineageGraph';
import { lineLineage } from '../../core/lineage/lineLineage';
import type { Subgraph } from '../../core/lineage/lineageQueries';
import { type ProvDocument, toProvJson } from '../../core/lineage/provJson';
import { loadAncestryGraph } from '../../core/lineage/storedLineage';
import { withStoreAndLedger } from './gitContext';
import { descendantNode } from './lineage';

/** The lineage subgraph a `--lineage` target names, from the store's lineage edges (and git for a line). */
export async function lineageDocument(home: string, target: string, repoDir: string, rev: string | undefined): Promise<{ target: string; document: ProvDocument }> {
  const sub = await withStoreAndLedger(home, async (store, ledger): Promise<Subgraph> => {
    const m = /^(.+):(\d+)$/.exec(target);
    if (m && !/^(session|prompt|edit):/.test(target)) {
      const graph = store ? (nodes: string[]) => loadAncestryGraph(store, nodes) : new LineageGraph();
      const line = await lineLineage({ repoDir, file: m[1]!, line: Number(m[2]), rev, ledger: new LedgerView(ledger.readAll()), graph });
      return line.ancestry?.graph ?? { nodes: [], edges: [] };
    }
    if (!store) throw new Error(`no provenance store at ${home}`);
    const found = await store.lineage({ op: 'descendants', node: descendantNode(target) });
    if (!found) throw new Error(`the store knows no ${descendantNode(target)}`);
    return found;
  });
  return { target, document: toProvJson(sub) };
}

/** The plain PROV-JSON export. Returns the exit code. */
export async function writeLineageExport(home: string, target: string, out: string, repoDir: string, rev: string | undefined, json: boolean): Promise<number> {
  const { document } = await lineageDocument(home, target, repoDir, rev);
  const file = path.resolve(out);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  const entities = Object.keys(document.entity).length;
  if (json) process.stdout.write(`${JSON.stringify({ lineage: target, file, entities }, null, 2)}\n`);
  else process.stdout.write(`exported the lineage of ${target} (${entities} entities) as PROV-JSON\n  ${file}\n`);
  return 0;
}
