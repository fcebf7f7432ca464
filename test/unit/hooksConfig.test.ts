import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { HOOK_SPECS, hooksConfigLocation, HooksConfigError, hooksStatus, installHooks, isOurCommand, uninstallHooks } from '../../src/core/hooksConfig';
import { parseJsonTree } from '../../src/core/hooksConfig/jsonTree';
import { CONNECTOR_TOOLS, type ConnectorTool } from '../../src/core/connectors/types';

const cmd = (tool: ConnectorTool) => `/usr/local/bin/lineagelens hook ${tool}`;

/** Realistic existing configurations with other people's hooks, in different formatting styles. */
const EXISTING: Record<ConnectorTool, string[]> = {
  'claude-code': [
    `{
  "permissions": {
    "allow": ["Bash(npm test)", "Read(**)"],
    "deny": []
  },
  "hooks": {
    "PostToolUse": [
      {
        "matcher": "Write|Edit",
        "hooks": [{ "type": "command", "command": "npx prettier --write \\"$CLAUDE_FILE_PATHS\\"" }]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "afplay /System/Library/Sounds/Glass.aiff"
          }
        ]
      }
    ]
  },
  "model": "opus"
}
`,
    // Four spaces, CRLF, no trailing newline, no hooks yet.
    '{\r\n    "env": {\r\n        "FOO": "1"\r\n    }\r\n}',
    '{}\n',
  ],
  codex: [
    `{
\t"hooks": {
\t\t"PreToolUse": [
\t\t\t{
\t\t\t\t"matcher": "Bash",
\t\t\t\t"hooks": [{"type": "command", "command": "python3 ~/.codex/guard.py", "timeout": 30}]
\t\t\t}
\t\t]
\t}
}
`,
  ],
  cursor: [
    `{
  "version": 1,
  "hooks": {
    "afterFileEdit": [{ "command": "./hooks/format.sh" }],
    "beforeShellExecution": [
      { "command": "./hooks/approve-network.sh", "timeout": 30, "matcher": "curl|wget" }
    ]
  }
}
`,
  ],
  windsurf: [
    `{
    "hooks": {
        "post_write_code": [
            {
                "command": "bash /Users/me/hooks/format_code.sh",
                "show_output": false
            }
        ],
        "pre_run_command": [
            {
                "command": "python3 /Users/me/hooks/block_dangerous_commands.py",
                "show_output": true
            }
        ]
    }
}
`,
  ],
  copilot: [
    `{
  "hooks": {
    "PostToolUse": [
      {
        "type": "command",
        "command": "npx prettier --write .",
        "timeout": 15
      }
    ]
  }
}
`,
  ],
};

describe('hooksConfig: install and uninstall', () => {
  for (const tool of CONNECTOR_TOOLS) {
    describe(tool, () => {
      for (const [i, original] of EXISTING[tool].entries()) {
        it(`round trip on existing config #${i + 1}: install then uninstall gives the original bytes`, () => {
          const installed = installHooks(tool, original, cmd(tool));
          assert.equal(installed.changed, true);
          // Still valid JSON, other entries intact, ours present for every event.
          const parsed = JSON.parse(installed.text) as { hooks: Record<string, unknown[]> };
          for (const event of HOOK_SPECS[tool].events) assert.ok(JSON.stringify(parsed.hooks[event.name]).includes(cmd(tool)), event.name);
          assert.deepEqual(hooksStatus(tool, installed.text).state, 'installed');
          const again = installHooks(tool, installed.text, cmd(tool));
          assert.deepEqual(again, { text: installed.text, changed: false }, 'install is idempotent');
          const removed = uninstallHooks(tool, installed.text);
          assert.equal(removed.text, original);
          assert.equal(removed.changed, true);
          assert.equal(hooksStatus(tool, removed.text).state, 'not_installed');
          assert.deepEqual(uninstallHooks(tool, original), { text: original, changed: false, removable: removed.removable });
        });
      }

      it('creates a new file when there is none, which uninstall leaves removable', () => {
        const created = installHooks(tool, undefined, cmd(tool));
        assert.equal(created.changed, true);
        assert.ok(created.text.endsWith('}\n'));
        assert.equal(hooksStatus(tool, created.text).state, 'installed');
        const removed = uninstallHooks(tool, created.text);
        assert.equal(removed.removable, true);
        assert.equal(hooksStatus(tool, removed.text).state, 'not_installed');
      });
    });
  }

  it('keeps the file style: indentation unit and line breaks', () => {
    const crlf = installHooks('claude-code', EXISTING['claude-code'][1], cmd('claude-code')).text;
    assert.ok(!/[^\r]\n/.test(crlf), 'CRLF only');
    assert.match(crlf, /\r\n {4}"hooks": \{\r\n {8}"UserPromptSubmit": \[\r\n {12}\{/);
    const tabs = installHooks('codex', EXISTING.codex[0], cmd('codex')).text;
    assert.match(tabs, /\n\t\t"UserPromptSubmit": \[\n\t\t\t\{\n\t\t\t\t"hooks": \[/);
  });

  it('adds our matcher group without touching a user group for the same event', () => {
    const text = installHooks('claude-code', EXISTING['claude-code'][0], cmd('claude-code')).text;
    const hooks = (JSON.parse(text) as { hooks: Record<string, { matcher?: string; hooks: { command: string }[] }[]> }).hooks;
    assert.deepEqual(hooks.PostToolUse.map((g) => g.matcher), ['Write|Edit', 'Edit|MultiEdit|Write|NotebookEdit']);
    assert.deepEqual(hooks.UserPromptSubmit, [{ hooks: [{ type: 'command', command: cmd('claude-code') }] }]);
  });

  it('updates a moved command in place and removes duplicates', () => {
    const installed = installHooks('cursor', EXISTING.cursor[0], 'lineagelens hook cursor').text;
    const moved = installHooks('cursor', installed, '/opt/lineagelens/bin/lineagelens hook cursor');
    assert.equal(moved.changed, true);
    assert.deepEqual(hooksStatus('cursor', moved.text).commands, ['/opt/lineagelens/bin/lineagelens hook cursor']);
    assert.equal(moved.text.length, installed.length + '/opt/lineagelens/bin/'.length * 3);
    const duplicated = installed.replace('{"command":"lineagelens hook cursor"}]', '{"command":"lineagelens hook cursor"}, { "command": "lineagelens hook cursor" }]');
    assert.notEqual(duplicated, installed);
    const deduplicated = installHooks('cursor', duplicated, 'lineagelens hook cursor');
    assert.equal(deduplicated.text, installed);
  });

  it('uninstall removes only our entries, even when the user added hooks around them', () => {
    const installed = installHooks('copilot', EXISTING.copilot[0], cmd('copilot')).text;
    const edited = installed.replace('"UserPromptSubmit": [', '"UserPromptSubmit": [\n      { "type": "command", "command": "./audit.sh" },');
    const removed = uninstallHooks('copilot', edited);
    const hooks = (JSON.parse(removed.text) as { hooks: Record<string, { command: string }[]> }).hooks;
    assert.deepEqual(hooks.UserPromptSubmit, [{ type: 'command', command: './audit.sh' }]);
    assert.equal(hooks.PreToolUse, undefined);
    assert.deepEqual(hooks.PostToolUse.map((h) => h.command), ['npx prettier --write .']);
    assert.equal(removed.removable, false);
  });

  it('keeps a user hook that shares a group with ours', () => {
    const installed = installHooks('claude-code', '{}\n', cmd('claude-code')).text;
    const shared = installed.replace(`"command": "${cmd('claude-code')}"\n          }\n        ]\n      }\n    ],\n    "PreToolUse"`, `"command": "${cmd('claude-code')}"\n          },\n          { "type": "command", "command": "./mine.sh" }\n        ]\n      }\n    ],\n    "PreToolUse"`);
    assert.notEqual(shared, installed);
    const hooks = (JSON.parse(uninstallHooks('claude-code', shared).text) as { hooks: Record<string, unknown> }).hooks;
    assert.deepEqual(hooks, { UserPromptSubmit: [{ hooks: [{ type: 'command', command: './mine.sh' }] }] });
  });

  it('reports partial installs and never recognises other commands as ours', () => {
    const partial = '{"hooks": {"afterFileEdit": [{"command": "lineagelens hook cursor"}], "stop": [{"command": "lineagelens hook claude-code"}]}}';
    assert.deepEqual(hooksStatus('cursor', partial), {
      state: 'partial',
      events: { beforeSubmitPrompt: false, afterFileEdit: true, afterTabFileEdit: false },
      commands: ['lineagelens hook cursor'],
    });
    assert.equal(hooksStatus('cursor', undefined).state, 'not_installed');
    assert.ok(isOurCommand('cursor', '"/Users/me/Library/Application Support/lineagelens/cli.js" hook cursor'));
    assert.ok(isOurCommand('claude-code', 'node /opt/lineagelens/dist/cli.js hook claude-code --quiet'));
    assert.ok(!isOurCommand('cursor', 'lineagelens hook cursor-tab'));
    assert.ok(!isOurCommand('cursor', 'other-tool hook cursor'));
  });

  it('refuses malformed or unexpected files with a clear error and never rewrites them', () => {
    const cases: [string, RegExp][] = [
      ['{"hooks": {', /not valid JSON \(line 1, column 12: unexpected end of the text\)/],
      ['{"a": 1,}', /not valid JSON \(line 1, column 9: expected a property name/],
      ['[1, 2]', /not a JSON object/],
      ['{"hooks": []}', /"hooks" is not an object/],
      ['{"hooks": {"afterFileEdit": {"command": "x"}}}', /"hooks.afterFileEdit" is not an array/],
      ['// comment\n{}', /not valid JSON \(line 1, column 1/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => installHooks('cursor', text, cmd('cursor')), (err: Error) => err instanceof HooksConfigError && message.test(err.message), text);
    }
    assert.throws(() => uninstallHooks('cursor', '{"hooks": {'), HooksConfigError);
    assert.throws(() => hooksStatus('cursor', 'nope'), HooksConfigError);
    assert.throws(() => installHooks('cursor', '{}', 'some-other-tool --hook'), /must contain "lineagelens \.\.\. hook cursor"/);
  });

  it('names the configuration files of each tool', () => {
    const dirs = { home: '/home/dana', repoRoot: '/work/repo' };
    assert.equal(hooksConfigLocation('claude-code', 'user', dirs).path, path.join('/home/dana', '.claude', 'settings.json'));
    assert.equal(hooksConfigLocation('claude-code', 'project', dirs).path, path.join('/work/repo', '.claude', 'settings.json'));
    assert.equal(hooksConfigLocation('cursor', 'user', dirs).path, path.join('/home/dana', '.cursor', 'hooks.json'));
    assert.equal(hooksConfigLocation('codex', 'user', dirs).path, path.join('/home/dana', '.codex', 'hooks.json'));
    assert.equal(hooksConfigLocation('windsurf', 'user', dirs).path, path.join('/home/dana', '.codeium', 'windsurf', 'hooks.json'));
    assert.deepEqual(hooksConfigLocation('windsurf', 'user', dirs).alsoReadFrom, [path.join('/home/dana', '.codeium', 'hooks.json')]);
    assert.equal(hooksConfigLocation('copilot', 'project', dirs).path, path.join('/work/repo', '.github', 'hooks', 'lineagelens.json'));
    assert.throws(() => hooksConfigLocation('cursor', 'project', { home: '/h' }), /needs the repository root/);
  });
});

describe('hooksConfig: JSON positions', () => {
  it('parses with positions and rejects what JSON rejects', () => {
    const tree = parseJsonTree('\ufeff{ "a": [1, "x", true, null, -2.5e3], "b": {} }');
    assert.equal(tree.type, 'object');
    assert.deepEqual(tree.type === 'object' && tree.properties.map((p) => [p.key, p.value.type, p.value.start]), [
      ['a', 'array', 8],
      ['b', 'object', 43],
    ]);
    for (const bad of ['{"a" 1}', '{"a": 01}', '{"a": "\u0001"}', '{"a": tru}', '{} {}', '{"a": "\\q"}']) assert.throws(() => parseJsonTree(bad), /invalid JSON/, bad);
  });
});
