import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { importTranscriptFile } from '../../src/core/connectors/transcripts/importers';
import { RepoInfoCache } from '../../src/core/git/repoInfo';
import { sha256Hex, textContent } from '../../src/core/model/content';
import { type EditEvent, SCHEMA_ID } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';
import { repoRoot } from './helpers';

const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'agents', 'copilot_session_simple.json');
const FIXTURE_ROOT = '/Users/svarlamov/projects/testing-git';

/** What the editor records of a chat edit it saw land (chat-editing scheme): no prompt, no model. */
function editorRecord(id: string, file: EditEvent['file'], text: string, startLine: number, time: string): EditEvent {
  const lines = text.split('\n');
  return {
    schema: SCHEMA_ID,
    kind: 'edit',
    id,
    time,
    tool: { name: 'copilot', extensionId: 'GitHub.copilot-chat' },
    model: 'unknown',
    prompt: null,
    sessionId: 'ses_chat',
    file,
    rangeBefore: { start: { line: startLine, character: 0 }, end: { line: startLine + 1, character: 0 } },
    rangeAfter: { start: { line: startLine, character: 0 }, end: { line: startLine + lines.length - 1, character: lines.at(-1)!.length } },
    insertedText: textContent(text),
    deletedText: { form: 'none' },
    contentHash: sha256Hex(text),
    disposition: 'accepted',
    acceptor: { osUser: 'dana' },
    capture: { method: 'editor_scheme', confidence: 0.9, detail: 'chat-editing-text-model' },
    review: { status: 'unreviewed' },
  };
}

describe('lineagelens enrich: prompt and model from session files, onto the editor records (read-only)', () => {
  it('adds the Copilot chatSessions prompt and model to the matching editor record, once, and touches nothing else', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'll-enrich-'));
    const repo = path.join(dir, 'testing-git');
    mkdirSync(repo);
    writeFileSync(path.join(repo, 'index.ts'), 'console.log("x");\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('remote', 'add', 'origin', 'https://github.com/acme/testing-git.git');
    // The session file as Copilot keeps it, for a workspace at `repo`.
    const sessionFile = path.join(dir, 'workspaceStorage', 'abc', 'chatSessions', 's1.json');
    mkdirSync(path.dirname(sessionFile), { recursive: true });
    writeFileSync(sessionFile, readFileSync(fixture, 'utf8').split(FIXTURE_ROOT).join(repo));
    const before = readFileSync(sessionFile);
    const [agentEdit] = (await importTranscriptFile('copilot-chat-session', before, { path: sessionFile })).edits;
    assert.ok(agentEdit);

    const identity = (await new RepoInfoCache().forFile(path.join(repo, 'index.ts')))?.identity ?? null;
    const file = { path: 'index.ts', repo: identity };
    const landed = new Date(Date.parse(agentEdit.time) + 5_000).toISOString();
    const home = path.join(dir, 'home');
    const store = await openStore({ home, index: 'inProcess' });
    await store.append([
      editorRecord('ed_chat_1', file, agentEdit.newText, agentEdit.range!.startLine - 1, landed),
      editorRecord('ed_other_file', { path: 'other.ts', repo: identity }, agentEdit.newText, 0, landed),
    ]);
    await store.close();

    const run = () => spawnSync(process.execPath, [bin, 'enrich', 'copilot', path.join(dir, 'workspaceStorage'), '--home', home, '--json'], { encoding: 'utf8' });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    const summary = (out: string) => (JSON.parse(out.trim().split('\n').at(-1)!) as { summary: { enriched: number } }).summary;
    assert.equal(summary(first.stdout).enriched, 1);
    assert.equal(summary(run().stdout).enriched, 0, 'a second run changes nothing');
    assert.deepEqual(readFileSync(sessionFile), before, 'the session file is only read');

    const reopened = await openStore({ home, index: 'inProcess' });
    try {
      const [enriched, other] = (await reopened.getRecords(['ed_chat_1', 'ed_other_file'])) as EditEvent[];
      assert.deepEqual(enriched.model, { id: 'claude-sonnet-4', provider: 'anthropic' });
      assert.equal(enriched.prompt?.content.form === 'redacted' && enriched.prompt.content.text, 'Change Bonjour World to hello world');
      assert.deepEqual([enriched.capture.method, enriched.capture.detail], ['editor_scheme', 'chat-editing-text-model; prompt and model from copilot session file']);
      assert.deepEqual([enriched.rangeAfter, enriched.disposition, enriched.sessionId], [editorRecord('x', file, agentEdit.newText, agentEdit.range!.startLine - 1, landed).rangeAfter, 'accepted', 'ses_chat']);
      assert.deepEqual([other.model, other.prompt], ['unknown', null], 'another file is not touched');
      assert.equal((await reopened.queryAll({ kind: 'edit' })).length, 2, 'no record added');
    } finally {
      await reopened.close();
    }
  });

  it('says what is wrong with a bad path and exits 1 when nothing could be read', () => {
    const r = spawnSync(process.execPath, [bin, 'enrich', 'copilot', '/nonexistent/dir', '--home', mkdtempSync(path.join(tmpdir(), 'll-enrich-'))], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /\/nonexistent\/dir: error: cannot read it \(ENOENT\)/);
    const usage = spawnSync(process.execPath, [bin, 'enrich', 'nope', 'x'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /unknown tool "nope"/);
  });
});
