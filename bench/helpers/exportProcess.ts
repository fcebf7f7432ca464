/**
 * Runs one export in its own process so its peak memory (maxRSS) is its own:
 *   node exportProcess.js <home> <out> <format> <sign:0|1> <mode: stream|naive>
 * `naive` is the baseline: every record read into memory first, then written (what streaming avoids).
 * Prints {ms, records, peakRssMb} as JSON.
 */
import { writeFileSync } from 'node:fs';
import { exportRecords } from '../../src/core/export/runExport';
import { parseEntryLine } from '../../src/core/chain/chainEntry';
import { readJournal, START_POSITION } from '../../src/core/store/journal/journalReader';
import { storeLayout } from '../../src/core/store/storeHome';
import { parseRecord } from '../../src/core/model/version';
import { canonicalJson } from '../../src/core/chain/canonicalJson';

const [home, out, format, sign, mode] = process.argv.slice(2) as [string, string, string, string, string];
const layout = storeLayout(home);
const started = performance.now();
let records: number;
if (mode === 'naive') {
  const all: unknown[] = [];
  readJournal(layout.journalDir, START_POSITION, (line) => {
    const entry = parseEntryLine(line.text);
    if (entry.op === 'put') all.push(parseRecord(entry.record));
  });
  writeFileSync(out, all.map((r) => `${canonicalJson(r)}\n`).join(''));
  records = all.length;
} else {
  records = exportRecords({ layout, storeId: 'bench', format: format as 'jsonl', out, filter: {}, sign: sign === '1', exporter: { name: 'bench', version: '0' } }).records;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, records, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
