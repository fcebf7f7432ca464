import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONNECTOR_TOOLS } from '../../src/core/connectors/types';
import { hooksConfigLocation, hooksStatus } from '../../src/core/hooksConfig';
import { repoRoot } from './helpers';

// `lineagelens hooks ...` against a temporary HOME that already holds the user's own hooks.
const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');

const storeHomeOf = (home: string) => path.join(home, '.lineagelens');

function hooks(home: string, ...args: string[]) {
  const storeHome = storeHomeOf(home);
  // cwd outside any repository: status then shows the user scope only.
  return spawnSync(process.execPath, [bin, 'hooks', ...args, '--home', storeHome], { encoding: 'utf8', timeout: 30_000, cwd: home, env: { ...process.env, HOME: home, USERPROFILE: home } });
}

const EXISTING: Record<string, string> = {
  'claude-code': `{
  "model": "opus",
  "hooks": {
    "PostToolUse": [
      { "matcher": "Write", "hooks": [{ "type": "command", "command": "npx prettier --write \\"$CLAUDE_FILE_PATHS\\"" }] }
    ]
  }
}
`,
  cursor: '{\n\t"version": 1,\n\t"hooks": {\n\t\t"afterFileEdit": [{ "command": "./hooks/format.sh" }]\n\t}\n}\n',
  codex: '{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "python3 ~/.codex/notify.py"}]}]}}',
  windsurf: '{\n  "hooks": {\n    "pre_run_command": [\n      { "command": "python3 /Users/me/hooks/guard.py", "show_output": true }\n    ]\n  }\n}\n',
  copilot: '{\n  "hooks": {\n    "PostToolUse": [{ "type": "command", "command": "npx prettier --write ." }]\n  }\n}\n',
};

function freshHome(): string {
  return mkdtempSync(path.join(tmpdir(), 'll-hooks-'));
}

describe('lineagelens hooks', () => {
  for (const tool of CONNECTOR_TOOLS) {
    it(`${tool}: install -> status -> uninstall gives back the file byte for byte; install is idempotent`, () => {
      const home = freshHome();
      const file = hooksConfigLocation(tool, 'user', { home }).path;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, EXISTING[tool]!);

      const installed = hooks(home, 'install', tool);
      assert.equal(installed.status, 0, installed.stderr);
      assert.match(installed.stdout, new RegExp(`installed ${tool} hooks .* in ${escape(file)}`));
      const text = readFileSync(file, 'utf8');
      assert.equal(readFileSync(`${file}.lineagelens.bak`, 'utf8'), EXISTING[tool], 'the original is backed up');
      const status = hooksStatus(tool, text);
      assert.equal(status.state, 'installed');
      const [command] = status.commands;
      // Through the launcher in the store home, which runs this node and this CLI.
      const launcher = path.join(storeHomeOf(home), 'bin', 'lineagelens');
      assert.equal(command, `"${launcher}" hook ${tool} --home "${storeHomeOf(home)}"`);
      assert.match(readFileSync(launcher, 'utf8'), new RegExp(`node="${escape(process.execPath)}"\ncli="${escape(realpathSync(bin))}"`));

      const again = hooks(home, 'install', tool);
      assert.equal(again.status, 0);
      assert.match(again.stdout, /already installed/);
      assert.equal(readFileSync(file, 'utf8'), text);

      const shown = hooks(home, 'status', tool);
      assert.equal(shown.status, 0, shown.stderr);
      assert.equal(shown.stdout, `${tool.padEnd(12)} user     installed      ${file}\n`);

      const removed = hooks(home, 'uninstall', tool);
      assert.equal(removed.status, 0, removed.stderr);
      assert.equal(readFileSync(file, 'utf8'), EXISTING[tool]);
      assert.match(hooks(home, 'status', tool).stdout, /not installed/);
    });
  }

  it('creates a missing file, and uninstall deletes exactly what install created', () => {
    const home = freshHome();
    const file = hooksConfigLocation('cursor', 'user', { home }).path;
    assert.equal(hooks(home, 'install', 'cursor').status, 0);
    assert.equal(hooksStatus('cursor', readFileSync(file, 'utf8')).state, 'installed');
    assert.ok(!existsSync(`${file}.lineagelens.bak`), 'nothing to back up');
    assert.equal(hooks(home, 'uninstall', 'cursor').status, 0);
    assert.ok(!existsSync(file));
    assert.ok(!existsSync(path.dirname(file)), 'the folder install made is gone too');
    // A folder the user had stays.
    mkdirSync(path.join(home, '.claude'));
    assert.equal(hooks(home, 'install', 'claude-code').status, 0);
    assert.equal(hooks(home, 'uninstall', 'claude-code').status, 0);
    assert.ok(existsSync(path.join(home, '.claude')) && !existsSync(path.join(home, '.claude', 'settings.json')));
  });

  it('installs into a project with --project --repo', () => {
    const home = freshHome();
    const repo = path.join(home, 'work', 'app');
    mkdirSync(repo, { recursive: true });
    const r = hooks(home, 'install', 'claude-code', '--project', '--repo', repo);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(hooksStatus('claude-code', readFileSync(path.join(repo, '.claude', 'settings.json'), 'utf8')).state, 'installed');
    assert.ok(!existsSync(path.join(home, '.claude', 'settings.json')));
    const status = hooks(home, 'status', 'claude-code', '--repo', repo);
    assert.match(status.stdout, /claude-code {2}user {5}not installed .*\nclaude-code {2}project {2}installed {6}.*settings\.json\n/);
  });

  it('never touches a malformed configuration: exit 1 with the reason', () => {
    const home = freshHome();
    const file = hooksConfigLocation('claude-code', 'user', { home }).path;
    mkdirSync(path.dirname(file), { recursive: true });
    const broken = '{\n  "hooks": {\n    "PostToolUse": [\n  }\n';
    writeFileSync(file, broken);
    for (const sub of ['install', 'uninstall']) {
      const r = hooks(home, sub, 'claude-code');
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`hooks ${sub} claude-code: .*settings\\.json: the hook configuration is not valid JSON \\(line 4, column 3: .*\\): not changed`));
      assert.equal(readFileSync(file, 'utf8'), broken);
      assert.ok(!existsSync(`${file}.lineagelens.bak`));
    }
    const status = hooks(home, 'status', 'claude-code');
    assert.equal(status.status, 1);
    assert.match(status.stdout, /claude-code {2}user {5}unreadable .*\n {2}error: the hook configuration is not valid JSON/);
    writeFileSync(file, '{"hooks": {"PreToolUse": {"matcher": "x"}}}');
    assert.match(hooks(home, 'install', 'claude-code').stderr, /"hooks.PreToolUse" is not an array: not changed/);
  });

  it('rejects usage errors with exit 2', () => {
    const home = freshHome();
    assert.equal(hooks(home, 'install').status, 2);
    assert.equal(hooks(home, 'install', 'vim').status, 2);
    assert.equal(hooks(home, 'frobnicate', 'cursor').status, 2);
    assert.equal(hooks(home, 'install', 'cursor', '--user', '--project').status, 2);
    assert.match(hooks(home, 'install', 'cursor', '--project').stderr, /--project needs a repository/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
