/**
 * Exports from a real store: every format round-trips or validates, filters select what they say, signing
 * and verification work through the CLI, and every tampering case fails verification naming the problem.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { globToRegExp } from '../../src/core/export/exportFilter';
import { csvCell, recordUuid } from '../../src/core/export/exportFormats';
import { keyPaths, loadPublicKey, newSigningKeyPair } from '../../src/core/export/signing';
import { verifyExport } from '../../src/core/export/verifyExport';
import { GitLedger } from '../../src/core/git/gitLedger';
import { reviewMark } from '../../src/core/git/reviewMarks';
import { AgentTraceRecordSchema } from '../../src/core/model/agentTraceSchema';
import { textContent } from '../../src/core/model/content';
import { type AiEditSession, type ProvenanceRecord, SCHEMA_ID } from '../../src/core/model/schema';
import { parseRecordJson } from '../../src/core/model/version';
import { openStore } from '../../src/core/store/provenanceStore';
import { ExportChildCancelled, exportOutputs, runExportChild } from '../../src/extension/export/exportChild';
import { aiEdit } from './gitHelpers';
import { repoRoot } from './helpers';

const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
const REPO = 'a'.repeat(64);

function session(id: string, tool: string): AiEditSession {
  return {
    schema: SCHEMA_ID,
    kind: 'session',
    id,
    tool: { name: tool },
    model: { id: 'claude-sonnet-4-5', provider: 'anthropic' },
    prompts: [{ content: textContent('Refactor the billing module, keep "totals", and =SUM(A1) stays text'), source: 'hook' }],
    repo: { id: REPO, remote: 'github.com/acme/shop' },
    files: ['src/billing/a.ts'],
    startedAt: '2026-11-20T10:00:00.000Z',
    endedAt: '2026-11-20T11:00:00.000Z',
    counts: { linesAdded: 10, linesKept: 8, linesRejected: 2 },
    capture: { method: 'hook', confidence: 1 },
  };
}

describe('export and verify', function () {
  this.timeout(180_000);
  let home: string;
  let dir: string;
  const records: ProvenanceRecord[] = [];

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'll-export-home-'));
    dir = mkdtempSync(path.join(tmpdir(), 'll-export-out-'));
    records.push(session('ses_test_1', 'claude-code'));
    for (let i = 0; i < 12; i++) {
      const copilot = i % 3 === 0;
      records.push(
        aiEdit(REPO, i % 2 ? `src/billing/f${i}.ts` : `docs/f${i}.md`, i, [`const value${i} = ${i}; // "quoted", with commas`, `line two ${i}`], {
          file: { path: i % 2 ? `src/billing/f${i}.ts` : `docs/f${i}.md`, repo: { id: REPO, remote: 'github.com/acme/shop' }, commit: 'c'.repeat(40) },
          ...(copilot ? { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, sessionId: 'ses_copilot' } : {}),
          ...(i === 5 ? { disposition: 'rejected' as const } : {}),
        }),
      );
    }
    const store = await openStore({ home, privacy: 'full', index: 'none' });
    await store.append(records);
    // A re-put replaces a record: the export must carry only the latest version.
    await store.append([{ ...(records[2] as Extract<ProvenanceRecord, { kind: 'edit' }>), disposition: 'partially_kept' }]);
    await store.close();
    const keys = cli('keys', 'generate', '--home', home);
    assert.equal(keys.status, 0, keys.stderr);
  });

  after(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const out = (name: string) => path.join(dir, name);
  const exportTo = (name: string, ...args: string[]) => {
    const run = cli('export', '--out', out(name), '--home', home, ...args);
    assert.equal(run.status, 0, run.stderr);
    return out(name);
  };
  const publicKey = () => loadPublicKey(keyPaths(home).publicKey);

  it('generates an Ed25519 key whose private half only its owner can read', () => {
    assert.equal(statSync(keyPaths(home).privateKey).mode & 0o777, 0o600);
    assert.equal(publicKey().asymmetricKeyType, 'ed25519');
    assert.equal(cli('keys', 'generate', '--home', home).status, 1, 'an existing key is never overwritten without --force');
  });

  it('JSONL round-trips: one full v1 record per line, latest versions only, and verifies', async () => {
    const file = exportTo('all.jsonl', '--format', 'jsonl', '--sign');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, records.length);
    const parsed = lines.map(parseRecordJson);
    assert.deepEqual(parsed.map((r) => r.id).sort(), records.map((r) => r.id).sort());
    const replaced = parsed.find((r) => r.id === records[2]!.id)!;
    assert.equal(replaced.kind === 'edit' && replaced.disposition, 'partially_kept');
    assert.deepEqual(parsed.find((r) => r.id === records[3]!.id), records[3]);
    const result = await verifyExport(file, { publicKey: publicKey() });
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, records.length);
    const run = cli('verify', file, '--home', home);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /export verified: 13 record/);
    assert.equal(cli('verify', '--home', home).status, 0, 'verify without a file still checks the store');
  });

  it('filters by tool, model, path glob, disposition, session and time', () => {
    const count = (name: string, ...args: string[]) => readFileSync(exportTo(name, '--format', 'jsonl', ...args), 'utf8').trimEnd().split('\n').filter(Boolean).map(parseRecordJson);
    assert.ok(count('copilot.jsonl', '--tool', 'copilot').every((r) => r.tool.name === 'copilot'));
    assert.equal(count('copilot.jsonl', '--tool', 'copilot').length, 4);
    assert.equal(count('model.jsonl', '--model', 'openai/gpt-4o').length, 4);
    const billing = count('billing.jsonl', '--path', 'src/**/*.ts');
    assert.equal(billing.length, 6);
    assert.ok(billing.every((r) => r.kind === 'edit' && r.file.path.startsWith('src/billing/')));
    assert.equal(count('rejected.jsonl', '--disposition', 'rejected').length, 1);
    assert.equal(count('session.jsonl', '--session', 'ses_copilot').length, 4);
    assert.equal(count('repo.jsonl', '--repo', 'github.com/acme/shop').length, records.length);
    // Edit times come from a shared counter: pick a cut between the 7th and 8th edit.
    const times = records.filter((r) => r.kind === 'edit').map((r) => (r.kind === 'edit' ? r.time : '')).sort();
    const late = count('late.jsonl', '--since', times[6]!);
    assert.equal(late.length, 6 + (records[0]!.kind === 'session' && records[0]!.startedAt >= times[6]! ? 1 : 0));
    assert.ok(late.every((r) => (r.kind === 'edit' ? r.time : r.startedAt) >= times[6]!));
    assert.equal(cli('export', '--format', 'jsonl', '--out', out('x'), '--home', home, '--disposition', 'maybe').status, 2);
  });

  it('--key-stdin signs with a key given on stdin (never on the command line), --progress reports counts on stderr', async () => {
    const pair = newSigningKeyPair();
    const file = out('stdin-key.jsonl');
    const run = spawnSync(process.execPath, [bin, 'export', '--out', file, '--home', home, '--format', 'jsonl', '--sign', '--key-stdin', '--progress', '--json'], {
      encoding: 'utf8',
      input: pair.privateKeyPem,
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.stdout.includes('PRIVATE KEY') && !run.stderr.includes('PRIVATE KEY'), 'the key is never printed');
    assert.deepEqual(run.stderr.trim().split('\n').at(-1), JSON.stringify({ progress: records.length }));
    const ok = await verifyExport(file, { publicKey: createPublicKey(pair.privateKeyPem) });
    assert.deepEqual(ok.problems, []);
    const other = await verifyExport(file, { publicKey: publicKey() });
    assert.ok(other.problems.some((p) => p.kind === 'signature'), 'signed with the stdin key, not the home key');
    const bad = spawnSync(process.execPath, [bin, 'export', '--out', out('bad-key.jsonl'), '--home', home, '--format', 'jsonl', '--sign', '--key-stdin'], {
      encoding: 'utf8',
      input: 'not a key',
      timeout: 60_000,
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not a PEM private key/);
  });

  it('the editor’s export child: summary and progress from the CLI; cancelling kills it and removes the partial files', async () => {
    const file = out('child.jsonl');
    const seen: number[] = [];
    const summary = await runExportChild({ cli: bin, args: ['--format', 'jsonl', '--out', file, '--home', home], out: file, onProgress: (n) => seen.push(n) });
    assert.equal(summary.records, records.length);
    assert.deepEqual(seen, [records.length]);
    assert.deepEqual(summary.files.map((f) => path.basename(f.path)), ['child.jsonl', 'child.jsonl.chain.jsonl']);

    const partial = out('cancelled.jsonl');
    for (const f of exportOutputs(partial)) writeFileSync(f, 'partial');
    await assert.rejects(
      runExportChild({ cli: bin, args: ['--format', 'jsonl', '--out', partial, '--home', home], out: partial, onCancel: (cancel) => setImmediate(cancel) }),
      ExportChildCancelled,
    );
    assert.deepEqual(exportOutputs(partial).filter((f) => existsSync(f)), [], 'no partial file is left');

    await assert.rejects(runExportChild({ cli: bin, args: ['--format', 'jsonl', '--out', out('nohome.jsonl'), '--home', path.join(dir, 'no-store')], out: out('nohome.jsonl') }), /lineagelens|store|manifest/i);
  });

  it('CSV is flat and spreadsheet-safe; Agent Trace validates against the spec schema; Markdown reports per session', async () => {
    const csv = readFileSync(exportTo('all.csv', '--format', 'csv', '--sign'), 'utf8');
    const rows = csv.trimEnd().split('\r\n');
    assert.equal(rows.length, records.length + 1);
    assert.match(rows[0]!, /^kind,id,time,/);
    assert.equal(csvCell('=SUM(A1)'), "'=SUM(A1)");
    assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
    assert.ok(csv.includes('"Refactor the billing module, keep ""totals"", and =SUM(A1) stays text"'));

    const traces = readFileSync(exportTo('all.agent-trace.jsonl', '--format', 'agent-trace'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(traces.length, 11, 'every edit but the rejected one');
    for (const t of traces) {
      const check = AgentTraceRecordSchema.safeParse(t);
      assert.ok(check.success, check.success ? '' : JSON.stringify(check.error.issues));
    }
    assert.equal(traces[0].id, recordUuid(records[1]!.id), 'ids are stable across exports');
    assert.equal(AgentTraceRecordSchema.safeParse({ ...traces[0], version: '0.1.0' }).success, false, 'the schema check is not vacuous');

    await new GitLedger(home).append([reviewMark({ sessionId: 'ses_copilot' }, 'reviewed', { gitName: 'Rita Reviewer', osUser: 'rita' }, undefined, '2026-11-21T09:00:00.000Z')]);
    const markdown = readFileSync(exportTo('report.md', '--format', 'markdown'), 'utf8');
    assert.match(markdown, /\| copilot \/ openai\/gpt-4o \| accepted \| Dana Dev \(dana@example\.com\) \| reviewed by Rita Reviewer 2026-11-21T09:00:00\.000Z \|/);
    assert.match(markdown, /## Session `ses_test_1`/);
    assert.match(markdown, /## Session `ses_copilot`/);
    assert.match(markdown, /Refactor the billing module/);
    assert.match(markdown, /\| src\/billing\/f7\.ts \| 8-9 \| claude-code \/ anthropic\/claude-sonnet-4-5 \| accepted \| Dana Dev \(dana@example\.com\)/);
  });

  it('in-toto: a DSSE envelope whose Statement v1 names the exported files by digest', async () => {
    const file = exportTo('audit.intoto.json', '--format', 'intoto');
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.deepEqual(statement.subject.map((s: { name: string }) => s.name), ['audit.intoto.json.records.jsonl', 'audit.intoto.json.records.jsonl.chain.jsonl']);
    assert.deepEqual((await verifyExport(file, { publicKey: publicKey() })).problems, []);
  });

  describe('tampering', () => {
    let signed: string;
    const kinds = async (file: string) => (await verifyExport(file, { publicKey: publicKey() })).problems;

    before(() => {
      signed = exportTo('signed.jsonl', '--format', 'jsonl', '--sign');
    });

    // Each case tampers with a copy in its own directory under the same file name, so the signed
    // statement's subject names still point at it.
    const inCopy = (label: string, edit: (lines: string[]) => string[]) => {
      const sub = mkdtempSync(path.join(dir, `${label}-`));
      const file = path.join(sub, 'signed.jsonl');
      writeFileSync(file, `${edit(readFileSync(signed, 'utf8').trimEnd().split('\n')).join('\n')}\n`);
      copyFileSync(`${signed}.sig.json`, `${file}.sig.json`);
      copyFileSync(`${signed}.chain.jsonl`, `${file}.chain.jsonl`);
      return file;
    };

    it('a flipped byte in a record is named by line and entry', async () => {
      const file = inCopy('flip', (lines) => lines.map((l, i) => (i === 3 ? l.replace('line two', 'line twO') : l)));
      const problems = await kinds(file);
      assert.ok(problems.some((p) => p.kind === 'subject_digest' && p.message.startsWith('signed.jsonl:')));
      const changed = problems.find((p) => p.kind === 'record_changed');
      assert.ok(changed, JSON.stringify(problems));
      assert.equal(changed.line, 4);
      assert.match(changed.message, /^line 4 \(record ed_test_\w+, entry \d+\) differs from what the store chained/);
      const run = cli('verify', file, '--home', home);
      assert.equal(run.status, 1);
      assert.match(run.stdout, /record_changed: line 4/);
    });

    it('a dropped record is named', async () => {
      let dropped = '';
      const file = inCopy('drop', (lines) => lines.filter((l, i) => (i === 5 ? ((dropped = JSON.parse(l).id), false) : true)));
      const problems = await kinds(file);
      const missing = problems.find((p) => p.kind === 'record_missing');
      assert.ok(missing, JSON.stringify(problems));
      assert.match(missing.message, new RegExp(`^record ${dropped} \\(entry \\d+, line 6 when exported\\) is missing`));
      assert.ok(problems.some((p) => p.kind === 'count'));
    });

    it('two reordered records are named by their lines', async () => {
      const file = inCopy('reorder', (lines) => lines.map((l, i) => (i === 6 ? lines[7]! : i === 7 ? lines[6]! : l)));
      const problems = await kinds(file);
      const reordered = problems.find((p) => p.kind === 'records_reordered');
      assert.ok(reordered, JSON.stringify(problems));
      assert.match(reordered.message, /^lines 7 and 8 are out of order/);
      assert.ok(!problems.some((p) => p.kind === 'record_missing' || p.kind === 'record_changed'));
    });

    it('a swapped signature fails: another key, or another export signed by the same key', async () => {
      const otherHome = mkdtempSync(path.join(tmpdir(), 'll-export-other-'));
      try {
        assert.equal(cli('keys', 'generate', '--home', otherHome).status, 0);
        const other = path.join(mkdtempSync(path.join(dir, 'otherkey-')), 'signed.jsonl');
        copyFileSync(signed, other);
        assert.equal(cli('export', '--format', 'jsonl', '--sign', '--out', other, '--home', home).status, 0);
        const foreign = inCopy('foreign', (l) => l);
        // Same content, signed by the other key (sign the copy with the other home's key).
        const store = await openStore({ home: otherHome, privacy: 'full', index: 'none' });
        await store.append(records);
        await store.close();
        const byOther = path.join(mkdtempSync(path.join(dir, 'byother-')), 'signed.jsonl');
        assert.equal(cli('export', '--format', 'jsonl', '--sign', '--out', byOther, '--home', otherHome).status, 0);
        copyFileSync(`${byOther}.sig.json`, `${foreign}.sig.json`);
        const problems = await kinds(foreign);
        const sig = problems.find((p) => p.kind === 'signature');
        assert.ok(sig, JSON.stringify(problems));
        assert.match(sig.message, /does not verify with key [0-9a-f]{16}… \(it names key [0-9a-f]{16}…\)/);

        const swapped = inCopy('swapped', (l) => l);
        copyFileSync(`${out('copilot.jsonl')}`, path.join(path.dirname(swapped), 'copilot.jsonl'));
        const copilotSigned = exportTo('copilot-signed.jsonl', '--format', 'jsonl', '--sign', '--tool', 'copilot');
        copyFileSync(`${copilotSigned}.sig.json`, `${swapped}.sig.json`);
        const problems2 = await kinds(swapped);
        assert.ok(problems2.some((p) => p.kind === 'subject_missing' || p.kind === 'subject_digest'), JSON.stringify(problems2));
        assert.ok(!problems2.some((p) => p.kind === 'signature'), 'the envelope itself is genuine; it describes other files');

        const forged = inCopy('forged', (l) => l);
        const envelope = JSON.parse(readFileSync(`${forged}.sig.json`, 'utf8'));
        const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
        statement.predicate.records = 99;
        envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
        writeFileSync(`${forged}.sig.json`, JSON.stringify(envelope));
        assert.ok((await kinds(forged)).some((p) => p.kind === 'signature'), 'an edited payload breaks the signature');
      } finally {
        rmSync(otherHome, { recursive: true, force: true });
      }
    });

    it('an unsigned export says so and still checks its records against the chain file', async () => {
      const file = exportTo('unsigned.jsonl', '--format', 'jsonl');
      const problems = await kinds(file);
      assert.deepEqual(problems.map((p) => p.kind), ['unsigned']);
    });
  });

  it('globs match path segments as documented', () => {
    assert.ok(globToRegExp('src/**/*.ts').test('src/a.ts'));
    assert.ok(globToRegExp('src/**/*.ts').test('src/x/y/a.ts'));
    assert.ok(!globToRegExp('src/*.ts').test('src/x/a.ts'));
    assert.ok(!globToRegExp('*.ts').test('a.tsx'));
  });
});
