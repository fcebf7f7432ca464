// Enrichment from an agent's own session files, in a real extension host: a chat edit the editor captured
// (chat-editing scheme: no prompt, no model) gains the prompt and model Copilot keeps in this workspace's
// chatSessions folder, through "LineageLens: Add Prompts and Models From Agent Session Files". The session
// file is real Copilot output (test/fixtures/agents), moved to this workspace's paths and today's times.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import { activateApi, waitFor, workspaceDir } from './helpers';

const FIXTURE_ROOT = '/Users/svarlamov/projects/testing-git';
/** When the fixture's request that made the edit ran (ms since epoch). */
const FIXTURE_EDIT_TIME = 1759845101282;

describe('agent session files enrich the editor’s records (real extension host)', () => {
  it('adds the prompt and model from Copilot’s chatSessions to the chat edit the editor captured, and only reads the file', async function () {
    this.timeout(60_000);
    const api = await activateApi();
    const storage = api.testing.workspaceStorageDir();
    assert.ok(storage, 'the host gives this workspace a storage folder');

    const repo = path.join(workspaceDir(), `copilot-repo-${Date.now().toString(36)}`);
    fs.mkdirSync(repo, { recursive: true });
    const file = path.join(repo, 'index.ts');
    fs.writeFileSync(file, Array.from({ length: 12 }, (_, i) => `console.log(${i});`).join('\n') + '\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('remote', 'add', 'origin', 'https://github.com/acme/testing-git.git');

    // The chat edit, as VS Code's chat editing applies it (the companion extension stands in for Copilot).
    const sessionId = `chat-enrich-${Date.now().toString(36)}`;
    const applied = await vscode.commands.executeCommand<boolean>('lineagelensCompanion.applyChatEdit', {
      sessionId,
      edits: [{ uri: vscode.Uri.file(file).toString(), line: 4, text: "console.log('hello world');\n" }],
    });
    assert.equal(applied, true);
    const captured = await waitFor(
      'the chat edit record',
      async () => {
        await api.testing.captureIdle();
        return (await api.testing.storedRecords('index.ts')).filter((r): r is EditEvent => r.kind === 'edit' && r.capture.method === 'editor_scheme');
      },
      (e) => e.length === 1,
      15_000,
    );
    assert.deepEqual([captured[0].model, captured[0].prompt], ['unknown', null], 'the editor alone knows no prompt or model');

    // Copilot's session file for this workspace, written where Copilot writes it.
    const fixture = fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures/agents/copilot_session_simple.json'), 'utf8');
    const shift = Date.now() - FIXTURE_EDIT_TIME;
    const moved = fixture.split(FIXTURE_ROOT).join(repo).replace(/\b17598\d{8}\b/g, (t) => String(Number(t) + shift));
    const sessionFile = path.join(storage, 'chatSessions', `${sessionId}.json`);
    fs.mkdirSync(path.dirname(sessionFile), { recursive: true });
    fs.writeFileSync(sessionFile, moved);

    const count = await vscode.commands.executeCommand<number>('lineagelens.enrichFromSessionFiles');
    assert.equal(count, 1, 'one editor record enriched');
    const [enriched, ...more] = (await api.testing.storedRecords('index.ts')).filter((r): r is EditEvent => r.kind === 'edit');
    assert.equal(more.length, 0, 'still one record: enriched, not added');
    assert.equal(enriched.id, captured[0].id);
    assert.deepEqual(enriched.model, { id: 'claude-sonnet-4', provider: 'anthropic' });
    assert.equal(enriched.prompt?.content.form === 'redacted' && enriched.prompt.content.text, 'Change Bonjour World to hello world');
    assert.match(enriched.capture.detail ?? '', /prompt and model from copilot session file/);
    assert.equal(fs.readFileSync(sessionFile, 'utf8'), moved, 'the session file is only read');
    assert.equal(await vscode.commands.executeCommand<number>('lineagelens.enrichFromSessionFiles'), 0, 'running again changes nothing');
  });
});
