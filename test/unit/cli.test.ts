import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './helpers';

// The CLI as the user runs it, from the compiled sources (the bundle is tested in the packaged VSIX).
const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, timeout: 20_000 });

describe('lineagelens CLI', () => {
  it('prints usage and version', () => {
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /lineagelens validate/);
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+/);
  });

  it('fails with exit 2 and usage on an unknown command', () => {
    const r = run(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('validate: counts good lines and names every bad one with its line number', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'll-cli-'));
    const edit = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/records/edit.v1.json'), 'utf8'));
    const session = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/records/session.v1.json'), 'utf8'));
    const lines = [
      JSON.stringify(edit),
      '{"broken json',
      '',
      JSON.stringify({ ...edit, schema: 'lineagelens.provenance/7' }),
      JSON.stringify(session),
      JSON.stringify({ ...edit, disposition: 'maybe' }),
    ];
    const file = path.join(dir, 'records.jsonl');
    writeFileSync(file, lines.join('\n'));
    const r = run(['validate', file]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /2 valid, 3 invalid \(1 edits, 1 sessions\)/);
    assert.match(r.stderr, /line 2: not valid JSON/);
    assert.match(r.stderr, /line 4: record has schema version 7/);
    assert.match(r.stderr, /line 6: invalid provenance record: disposition/);
  });

  it('validate: reads stdin and exits 0 when everything is valid', () => {
    const edit = readFileSync(path.join(repoRoot, 'test/fixtures/records/edit.v1.json'), 'utf8');
    const r = run(['validate', '-'], JSON.stringify(JSON.parse(edit)) + '\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 valid, 0 invalid/);
  });

  it('validate: a missing file is a clear error, not a crash', () => {
    const r = run(['validate', '/nonexistent/records.jsonl']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read \/nonexistent\/records\.jsonl: .*ENOENT/);
  });

  it('doctor: loads the SQLite engine', () => {
    const r = run(['doctor']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /sqlite \(sql\.js\): 3\.\d+/);
  });

  it('schema: prints JSON Schemas', () => {
    const r = run(['schema']);
    assert.equal(r.status, 0);
    const doc = JSON.parse(r.stdout) as { edit: { type: string } };
    assert.equal(doc.edit.type, 'object');
  });
});
