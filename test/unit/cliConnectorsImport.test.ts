import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AiEditSession } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';
import { repoRoot } from './helpers';

const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'agents');

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LINEAGELENS_PRIVACY: '' } });
}

interface FileReportJson {
  path: string;
  edits: number;
  imported: number;
  alreadyStored: number;
  notRecorded: number;
  warnings: { line?: number; message: string }[];
  error?: string;
}

function importJson(home: string, tool: string, ...paths: string[]): { status: number | null; stderr: string; files: FileReportJson[]; summary: { imported: number; sessions: number; failed: number } } {
  const r = cli(['import', tool, ...paths, '--home', home, '--json']);
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.find((l) => 'summary' in l)?.summary as { imported: number; sessions: number; failed: number };
  return { status: r.status, stderr: r.stderr, files: lines.filter((l) => !('summary' in l)) as unknown as FileReportJson[], summary };
}

function journalBytes(home: string): number {
  const dir = path.join(home, 'journal');
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

async function recordCount(home: string): Promise<{ records: number; edits: number; sessions: number }> {
  const store = await openStore({ home, index: 'inProcess' });
  try {
    const stats = await store.stats();
    return { records: stats.records, edits: stats.edits, sessions: stats.sessions };
  } finally {
    await store.close();
  }
}

const FIXTURES: [string, string[]][] = [
  ['claude-code', ['example-claude-code.jsonl', 'claude-code-with-thinking.jsonl', 'claude_simple.jsonl']],
  ['cursor', ['cursor-session-simple.jsonl', 'cursor_state.vscdb']],
  ['copilot', ['copilot_session_simple.json', 'copilot_chat_session_lookup_auto.jsonl', 'copilot_vscode_event_stream.jsonl']],
  ['codex', ['codex-session-simple.jsonl']],
  ['windsurf', ['windsurf-session-simple.jsonl']],
];

describe('lineagelens import', () => {
  it('imports every fixture transcript; importing them again adds nothing, not even to the journal', async function () {
    this.timeout(90_000); // 10 CLI runs over every fixture: slow on a busy 2-core machine
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-import-')), 'home');
    let imported = 0;
    for (const [tool, files] of FIXTURES) {
      const r = importJson(home, tool, ...files.map((f) => path.join(fixtures, f)));
      assert.equal(r.status, 0, JSON.stringify(r.files));
      assert.equal(r.files.length, files.length);
      for (const f of r.files) assert.equal(f.error, undefined, `${f.path}: ${f.error}`);
      imported += r.summary.imported;
    }
    assert.ok(imported >= 13, `imported ${imported}`);
    const first = await recordCount(home);
    const bytes = journalBytes(home);
    for (const [tool, files] of FIXTURES) {
      const again = importJson(home, tool, ...files.map((f) => path.join(fixtures, f)));
      assert.equal(again.status, 0, `${tool}: ${again.stderr} ${JSON.stringify(again.files)}`);
      assert.equal(again.summary.imported, 0);
      assert.equal(again.summary.sessions, 0);
      for (const f of again.files) {
        assert.equal(f.error, undefined, `${f.path}: ${f.error}`);
        assert.equal(f.alreadyStored, f.edits - f.notRecorded, f.path);
      }
    }
    assert.deepEqual(await recordCount(home), first);
    assert.equal(journalBytes(home), bytes);
  });

  it('records the model, the prompt and the session of a Claude Code transcript', async () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-import-')), 'home');
    const r = importJson(home, 'claude-code', path.join(fixtures, 'example-claude-code.jsonl'));
    assert.equal(r.files[0].imported, 11);
    const log = cli(['log', '--json', '--home', home, '--limit', '100']);
    const edits = log.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { model: unknown; prompt: unknown; capture: { method: string }; sessionId: string; time: string });
    assert.equal(edits.length, 11);
    assert.ok(edits.every((e) => e.model !== 'unknown' && e.prompt !== null && e.capture.method === 'transcript'));
    assert.deepEqual([...edits.map((e) => e.time)], [...edits.map((e) => e.time)].sort().reverse(), 'newest first');
    const store = await openStore({ home, index: 'inProcess' });
    try {
      const [session] = (await store.getRecords([edits[0].sessionId])) as AiEditSession[];
      assert.equal(session.kind, 'session');
      assert.ok(session.prompts.length >= 1);
      assert.ok(session.counts.linesAdded > 0);
      assert.equal(session.capture.method, 'transcript');
    } finally {
      await store.close();
    }
  });

  it('searches folders: a Claude Code projects folder with subagents, and Copilot workspace storage', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'll-import-dirs-'));
    const projects = path.join(dir, 'projects', '-Users-me-app');
    mkdirSync(path.join(projects, 'session-1', 'subagents'), { recursive: true });
    copyFileSync(path.join(fixtures, 'claude_simple.jsonl'), path.join(projects, 'session-1.jsonl'));
    copyFileSync(path.join(fixtures, 'claude-code-with-thinking.jsonl'), path.join(projects, 'session-1', 'subagents', 'agent-a1.jsonl'));
    writeFileSync(path.join(projects, 'notes.txt'), 'not a transcript');
    const claude = importJson(path.join(dir, 'home'), 'claude-code', path.join(dir, 'projects'));
    assert.deepEqual(claude.files.map((f) => path.relative(projects, f.path)).sort(), ['session-1.jsonl', path.join('session-1', 'subagents', 'agent-a1.jsonl')].sort());
    assert.equal(claude.summary.imported, 2);

    const storage = path.join(dir, 'workspaceStorage', 'abc123');
    mkdirSync(path.join(storage, 'chatSessions'), { recursive: true });
    mkdirSync(path.join(storage, 'chatEditingSessions', 'e1'), { recursive: true });
    copyFileSync(path.join(fixtures, 'copilot_session_simple.json'), path.join(storage, 'chatSessions', 's1.json'));
    writeFileSync(path.join(storage, 'chatEditingSessions', 'e1', 'state.json'), '{}');
    const copilot = importJson(path.join(dir, 'home'), 'copilot', path.join(dir, 'workspaceStorage'));
    // chatEditingSessions describe the same edits as chatSessions: only one of them is read.
    assert.deepEqual(copilot.files.map((f) => path.basename(f.path)), ['s1.json']);
  });

  it('reports bad files with the reason and goes on; exit 1 only when nothing could be imported', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'll-import-bad-'));
    const binary = path.join(dir, 'binary.jsonl');
    writeFileSync(binary, Buffer.from([0x7b, 0x00, 0x7d, 0x0a]));
    const broken = path.join(dir, 'broken.jsonl');
    writeFileSync(broken, readFileSync(path.join(fixtures, 'claude_simple.jsonl'), 'utf8').replace('\n', '\n{"type": broken\n'));
    const missing = path.join(dir, 'missing.jsonl');
    const home = path.join(dir, 'home');

    const mixed = importJson(home, 'claude-code', binary, broken, missing);
    assert.equal(mixed.status, 0);
    const byName = Object.fromEntries(mixed.files.map((f) => [path.basename(f.path), f]));
    assert.match(byName['binary.jsonl'].error ?? '', /binary file/);
    assert.match(byName['missing.jsonl'].error ?? '', /ENOENT/);
    assert.equal(byName['broken.jsonl'].imported, 1);
    assert.deepEqual(byName['broken.jsonl'].warnings, [{ line: 2, message: 'line 2 is not valid JSON: skipped' }]);

    // broken.jsonl could be read (its edit is stored already): not a failed import.
    const text = cli(['import', 'claude-code', binary, broken, '--home', home]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /broken\.jsonl: 0 edits imported, 1 already stored, 1 warning \(claude-code-jsonl\)\n {2}line 2 is not valid JSON: skipped\n/);
    const failed = cli(['import', 'claude-code', binary, missing, '--home', home]);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /binary\.jsonl: error: .* is a binary file/);
    assert.equal(cli(['import', 'claude-code', '--home', home]).status, 2);
    assert.equal(cli(['import', 'vim', broken, '--home', home]).status, 2);
  });
});
