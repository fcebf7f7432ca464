/**
 * `lineagelens stats [<rev-range>] [--json] [--repo DIR] [--home DIR]`: AI versus human lines added and
 * still kept over a range (default: all of HEAD), per tool, per model and per author.
 */
import { LedgerView } from '../../core/git/gitLedger';
import { rangeStats, type RangeStats, type Tally } from '../../core/git/stats';
import { parseStoreArgs } from './storeArgs';
import { withLedger } from './gitContext';

const USAGE = 'usage: lineagelens stats [<rev-range>] [--json] [--repo DIR] [--home DIR]\n';

export async function runStats(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseStoreArgs(args, ['--repo']);
    if (parsed.positional.length > 1) throw new Error('expected at most one revision range');
  } catch (err) {
    process.stderr.write(`lineagelens stats: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const stats = await withLedger(parsed.home, async (ledger) =>
      rangeStats(parsed.values.get('--repo') ?? process.cwd(), new LedgerView(ledger.readAll()), parsed.positional[0] ?? 'HEAD'),
    );
    process.stdout.write(parsed.json ? `${JSON.stringify(stats, null, 2)}\n` : describe(stats));
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens stats: ${(err as Error).message}\n`);
    return 1;
  }
}

const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);
const row = (label: string, t: Tally) => `  ${label.padEnd(40)} added ${String(t.added).padStart(7)}  kept ${String(t.kept).padStart(7)} (${pct(t.kept, t.added)})`;

function describe(s: RangeStats): string {
  const added = s.ai.added + s.human.added;
  const lines = [`${s.range}: ${s.commits} commits, ${added} lines added, ${pct(s.ai.added, added)} by AI`, row('AI', s.ai), row('human', s.human), 'by tool:'];
  for (const [k, t] of Object.entries(s.byTool)) lines.push(row(k, t));
  lines.push('by model:');
  for (const [k, t] of Object.entries(s.byModel)) lines.push(row(k, t));
  lines.push('by author:');
  for (const [k, t] of Object.entries(s.byAuthor)) lines.push(row(`${k} (AI)`, t.ai), row(`${k} (human)`, t.human));
  return `${lines.join('\n')}\n`;
}
