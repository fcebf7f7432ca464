import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hooksStatus } from '../../src/core/hooksConfig';
import { installHooksInFile, uninstallHooksFromFile } from '../../src/core/hooksConfig/hooksFiles';
import { ensureLauncher, launcherHookCommand, launcherPath, launcherText } from '../../src/core/hooksConfig/launcher';
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
    assert.match(readFileSync(first.path, 'utf8'), /exec "[^"]+" "\/elsewhere\/dist\/cli.js" "\$@"/);
    assert.match(launcherText(target, 'win32'), /^@echo off\r\n/);
    assert.equal(launcherPath(home, 'win32'), path.join(home, 'bin', 'lineagelens.cmd'));
    assert.throws(() => launcherText({ ...target, cliPath: '/a"b/cli.js' }, 'linux'), /quotes or shell characters/);
    assert.throws(() => launcherText({ ...target, cliPath: '/a/$(rm -rf x)/cli.js' }, 'linux'), /shell characters/);
  });

  it('runs the real hook: a Claude Code configuration pointing at it announces the edit, and uninstall restores the file', function () {
    if (process.platform === 'win32') this.skip(); // the POSIX launcher is run through sh below
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
});
