// `npm run bench [-- --quick] [-- name-filter...]`: compiles, runs every bench/*.bench.ts (as compiled into
// out/bench), prints one table and writes bench/results.json: [{name, value, unit, goal, better, met, ...}].
// Each benchmark compares against a baseline measured in the same run where that is meaningful.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: root, stdio: 'inherit' });

const benchDir = join(root, 'out', 'bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const results = [];
let crashed = 0;
for (const file of files) {
  const started = Date.now();
  console.log(`\n=== ${file.replace('.bench.js', '')}${quick ? ' (quick)' : ''}`);
  try {
    const bench = require(join(benchDir, file)).default;
    const out = await bench({ quick, root, log: (m) => console.log(`  ${m}`) });
    for (const r of out) {
      const met = r.goal === null ? null : r.better === 'lower' ? r.value <= r.goal : r.value >= r.goal;
      results.push({ ...r, met, quick });
    }
    console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    crashed++;
    console.error(`  FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  }
}

const fmt = (v) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));
const rows = results.map((r) => [
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.goal === null ? '(reported)' : `${r.better === 'lower' ? '<=' : '>='} ${fmt(r.goal)}`,
  r.met === null ? '' : r.met ? 'met' : 'NOT MET',
  r.baseline ? `${r.baseline.label}: ${fmt(r.baseline.value)}` : '',
]);
const head = ['benchmark', 'value', 'goal', '', 'baseline (same run)'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));

writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
const unmet = results.filter((r) => r.met === false).length;
console.log(`\n${results.length} figures, ${unmet} goals not met${quick ? ' (quick run: sizes reduced)' : ''}; wrote bench/results.json`);
if (crashed > 0) {
  console.error(`${crashed} benchmark(s) crashed`);
  process.exitCode = 1;
}
