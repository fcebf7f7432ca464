import { findInflightEdits } from '../../src/core/hookState/inflightEdits';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AiEditSession, EditEvent } from '../../src/core/model/schema';
import { openStore } from '../../src/core/store/provenanceStore';
import { repoRoot } from './helpers';

// `lineagelens hook <tool>` as the agents run it: one payload on stdin, a separate process per event.
const bin = path.join(repoRoot, 'out', 'src', 'cli', 'bin.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function hook(tool: string, home: string, payload: unknown, env: NodeJS.ProcessEnv = {}): Run {
  const input = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  const r = spawnSync(process.execPath, [bin, 'hook', tool, '--home', home], { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, LINEAGELENS_PRIVACY: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function logJson(home: string, ...args: string[]): EditEvent[] {
  const r = cli(['log', '--json', '--home', home, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EditEvent);
}

function hookLog(home: string): string[] {
  return readFileSync(path.join(home, 'logs', 'hooks.log'), 'utf8').trim().split('\n');
}

async function storedSession(home: string, id: string): Promise<AiEditSession> {
  const store = await openStore({ home, index: 'inProcess' });
  try {
    const [record] = await store.getRecords([id]);
    assert.equal(record?.kind, 'session');
    return record as AiEditSession;
  } finally {
    await store.close();
  }
}

/** A git repository with one commit, and a store home beside it. */
function workspace(files: Record<string, string>): { repo: string; home: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'll-hook-'));
  const repo = path.join(dir, 'repo');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.name', 'Dana Smith');
  git('config', 'user.email', 'dana@example.com');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  return { repo, home: path.join(dir, 'home'), dir };
}

function assertSilentSuccess(r: Run): void {
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
}

describe('lineagelens hook: Claude Code', () => {
  const prompt = 'Add a retry loop to the payments client';
  const before = 'export function pay() {\n  return send();\n}\n';
  const after = 'export function pay() {\n  for (let i = 0; i < 3; i++) {\n    try { return send(); } catch {}\n  }\n}\n';

  function claudeWorkspace() {
    const ws = workspace({ 'src/client.ts': before });
    const transcript = path.join(ws.dir, 'transcript.jsonl');
    writeFileSync(
      transcript,
      [
        { type: 'user', sessionId: 'cc-1', message: { role: 'user', content: prompt }, timestamp: '2026-03-01T10:00:00Z' },
        { type: 'assistant', sessionId: 'cc-1', message: { role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'On it.' }] }, timestamp: '2026-03-01T10:00:01Z' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    const common = { session_id: 'cc-1', transcript_path: transcript, cwd: ws.repo, permission_mode: 'default' };
    const file = path.join(ws.repo, 'src', 'client.ts');
    const input = { file_path: file, old_string: '  return send();\n', new_string: '  for (let i = 0; i < 3; i++) {\n    try { return send(); } catch {}\n  }\n' };
    const post = (toolUseId: string) => ({
      ...common,
      hook_event_name: 'PostToolUse',
      tool_name: 'Edit',
      tool_use_id: toolUseId,
      tool_input: input,
      tool_response: {
        filePath: file,
        oldString: input.old_string,
        newString: input.new_string,
        originalFile: before,
        structuredPatch: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 5, lines: [' export function pay() {', '-  return send();', '+  for (let i = 0; i < 3; i++) {', '+    try { return send(); } catch {}', '+  }', ' }'] }],
        userModified: false,
      },
    });
    return { ...ws, common, file, input, post };
  }

  it('records a prompt, then the edit with that prompt, the model from the transcript, the repository and the acceptor', async () => {
    const ws = claudeWorkspace();
    assertSilentSuccess(hook('claude-code', ws.home, { ...ws.common, hook_event_name: 'UserPromptSubmit', prompt }));
    assertSilentSuccess(hook('claude-code', ws.home, { ...ws.common, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_use_id: 'toolu_01', tool_input: ws.input }));
    writeFileSync(ws.file, after);
    assertSilentSuccess(hook('claude-code', ws.home, ws.post('toolu_01')));

    const [edit, ...others] = logJson(ws.home);
    assert.equal(others.length, 0);
    assert.equal(edit.tool.name, 'claude-code');
    assert.deepEqual(edit.model, { id: 'claude-sonnet-4-5-20250929', provider: 'anthropic' });
    assert.equal(edit.prompt?.content.form, 'redacted');
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, prompt);
    assert.equal(edit.file.path, 'src/client.ts');
    assert.ok(edit.file.repo?.id);
    assert.match(edit.file.commit ?? '', /^[0-9a-f]{40}$/);
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [1, 4]);
    assert.equal(edit.disposition, 'accepted');
    assert.deepEqual([edit.acceptor?.gitName, edit.acceptor?.gitEmail], ['Dana Smith', 'dana@example.com']);
    assert.deepEqual([edit.capture.method, edit.capture.confidence], ['hook', 1]);

    const session = await storedSession(ws.home, edit.sessionId);
    assert.deepEqual(session.counts, { linesAdded: 3, linesKept: 3, linesRejected: 0 });
    assert.deepEqual(session.files, ['src/client.ts']);
    assert.equal(session.prompts.length, 1);
    assert.deepEqual(session.model, edit.model);

    const log = hookLog(ws.home);
    assert.equal(log.length, 3);
    assert.match(log[0], /tool=claude-code event=UserPromptSubmit outcome=remembered edits=0 prompts=1/);
    assert.match(log[1], /event=PreToolUse outcome=announced/);
    // The announcement a running editor joins on: this file, this conversation and tool call.
    const [announced, ...more] = findInflightEdits(ws.home, ws.file, 0);
    assert.equal(more.length, 0);
    assert.deepEqual([announced?.tool, announced?.conversationId, announced?.toolUseId, announced?.files], ['claude-code', ws.common.session_id, 'toolu_01', [ws.file]]);
    assert.match(log[2], /event=PostToolUse outcome=recorded edits=1 prompts=0 skipped=0 ms=\d+/);
    const all = readFileSync(path.join(ws.home, 'logs', 'hooks.log'), 'utf8');
    assert.ok(!all.includes('retry') && !all.includes('send()'), 'the log never holds prompts or code');
  });

  it('keeps the session complete across hook processes, also when they run at the same time', async () => {
    const ws = claudeWorkspace();
    writeFileSync(ws.file, after);
    const runs = ['toolu_a', 'toolu_b', 'toolu_c', 'toolu_d'].map(
      (id) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [bin, 'hook', 'claude-code', '--home', ws.home], { stdio: ['pipe', 'ignore', 'ignore'] });
          child.on('exit', resolve);
          child.stdin.end(JSON.stringify(ws.post(id)));
        }),
    );
    assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
    const edits = logJson(ws.home);
    assert.equal(edits.length, 4);
    const session = await storedSession(ws.home, edits[0].sessionId);
    assert.deepEqual(session.counts, { linesAdded: 12, linesKept: 12, linesRejected: 0 });
    // The same event delivered again is not counted again.
    assertSilentSuccess(hook('claude-code', ws.home, ws.post('toolu_a')));
    assert.equal(logJson(ws.home).length, 4);
    assert.match(hookLog(ws.home).at(-1)!, /outcome=nothing_to_record .*recorded already/);
  });

  it('honours the privacy level: LINEAGELENS_PRIVACY=off keeps no prompt, not even in the hook state', () => {
    const ws = claudeWorkspace();
    const env = { LINEAGELENS_PRIVACY: 'off' };
    assertSilentSuccess(hook('claude-code', ws.home, { ...ws.common, hook_event_name: 'UserPromptSubmit', prompt }, env));
    writeFileSync(ws.file, after);
    assertSilentSuccess(hook('claude-code', ws.home, ws.post('toolu_off'), env));
    const [edit] = logJson(ws.home);
    assert.deepEqual(edit.prompt?.content, { form: 'none' });
    assert.equal(edit.insertedText.form, 'hash');
    const stateDir = path.join(ws.home, 'hook-state');
    for (const f of readdirSync(stateDir).filter((n) => n.endsWith('.json'))) assert.ok(!readFileSync(path.join(stateDir, f), 'utf8').includes('retry'));
  });

  it('uses the privacy level of config.json, and the default when the file is broken', () => {
    const ws = claudeWorkspace();
    mkdirSync(ws.home, { recursive: true });
    writeFileSync(path.join(ws.home, 'config.json'), JSON.stringify({ privacy: 'hash', somethingNewer: true }));
    writeFileSync(ws.file, after);
    assertSilentSuccess(hook('claude-code', ws.home, ws.post('toolu_h')));
    assert.equal(logJson(ws.home)[0].insertedText.form, 'hash');
    writeFileSync(path.join(ws.home, 'config.json'), '{"privacy": ');
    assertSilentSuccess(hook('claude-code', ws.home, ws.post('toolu_i')));
    const latest = logJson(ws.home, '--limit', '1')[0];
    assert.equal(latest.insertedText.form, 'redacted');
    assert.match(hookLog(ws.home).at(-1)!, /config\.json is not valid JSON: using the defaults/);
  });

  it('skips an edit of a file outside the repository and the cwd, and says why', () => {
    const ws = claudeWorkspace();
    const outside = path.join(ws.dir, 'elsewhere.txt');
    writeFileSync(outside, 'x\n');
    const payload = { ...ws.common, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_use_id: 'toolu_out', tool_input: { file_path: outside, content: 'x\n' } };
    assertSilentSuccess(hook('claude-code', ws.home, payload));
    assert.match(hookLog(ws.home).at(-1)!, /outcome=nothing_to_record edits=0 prompts=0 skipped=1 .*elsewhere\.txt is outside the repository root/);
    assert.ok(!existsSync(path.join(ws.home, 'journal')));
  });

  const broken: [string, string | Buffer, RegExp][] = [
    ['malformed JSON', '{"hook_event_name": "PostToolUse", ', /outcome=ignored .*claude-code hook input is not valid JSON: ignored/],
    ['an empty payload', '', /outcome=ignored .*hook input is empty/],
    ['an unknown event', JSON.stringify({ hook_event_name: 'SomethingNew', session_id: 's' }), /event=SomethingNew outcome=ignored .*unknown claude-code hook event \\"SomethingNew\\"/],
    ['missing fields', JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: '/x', old_string: 'a', new_string: 'b' } }), /PostToolUse payload has no session_id: ignored/],
    ['a JSON value that is not an object', '[1, 2, 3]', /hook payload is not a JSON object/],
    ['binary stdin', Buffer.from([0x7b, 0x00, 0x01, 0xff, 0x7d]), /outcome=ignored .*payload is binary \(NUL bytes\), 5 bytes, not recorded/],
    ['a payload over 16 MiB', '{"prompt": "' + 'a'.repeat(17 * 1024 * 1024) + '"}', /payload too large, 17825806 bytes, not recorded/],
  ];
  for (const [what, input, expected] of broken) {
    it(`exits 0 on ${what}, records nothing and logs the problem`, () => {
      const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-hook-bad-')), 'home');
      assertSilentSuccess(hook('claude-code', home, input));
      assert.ok(!existsSync(path.join(home, 'store.json')), 'no store was created');
      assert.ok(!existsSync(path.join(home, 'hook-state')), 'no hook state was written');
      const log = hookLog(home);
      assert.equal(log.length, 1);
      assert.match(log[0], expected);
    });
  }

  it('every tool exits 0 on malformed JSON and logs it', () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-hook-bad-')), 'home');
    const tools = ['claude-code', 'cursor', 'copilot', 'codex', 'windsurf'];
    for (const tool of tools) assertSilentSuccess(hook(tool, home, '{"hook_event_name": "PreToolUse"'));
    const log = hookLog(home);
    tools.forEach((tool, i) => assert.match(log[i], new RegExp(`tool=${tool} event=- outcome=ignored .*${tool} hook input is not valid JSON`)));
    assert.ok(!existsSync(path.join(home, 'store.json')));
  });

  it('exits 0 for an unknown tool, with the usage on stderr and in the log', () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-hook-bad-')), 'home');
    const r = hook('frobnicate', home, '{}');
    assert.equal(r.status, 0);
    assert.match(r.stderr, /unknown tool "frobnicate"/);
    assert.match(hookLog(home)[0], /usage: lineagelens hook/);
  });
});

describe('lineagelens hook: Cursor, Copilot, Codex, Windsurf', () => {
  it('cursor: beforeSubmitPrompt answers "continue", afterFileEdit is recorded with the model and placed in the file', () => {
    const ws = workspace({ 'src/util.ts': 'export function foo() {\n  return 1;\n}\n' });
    const common = { conversation_id: 'cur-1', generation_id: 'gen-1', model: 'gpt-5', cursor_version: '1.7.2', workspace_roots: [ws.repo], user_email: 'dana@example.com', transcript_path: null };
    const r = hook('cursor', ws.home, { ...common, hook_event_name: 'beforeSubmitPrompt', prompt: 'Rename foo to bar', attachments: [] });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '{"continue":true}\n');
    writeFileSync(path.join(ws.repo, 'src/util.ts'), 'export function bar() {\n  return 1;\n}\n');
    const file = path.join(ws.repo, 'src', 'util.ts');
    assertSilentSuccess(hook('cursor', ws.home, { ...common, hook_event_name: 'afterFileEdit', file_path: file, edits: [{ old_string: 'export function foo() {', new_string: 'export function bar() {' }] }));
    const [edit] = logJson(ws.home, '--tool', 'cursor');
    assert.deepEqual([edit.tool, edit.model], [{ name: 'cursor', version: '1.7.2' }, { id: 'gpt-5', provider: 'openai' }]);
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, 'Rename foo to bar');
    assert.equal(edit.prompt?.turnId, 'gen-1');
    assert.equal(edit.file.path, 'src/util.ts');
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [0, 1]);
  });

  it('copilot: editFiles is diffed against the PreToolUse copy, and pending until the user keeps it', () => {
    const ws = workspace({ 'README.md': '# Shop\n\nSells things.\n' });
    const common = { sessionId: 'cp-1', cwd: ws.repo, transcript_path: path.join(ws.dir, 'cp-1.jsonl') };
    const readme = path.join(ws.repo, 'README.md');
    assertSilentSuccess(hook('copilot', ws.home, { ...common, hookEventName: 'UserPromptSubmit', timestamp: '2026-03-02T09:00:00.000Z', prompt: 'Document how to run the tests' }));
    assertSilentSuccess(hook('copilot', ws.home, { ...common, hookEventName: 'PreToolUse', timestamp: '2026-03-02T09:00:05.000Z', tool_name: 'editFiles', tool_use_id: 'call_1', tool_input: { files: [readme] } }));
    writeFileSync(readme, '# Shop\n\nSells things.\n\n## Tests\n\nRun `npm test`.\n');
    assertSilentSuccess(hook('copilot', ws.home, { ...common, hookEventName: 'PostToolUse', timestamp: '2026-03-02T09:00:06.000Z', tool_name: 'editFiles', tool_use_id: 'call_1', tool_input: { files: [readme] }, tool_response: '' }));
    const [edit] = logJson(ws.home, '--tool', 'copilot');
    assert.equal(edit.disposition, 'pending');
    assert.equal(edit.model, 'unknown');
    assert.equal(edit.file.path, 'README.md');
    assert.equal(edit.time, '2026-03-02T09:00:06.000Z');
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, 'Document how to run the tests');
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [3, 7]);
    assert.deepEqual(readdirSync(path.join(ws.home, 'hook-state', 'snapshots')), [], 'the pre-edit copy is gone once used');
  });

  it('copilot: a changed file without a pre-edit copy is not recorded, and the log says why', () => {
    const ws = workspace({ 'a.txt': 'a\n' });
    const file = path.join(ws.repo, 'a.txt');
    assertSilentSuccess(hook('copilot', ws.home, { sessionId: 'cp-2', cwd: ws.repo, hookEventName: 'PostToolUse', tool_name: 'editFiles', tool_use_id: 'c', tool_input: { files: [file] } }));
    assert.match(hookLog(ws.home)[0], /skipped=1 .*not recorded, no pre-edit copy/);
  });

  it('codex: an apply_patch is recorded with the turn model, the prompt, and its position found in the file', () => {
    const ws = workspace({ 'src/main.rs': 'fn main() {\n    println!("hi");\n}\n' });
    const common = { session_id: 'cx-1', transcript_path: path.join(ws.dir, 'rollout.jsonl'), cwd: ws.repo, model: 'gpt-5-codex', turn_id: 'turn-1' };
    const patch = '*** Begin Patch\n*** Update File: src/main.rs\n@@\n fn main() {\n-    println!("hi");\n+    greet();\n }\n*** End Patch';
    assertSilentSuccess(hook('codex', ws.home, { ...common, hook_event_name: 'UserPromptSubmit', prompt: 'Call a greet function from main' }));
    assertSilentSuccess(hook('codex', ws.home, { ...common, hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_use_id: 'call_9', tool_input: { command: patch } }));
    writeFileSync(path.join(ws.repo, 'src/main.rs'), 'fn main() {\n    greet();\n}\n');
    assertSilentSuccess(hook('codex', ws.home, { ...common, hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_use_id: 'call_9', tool_input: { command: patch }, tool_response: { output: 'Success', metadata: { exit_code: 0 } } }));
    const [edit] = logJson(ws.home, '--tool', 'codex');
    assert.deepEqual(findInflightEdits(ws.home, path.join(ws.repo, 'src/main.rs'), 0).map((a) => [a.tool, a.toolUseId]), [['codex', 'call_9']]);
    assert.deepEqual(edit.model, { id: 'gpt-5-codex', provider: 'openai' });
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, 'Call a greet function from main');
    assert.equal(edit.file.path, 'src/main.rs');
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [1, 2]);
  });

  it('windsurf: post_write_code edits are recorded with the model and the prompt of the trajectory', () => {
    const ws = workspace({ 'index.html': '<html>\n<h1>Title</h1>\n</html>\n' });
    const page = path.join(ws.repo, 'index.html');
    const common = { trajectory_id: 'ws-1', execution_id: 'exec-1', model_name: 'claude-sonnet-4-5' };
    assertSilentSuccess(hook('windsurf', ws.home, { ...common, agent_action_name: 'pre_user_prompt', timestamp: '2026-03-03T08:00:00Z', tool_info: { user_prompt: 'Make the title bold' } }));
    assertSilentSuccess(hook('windsurf', ws.home, { ...common, agent_action_name: 'pre_write_code', timestamp: '2026-03-03T08:00:02Z', tool_info: { file_path: page, edits: [{ old_string: '<h1>Title</h1>', new_string: '<h1><b>Title</b></h1>' }] } }));
    writeFileSync(page, '<html>\n<h1><b>Title</b></h1>\n</html>\n');
    assertSilentSuccess(hook('windsurf', ws.home, { ...common, agent_action_name: 'post_write_code', timestamp: '2026-03-03T08:00:03Z', tool_info: { file_path: page, edits: [{ old_string: '<h1>Title</h1>', new_string: '<h1><b>Title</b></h1>' }] } }));
    const [edit] = logJson(ws.home, '--tool', 'windsurf');
    assert.deepEqual(edit.model, { id: 'claude-sonnet-4-5', provider: 'anthropic' });
    assert.equal(edit.prompt?.content.form === 'redacted' && edit.prompt.content.text, 'Make the title bold');
    assert.equal(edit.file.path, 'index.html');
    assert.deepEqual([edit.rangeAfter.start.line, edit.rangeAfter.end.line], [1, 2]);
  });
});

describe('lineagelens log', () => {
  it('filters by tool, file and time, limits, and prints newest first with a prompt excerpt', function () {
    this.timeout(90_000); // a dozen CLI processes: slow when the machine is busy, not wrong
    const ws = workspace({ 'a.ts': 'a\n', 'b.ts': 'b\n' });
    const edit = (conversation: string, file: string, text: string, time: string) => {
      writeFileSync(path.join(ws.repo, file), text);
      assertSilentSuccess(
        hook('copilot', ws.home, { sessionId: conversation, cwd: ws.repo, hookEventName: 'PostToolUse', timestamp: time, tool_name: 'create_file', tool_use_id: `${conversation}-${file}`, tool_input: { filePath: path.join(ws.repo, file), content: text } }),
      );
    };
    assertSilentSuccess(hook('copilot', ws.home, { sessionId: 'c1', cwd: ws.repo, hookEventName: 'UserPromptSubmit', timestamp: '2026-01-01T00:00:00Z', prompt: `Write a\n${'second line '.repeat(20)}` }));
    edit('c1', 'a.ts', 'A\n', '2026-01-01T00:00:01.000Z');
    edit('c1', 'b.ts', 'B\n', '2026-01-03T00:00:00.000Z');
    edit('c2', 'a.ts', 'AA\n', '2026-01-02T00:00:00.000Z');

    assert.deepEqual(logJson(ws.home).map((e) => e.time), ['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-01T00:00:01.000Z']);
    assert.deepEqual(logJson(ws.home, '--limit', '1').map((e) => e.file.path), ['b.ts']);
    assert.deepEqual(logJson(ws.home, '--file', path.join(ws.repo, 'a.ts')).map((e) => e.time), ['2026-01-02T00:00:00.000Z', '2026-01-01T00:00:01.000Z']);
    assert.deepEqual(logJson(ws.home, '--file', 'a.ts').length, 2);
    assert.deepEqual(logJson(ws.home, '--since', '2026-01-02').length, 2);
    assert.deepEqual(logJson(ws.home, '--tool', 'cursor'), []);
    assert.equal(logJson(ws.home, '--since', '7d').length, 0);

    const text = cli(['log', '--home', ws.home, '--limit', '3']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^2026-01-03T00:00:00\.000Z {2}copilot {2}model unknown {2}b\.ts:1 {2}pending\n {4}capture hook \(1\.00\) {2}session ses_\w+ {2}accepted by Dana Smith <dana@example\.com>\n {4}prompt: "Write a"\n/);
  });

  it('rejects bad options with exit 2, and says so when there is no store', () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'll-log-')), 'home');
    assert.equal(cli(['log', '--since', 'yesterday', '--home', home]).status, 2);
    assert.equal(cli(['log', '--limit', '0', '--home', home]).status, 2);
    const empty = cli(['log', '--home', home]);
    assert.equal(empty.status, 0);
    assert.match(empty.stderr, /no LineageLens store at .*: nothing recorded yet/);
    assert.ok(!existsSync(home), 'log never creates a store');
  });
});
