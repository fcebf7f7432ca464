import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hooksStatus } from '../../src/core/hooksConfig';
import { installHooksInFile, uninstallHooksFromFile } from '../../src/core/hooksConfig/hooksFiles';
import { ensureLauncher, launcherHookCommand, launcherPath, launcherText } from '../../src/core/hooksConfig/launcher';
import { listSpooled } from '../../src/core/hookState/hookSpool';
import { findInflightEdits } from '../../src/core/hookState/inflightEdits';

const cli = path.resolve(__dirname, '../../../dist/cli.js');

describe('hook launcher (stable path for hook commands written by the editor)', () => {
  it('is written once, executable, and rewritten only when its target moved', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'll-launcher-'));
    const target = { execPath: process.execPath, cliPath: cli, writtenBy: 'test' };
    const first = ensureLauncher(home, target, 'linux');
    assert.deepEqual(first, { path: path.join(home, 'bin', 'lineagelens'), changed: true });
    assert.equal(statSync(first.path).mode & 0o111, 0o111);
    assert.equal(ensureLauncher(home, target, 'linux').changed, false);
    assert.equal(ensureLauncher(home, { ...target, cliPath: '/elsewhere/dist/cli.js' }, 'linux').changed, true);
    assert.match(readFileSync(first.path, 'utf8'), /\ncli="\/elsewhere\/dist\/cli.js"\n/);
    assert.match(launcherText(target, 'win32'), /^@echo off\r\n/);
    assert.equal(launcherPath(home, 'win32'), path.join(home, 'bin', 'lineagelens.cmd'));
    assert.throws(() => launcherText({ ...target, cliPath: '/a"b/cli.js' }, 'linux'), /quotes or shell characters/);
    assert.throws(() => launcherText({ ...target, cliPath: '/a/$(rm -rf x)/cli.js' }, 'linux'), /shell characters/);
  });

  it('runs the real hook (POSIX sh): a Claude Code configuration pointing at it announces the edit, and uninstall restores the file', function () {
    const home = mkdtempSync(path.join(os.tmpdir(), 'll-launcher-'));
    const launcher = ensureLauncher(home, { execPath: process.execPath, cliPath: cli, writtenBy: 'test' }).path;
    const settings = path.join(home, 'user', '.claude', 'settings.json');
    const command = launcherHookCommand(launcher, 'claude-code', home);
    assert.equal(installHooksInFile('claude-code', settings, command, home).created, true);
    assert.equal(hooksStatus('claude-code', readFileSync(settings, 'utf8')).state, 'installed');

    // Run the command exactly as Claude Code does: through a shell, payload on stdin.
    const file = path.join(home, 'repo', 'a.ts');
    const payload = JSON.stringify({ session_id: 's-l', cwd: path.dirname(file), hook_event_name: 'PreToolUse', tool_name: 'Write', tool_use_id: 't-l', tool_input: { file_path: file, content: 'x' } });
    const run = spawnSync('/bin/sh', ['-c', command], { input: payload, encoding: 'utf8', env: { ...process.env, LINEAGELENS_HOME: '' } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.deepEqual(findInflightEdits(home, file, 0).map((e) => e.toolUseId), ['t-l']);

    assert.equal(uninstallHooksFromFile('claude-code', settings, home).state, 'deleted');
    assert.throws(() => execFileSync('test', ['-e', settings]));
  });

  it('spools Claude Code and Cursor payloads and returns at once; a background drain records them in order', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'll-spool-'));
    const home = path.join(dir, 'home');
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, 'src'), { recursive: true });
    const file = path.join(repo, 'src', 'pay.ts');
    writeFileSync(file, 'export function pay() {\n  return send();\n}\n');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=Dana', '-c', 'user.email=dana@example.com', 'commit', '-q', '-m', 'init');
    const launcher = ensureLauncher(home, { execPath: process.execPath, cliPath: cli, writtenBy: 'test' }).path;
    const run = (tool: 'claude-code' | 'cursor', payload: unknown) => {
      const r = spawnSync('/bin/sh', ['-c', launcherHookCommand(launcher, tool, home)], { input: typeof payload === 'string' ? payload : JSON.stringify(payload), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const common = { session_id: 'cc-spool', cwd: repo };
    const input = { file_path: file, old_string: '  return send();\n', new_string: '  return retry(send);\n' };
    assert.equal(run('claude-code', { ...common, hook_event_name: 'UserPromptSubmit', prompt: 'Retry the send' }), '');
    assert.equal(run('claude-code', { ...common, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_use_id: 'tu-1', tool_input: input }), '');
    writeFileSync(file, 'export function pay() {\n  return retry(send);\n}\n');
    assert.equal(run('claude-code', { ...common, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_use_id: 'tu-1', tool_input: input, tool_response: { filePath: file, userModified: false } }), '');
    assert.equal(run('claude-code', '{"hook_event_name": "PostToolUse", broken'), '', 'malformed JSON: the agent sees nothing either');
    assert.equal(run('cursor', { hook_event_name: 'beforeSubmitPrompt', conversation_id: 'cur-1', prompt: 'hi', workspace_roots: [repo] }), '{"continue":true}\n', 'Cursor gets its answer from the launcher');

    const edits = await waitUntil(() => {
      const r = spawnSync(process.execPath, [cli, 'log', '--json', '--home', home], { encoding: 'utf8' });
      return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { prompt: { content: { text?: string } } | null; rangeAfter: { start: { line: number } } });
    }, (e) => e.length > 0 && listSpooled(home).length === 0);
    assert.equal(edits.length, 1);
    assert.equal(edits[0]!.prompt?.content.text, 'Retry the send', 'the prompt came first: drained in order');
    assert.equal(edits[0]!.rangeAfter.start.line, 1);
    const log = readFileSync(path.join(home, 'logs', 'hooks.log'), 'utf8');
    assert.equal((log.match(/spooled by the launcher \d+ ms earlier/g) ?? []).length, 5, log);
    assert.match(log, /event=PostToolUse outcome=recorded edits=1/);
    assert.match(log, /outcome=ignored .*not valid JSON|outcome=ignored .*JSON/);
  });
});

async function waitUntil<T>(probe: () => T, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
