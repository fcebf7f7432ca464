/**
 * `lineagelens lineage <file>:<line> [--rev R] [--json | --prov] [--repo DIR] [--home DIR]`: where one line came
 * from, step by step: the AI edits that wrote and rewrote it (tool, model, session), a person's change
 * over AI lines, the commits it landed in (and what they were rewritten as). `--prov` prints the ancestry
 * subgraph as W3C PROV-JSON.
 *
 * The graph is built on demand from this repository's records in the store and the git ledger; prompts
 * never appear (only that a step had one).
 */
import { LedgerView } from '../../core/git/gitLedger';
import { repoIdentityOf } from '../../core/git/bindCommit';
import { repoRoot } from '../../core/git/gitExec';
import { LineageGraph, type LineageNode } from '../../core/lineage/lineageGraph';
import { lineLineage, type LineLineage } from '../../core/lineage/lineLineage';
import { toProvJson } from '../../core/lineage/provJson';
import { withStoreAndLedger } from './gitContext';
import { parseStoreArgs } from './storeArgs';

const USAGE = 'usage: lineagelens lineage <file>:<line> [--rev R] [--json | --prov] [--repo DIR] [--home DIR]\n';

export async function runLineage(args: string[]): Promise<number> {
  let parsed;
  let file: string;
  let line: number;
  try {
    parsed = parseStoreArgs(args, ['--rev', '--repo'], ['--prov']);
    const m = parsed.positional.length === 1 ? /^(.+):(\d+)$/.exec(parsed.positional[0]!) : null;
    if (!m || Number(m[2]) < 1) throw new Error('expected one <file>:<line> (line numbers start at 1)');
    file = m[1]!;
    line = Number(m[2]);
  } catch (err) {
    process.stderr.write(`lineagelens lineage: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const repoDir = parsed.values.get('--repo') ?? process.cwd();
    const out = await withStoreAndLedger(parsed.home, async (store, ledger) => {
      const view = new LedgerView(ledger.readAll());
      const graph = new LineageGraph();
      const repoId = (await repoIdentityOf(await repoRoot(repoDir))).id;
      if (store) {
        const hits = await store.queryAll({ repoId, kind: 'edit' });
        for (let i = 0; i < hits.length; i += 500) {
          for (const r of await store.getRecords(hits.slice(i, i + 500).map((h) => h.id))) if (r) graph.addRecord(r);
        }
      }
      for (const b of view.bindings) if (b.repoId === repoId) graph.addBinding(b);
      const result = await lineLineage({ repoDir, file, line, rev: parsed.values.get('--rev'), ledger: view, graph });
      if (parsed.flags.has('--prov')) return `${JSON.stringify(toProvJson(result.ancestry?.graph ?? { nodes: [], edges: [] }), null, 2)}\n`;
      return parsed.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result);
    });
    process.stdout.write(out);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens lineage: ${(err as Error).message}\n`);
    return 1;
  }
}

function label(n: LineageNode): string {
  const a = n.attrs;
  switch (n.kind) {
    case 'edit':
      return `AI edit by ${a.tool}${a.model ? ` (${a.model})` : ''} at ${a.time}${a.disposition ? `, ${a.disposition}` : ''}`;
    case 'human':
      return `edited by ${a.author} at ${a.time} (commit ${String(a.commit).slice(0, 10)})`;
    default:
      return `${n.kind} ${n.id}`;
  }
}

function describe(r: LineLineage): string {
  const head = `${r.path}:${r.line} at ${r.rev} — last written in ${r.commit.slice(0, 10)} by ${r.author.name}\n`;
  if (!r.ancestry) return `${head}  written by a person; no AI ancestry found\n`;
  const steps = r.ancestry.chain.map((s, i) => {
    const via = s.via ? ` [derived by ${s.via.evidence}, ${Math.round(s.via.confidence * 100)}%]` : '';
    const session = s.session ? `\n       session ${s.session.id.replace(/^session:/, '')}${s.prompts?.length ? `, ${s.prompts.length} prompt(s)` : ''}` : '';
    return `  ${i + 1}. ${label(s.node)}${via}${session}\n`;
  });
  const landed = r.ancestry.landed.map(
    (l) =>
      `  -> commit ${String(l.commit.attrs.sha).slice(0, 10)}${l.path ? ` (${l.path})` : ''}` +
      l.rewrittenAs.map((c) => ` -> rewritten as ${String(c.attrs.sha).slice(0, 10)}`).join('') +
      l.prs.map((p) => ` -> ${p.attrs.status ?? `PR ${p.attrs.number}`}`).join('') +
      '\n',
  );
  return head + steps.join('') + landed.join('');
}
