// An agent edit seen by two witnesses, end to end in a real extension host: Claude Code's hooks (run as the
// real `lineagelens hook claude-code` CLI processes, as Claude Code runs them) and the editor, which sees
// the file change on disk while it is open. They must become ONE record: prompt and model from the hook,
// range and acceptor from the editor, drawn in the gutter as Claude Code's.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditEvent } from '../../src/core/model/schema';
import { activateApi, extension, waitFor, workspaceDir } from './helpers';

const PROMPT = 'Retry the payment three times before giving up';
const MODEL = 'claude-sonnet-4-5-20250929';
const BEFORE = 'export function pay() {\n  return send();\n}\n';
const NEW_TEXT = '  for (let i = 0; i < 3; i++) {\n    try { return send(); } catch {}\n  }\n';
const AFTER = `export function pay() {\n${NEW_TEXT}}\n`;

interface ConnectResult {
  file: string;
  command: string;
  changed: boolean;
}

/** The hook command "LineageLens: Connect Claude Code" installed (in a throwaway user home). */
let hookCommand: string | undefined;

/**
 * Runs the installed hook command as Claude Code does: through a shell, payload on stdin, asynchronously
 * (the extension host keeps running meanwhile).
 */
function runHook(payload: unknown): Promise<{ stdout: string; stderr: string }> {
  if (!hookCommand) throw new Error('Connect Claude Code did not run');
  const command = hookCommand;
  return new Promise((resolve, reject) => {
    const child = execFile('/bin/sh', ['-c', command], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`hook failed: ${err.message} ${stderr}`)) : resolve({ stdout, stderr }),
    );
    child.stdin?.end(JSON.stringify(payload));
  });
}

/** Creates a folder (or a file with `text`) and waits until VS Code's file watcher has reported it. */
async function createWatched(target: string, text?: string): Promise<void> {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspaceDir(), '**/*'), false, true, true);
  let seen = false;
  watcher.onDidCreate((u) => (seen ||= u.fsPath === target));
  try {
    if (text === undefined) fs.mkdirSync(target);
    else fs.writeFileSync(target, text);
    await waitFor(`the file watcher to report ${path.basename(target)}`, () => seen, (c) => c, 15_000);
  } finally {
    watcher.dispose();
  }
}

describe('agent connectors: a Claude Code hook and the editor make one record (real extension host)', () => {
  it('"Connect Claude Code" installs hooks that run LineageLens through a launcher at a stable path', async () => {
    const api = await activateApi();
    const userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'll-connect-'));
    const settings = path.join(userHome, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const own = { permissions: { allow: ['Bash(npm test)'] }, hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } };
    fs.writeFileSync(settings, JSON.stringify(own, null, 2) + '\n');

    const result = await vscode.commands.executeCommand<ConnectResult | undefined>('lineagelens.connectClaudeCode', { scope: 'user', userHome });
    assert.ok(result, 'the command returned what it did');
    assert.equal(result.file, settings);
    assert.equal(result.changed, true);
    const launcher = path.join(api.testing.storeHome(), 'bin', 'lineagelens');
    assert.ok(result.command.startsWith(`"${launcher}" hook claude-code`), result.command);
    assert.equal(fs.statSync(launcher).mode & 0o111, 0o111, 'the launcher is executable');
    assert.match(fs.readFileSync(launcher, 'utf8'), new RegExp(`"${extension().extensionPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/dist/cli.js"`));
    const written = JSON.parse(fs.readFileSync(settings, 'utf8')) as { permissions: unknown; hooks: Record<string, { matcher?: string; hooks: { command: string }[] }[]> };
    assert.deepEqual(written.permissions, own.permissions, 'the user\'s own settings are kept');
    assert.deepEqual(written.hooks.Stop, own.hooks.Stop, 'and their own hooks');
    for (const event of ['UserPromptSubmit', 'PreToolUse', 'PostToolUse']) {
      assert.equal(written.hooks[event]?.[0]?.hooks[0]?.command, result.command, `${event} runs LineageLens`);
    }
    assert.ok(fs.existsSync(`${settings}.lineagelens.bak`), 'the previous file is kept');
    const again = await vscode.commands.executeCommand<ConnectResult | undefined>('lineagelens.connectClaudeCode', { scope: 'user', userHome });
    assert.equal(again?.changed, false, 'connecting twice changes nothing');
    hookCommand = result.command;
  });

  it('joins PreToolUse/PostToolUse with the change the editor saw: one record with prompt and model, drawn as AI', async function () {
    this.timeout(60_000);
    const api = await activateApi();

    // A real repository inside the workspace, as Claude Code would work in.
    const repo = path.join(workspaceDir(), `agent-repo-${Date.now().toString(36)}`);
    const file = path.join(repo, 'src', 'pay.ts');
    // VS Code reloads an open document on its own file watcher's report: start once that watcher knows the file.
    // VS Code reloads an open document on its own file watcher's report. A recursive watcher on Linux can
    // miss a folder made together with its parent: make each level once the watcher has reported the last.
    await createWatched(repo);
    await createWatched(path.dirname(file));
    await createWatched(file, BEFORE);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('config', 'user.name', 'Dana Smith');
    git('config', 'user.email', 'dana@example.com');
    git('remote', 'add', 'origin', 'https://github.com/acme/payments.git');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const transcript = path.join(repo, '..', `${path.basename(repo)}-transcript.jsonl`);
    fs.writeFileSync(
      transcript,
      [
        { type: 'user', sessionId: 'cc-join', message: { role: 'user', content: PROMPT } },
        { type: 'assistant', sessionId: 'cc-join', message: { role: 'assistant', model: MODEL, content: [{ type: 'text', text: 'On it.' }] } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );

    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
    assert.equal(editor.document.getText(), BEFORE);
    const common = { session_id: 'cc-join', transcript_path: transcript, cwd: repo, permission_mode: 'default' };
    const input = { file_path: file, old_string: '  return send();\n', new_string: NEW_TEXT };

    assert.equal((await runHook({ ...common, hook_event_name: 'UserPromptSubmit', prompt: PROMPT })).stdout, '');
    assert.equal((await runHook({ ...common, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_use_id: 'toolu_join', tool_input: input })).stdout, '');
    // Claude Code writes the file, then runs PostToolUse; the editor reloads the open document meanwhile.
    fs.writeFileSync(file, AFTER);
    const post = runHook({
      ...common,
      hook_event_name: 'PostToolUse',
      tool_name: 'Edit',
      tool_use_id: 'toolu_join',
      tool_input: input,
      tool_response: { filePath: file, oldString: input.old_string, newString: NEW_TEXT, originalFile: BEFORE, userModified: false },
    });
    await waitFor('VS Code to reload the file', () => editor.document.getText(), (t) => t === AFTER, 15_000);
    assert.equal((await post).stdout, '', 'the hook prints nothing the agent would read');

    const relative = 'src/pay.ts';
    const joined = await waitFor(
      'the joined record in the store',
      async () => {
        await api.testing.captureIdle();
        return (await api.testing.storedRecords(relative)).filter((r): r is EditEvent => r.kind === 'edit');
      },
      (edits) => edits.some((e) => e.capture.detail?.includes('joined') ?? false),
      20_000,
    );
    assert.equal(joined.length, 1, `exactly one edit record for the file: ${JSON.stringify(joined.map((e) => [e.id, e.capture]))}`);
    const [edit] = joined;
    assert.equal(edit.tool.name, 'claude-code');
    assert.deepEqual(edit.model, { id: MODEL, provider: 'anthropic' });
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, PROMPT);
    assert.equal(edit.capture.method, 'hook');
    assert.match(edit.capture.detail ?? '', /joined with the change the editor saw/);
    assert.equal(edit.file.repo?.remote, 'github.com/acme/payments');
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [1, 4], 'the range the editor saw');
    assert.deepEqual([edit.acceptor?.gitName, edit.acceptor?.gitEmail], ['Dana Smith', 'dana@example.com']);
    assert.equal(api.testing.captureCounts().joinedEvents >= 1, true);

    // Drawn as the agent's: the gutter's lines point at the joined record.
    const lines = await waitFor('AI lines of the joined edit', () => api.testing.aiLines(editor.document.uri.toString()), (l) => l.length === 3, 5_000);
    assert.deepEqual(
      lines.map((l) => [l.line, l.recordId]),
      [1, 2, 3].map((line) => [line, edit.id]),
    );
  });

  it('a file the agent edited while it was closed shows the agent’s lines when opened', async function () {
    this.timeout(60_000);
    const api = await activateApi();
    const repo = path.join(workspaceDir(), `closed-repo-${Date.now().toString(36)}`);
    const file = path.join(repo, 'src', 'pay.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BEFORE);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=Dana', '-c', 'user.email=dana@example.com', 'commit', '-q', '-m', 'init');
    const common = { session_id: 'cc-closed', cwd: repo, permission_mode: 'default' };
    const input = { file_path: file, old_string: '  return send();\n', new_string: NEW_TEXT };
    await runHook({ ...common, hook_event_name: 'UserPromptSubmit', prompt: PROMPT });
    await runHook({ ...common, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_use_id: 'toolu_closed', tool_input: input });
    fs.writeFileSync(file, AFTER);
    await runHook({ ...common, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_use_id: 'toolu_closed', tool_input: input, tool_response: { filePath: file, userModified: false } });
    const [stored] = await waitFor(
      'the hook record',
      async () => (await api.testing.storedRecords('src/pay.ts')).filter((r): r is EditEvent => r.kind === 'edit' && r.sessionId.length > 0 && r.tool.name === 'claude-code' && r.capture.detail?.includes('joined') !== true),
      (e) => e.length > 0,
      20_000,
    );

    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: false });
    const lines = await waitFor('AI lines placed from the stored record', () => api.testing.aiLines(doc.uri.toString()), (l) => l.length === 3, 10_000);
    assert.deepEqual(
      lines.map((l) => [l.line, l.recordId]),
      [1, 2, 3].map((line) => [line, stored.id]),
    );
  });
});
