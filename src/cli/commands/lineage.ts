/**
 * `lineagelens lineage <file>:<line> [--rev R] [--json | --prov] [--repo DIR] [--home DIR]`: where one line came
 * from, step by step: the AI edits that wrote and rewrote it (tool, model, session), a person's change
 * over AI lines, the commits it landed in (and what they were rewritten as). `--prov` prints the ancestry
 * subgraph as W3C PROV-JSON.
 *
 * `--descendants <session-id | session:ID | prompt:ID>`: everything a session or prompt produced and where
 * it went. `--impact [--tool T] [--model M] [--since S] [--until U]`: what a tool or model produced.
 *
 * Answers come from the lineage edges the local store keeps (docs/lineage.md), not from a graph built
 * per call; git gives the blame and a person's changes. Prompts never appear (only that a step had one).
 */
import { LedgerView } from '../../core/git/gitLedger';
import { LineageGraph, type LineageNode } from '../../core/lineage/lineageGraph';
import { lineLineage, type LineLineage } from '../../core/lineage/lineLineage';
import type { Subgraph } from '../../core/lineage/lineageQueries';
import { toProvJson } from '../../core/lineage/provJson';
import { loadAncestryGraph } from '../../core/lineage/storedLineage';
import type { ProvenanceStore } from '../../core/store/provenanceStore';
import { withStoreAndLedger } from './gitContext';
import { parseSince } from './log';
import { parseStoreArgs, type StoreArgs } from './storeArgs';

const USAGE =
  'usage: lineagelens lineage <file>:<line> [--rev R] [--json | --prov] [--repo DIR] [--home DIR]\n' +
  '       lineagelens lineage --descendants <session-id|session:ID|prompt:ID> [--json | --prov] [--home DIR]\n' +
  '       lineagelens lineage --impact [--tool T] [--model M] [--since S] [--until U] [--json] [--home DIR]\n';

type Mode = { kind: 'line'; file: string; line: number } | { kind: 'descendants'; node: string } | { kind: 'impact'; tool?: string; model?: string; since?: string; until?: string };

/** A session id as given, or a node id (`session:...`, `prompt:...`) as `--json` prints them. */
export function descendantNode(arg: string): string {
  return /^(session|prompt|edit):/.test(arg) ? arg : `session:${arg}`;
}

function modeOf(parsed: StoreArgs): Mode {
  const descendants = parsed.values.get('--descendants');
  if (descendants !== undefined) {
    if (parsed.positional.length > 0 || parsed.flags.has('--impact')) throw new Error('--descendants takes no <file>:<line> and no --impact');
    return { kind: 'descendants', node: descendantNode(descendants) };
  }
  if (parsed.flags.has('--impact')) {
    if (parsed.positional.length > 0 || parsed.flags.has('--prov')) throw new Error('--impact takes no <file>:<line> and no --prov');
    const until = parsed.values.get('--until');
    return {
      kind: 'impact',
      tool: parsed.values.get('--tool'),
      model: parsed.values.get('--model'),
      since: parsed.values.has('--since') ? parseSince(parsed.values.get('--since')!) : undefined,
      until: until === undefined ? undefined : parseSince(until),
    };
  }
  const m = parsed.positional.length === 1 ? /^(.+):(\d+)$/.exec(parsed.positional[0]!) : null;
  if (!m || Number(m[2]) < 1) throw new Error('expected one <file>:<line> (line numbers start at 1), --descendants or --impact');
  return { kind: 'line', file: m[1]!, line: Number(m[2]) };
}

export async function runLineage(args: string[]): Promise<number> {
  let parsed;
  let mode: Mode;
  try {
    parsed = parseStoreArgs(args, ['--rev', '--repo', '--descendants', '--tool', '--model', '--since', '--until'], ['--prov', '--impact']);
    mode = modeOf(parsed);
  } catch (err) {
    process.stderr.write(`lineagelens lineage: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const out = await withStoreAndLedger(parsed.home, async (store, ledger) => {
      if (mode.kind === 'line') {
        const view = new LedgerView(ledger.readAll());
        const graph = store ? (nodes: string[]) => loadAncestryGraph(store, nodes) : new LineageGraph();
        const result = await lineLineage({ repoDir: parsed.values.get('--repo') ?? process.cwd(), file: mode.file, line: mode.line, rev: parsed.values.get('--rev'), ledger: view, graph });
        if (parsed.flags.has('--prov')) return `${JSON.stringify(toProvJson(result.ancestry?.graph ?? { nodes: [], edges: [] }), null, 2)}\n`;
        return parsed.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result);
      }
      if (!store) throw new Error(`no provenance store at ${parsed.home}`);
      if (mode.kind === 'descendants') return descendants(store, mode.node, parsed);
      const { kind: _kind, ...filter } = mode;
      const impact = await store.lineage({ op: 'impact', ...filter });
      if (parsed.json) return `${JSON.stringify({ filter, ...impact }, null, 2)}\n`;
      const what = [filter.tool && `tool ${filter.tool}`, filter.model && `model ${filter.model}`].filter(Boolean).join(', ') || 'all tools';
      const when = filter.since || filter.until ? ` from ${filter.since ?? 'the start'} to ${filter.until ?? 'now'}` : '';
      return (
        `${what}${when}: ${impact.edits} AI edit(s), ${impact.lines} line(s) in ${impact.files} file(s), ${impact.sessions} session(s)\n` +
        `  landed in ${impact.commits} commit(s); rewritten ${impact.rewrittenBy} time(s) by later edits\n`
      );
    });
    process.stdout.write(out);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens lineage: ${(err as Error).message}\n`);
    return 1;
  }
}

async function descendants(store: ProvenanceStore, node: string, parsed: StoreArgs): Promise<string> {
  const sub: Subgraph | null = await store.lineage({ op: 'descendants', node });
  if (!sub) throw new Error(`the store knows no ${node}`);
  if (parsed.flags.has('--prov')) return `${JSON.stringify(toProvJson(sub), null, 2)}\n`;
  if (parsed.json) return `${JSON.stringify(sub, null, 2)}\n`;
  const count = (k: LineageNode['kind']) => sub.nodes.filter((n) => n.kind === k).length;
  const lines = [`${node}: ${count('edit')} edit(s), ${count('commit')} commit(s), ${count('file')} moved-to file(s), ${count('pr')} PR(s)`];
  for (const n of sub.nodes.filter((x) => x.kind === 'edit')) lines.push(`  ${label(n)}${n.attrs.path ? ` in ${n.attrs.path}` : ''}`);
  return `${lines.join('\n')}\n`;
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
