import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { formatEntry, parseEntryLine } from '../../src/core/chain/chainEntry';
import { openStore } from '../../src/core/store/provenanceStore';
import { repoRoot } from './helpers';

const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

describe('lineagelens verify / store', function () {
  this.timeout(60_000);
  let home: string;
  beforeEach(async () => {
    home = tempHome();
    const store = await openStore({ home, index: 'inProcess' });
    const generator = new EventGenerator(16);
    for (let i = 0; i < 4; i++) await store.append(generator.batch(5));
    await store.snapshot();
    await store.close();
  });
  afterEach(() => removeHome(home));

  const segment = () => path.join(home, 'journal', '000001.jsonl');
  const editLines = (edit: (lines: string[]) => void) => {
    const lines = readFileSync(segment(), 'utf8').split('\n');
    edit(lines);
    writeFileSync(segment(), lines.join('\n'));
  };

  it('verify: exit 0 with counts for an intact chain (home from LINEAGELENS_HOME or --home)', () => {
    const r = run(['verify'], { LINEAGELENS_HOME: home });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /chain intact: 20 entries \(20 records, 0 prunes\) in 1 segment\(s\), entries 1\.\.20/);
    assert.match(r.stdout, /index snapshot agrees up to entry 20/);
    const json = JSON.parse(run(['verify', '--home', home, '--json']).stdout) as { ok: boolean; entries: number };
    assert.deepEqual([json.ok, json.entries], [true, 20]);
  });

  it('verify: exit 1 naming the first broken link (segment, line, byte, entry, reason) after two lines are swapped', () => {
    editLines((lines) => ([lines[6], lines[7]] = [lines[7]!, lines[6]!]));
    const r = run(['verify', '--home', home]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /chain BROKEN at 000001\.jsonl line 7 \(byte \d+\), entry 8: seq gap\n {2}expected entry 7 after 6, found 8/);
  });

  it('verify: a byte edited inside a record is a hash mismatch on that line', () => {
    editLines((lines) => (lines[11] = lines[11]!.replace('"kind":"', '"kind":"X')));
    const r = run(['verify', '--home', home, '--json']);
    assert.equal(r.status, 1);
    const { firstBreak } = JSON.parse(r.stdout) as { firstBreak: { line: number; seq: number; reason: string } };
    assert.deepEqual([firstBreak.line, firstBreak.seq, firstBreak.reason], [12, 12, 'hash_mismatch']);
  });

  it('verify: entries removed from the end are caught by the index snapshot witness', () => {
    editLines((lines) => lines.splice(17, 3));
    const r = run(['verify', '--home', home]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /truncated\n {2}the journal ends at entry 17, but the index snapshot saw entry 20/);
  });

  it('verify --schema: a well-chained record that fails the schema is reported (exit 1); without --schema only the chain counts', () => {
    editLines((lines) => {
      const last = parseEntryLine(lines[19]!);
      lines[20] = formatEntry({ seq: 21, prev: last.hash, at: last.at, op: 'put', record: { kind: 'edit', id: 'ed_bad' } }).line;
      lines.push('');
    });
    assert.equal(run(['verify', '--home', home]).status, 0);
    const r = run(['verify', '--home', home, '--schema']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /1 record\(s\) fail the schema; first: 000001\.jsonl line 21, entry 21: /);
  });

  it('verify: exit 2 and a clear message when there is no store', () => {
    const r = run(['verify', '--home', path.join(home, 'nowhere')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /there is no LineageLens store at .*nowhere \(no store\.json\)/);
  });

  it('store stats and store prune; the chain still verifies after pruning', () => {
    const stats = run(['store', 'stats', '--home', home]);
    assert.equal(stats.status, 0, stats.stderr);
    assert.match(stats.stdout, /records: 20 \(\d+ edits, \d+ sessions\)/);
    const prune = run(['store', 'prune', '--older-than-days', '0', '--home', home]);
    assert.equal(prune.status, 0, prune.stderr);
    assert.match(prune.stdout, /removed 20 entries \(1\.\.20\) appended before .*; recorded as entry 21/);
    assert.equal(run(['verify', '--home', home]).status, 0);
    assert.equal(run(['store', 'prune', '--home', home]).status, 2);
  });
});
