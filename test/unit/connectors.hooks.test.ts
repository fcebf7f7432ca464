import * as assert from 'node:assert/strict';
import { withModel } from '../../src/core/connectors/enrich';
import { editsFromFileChange } from '../../src/core/connectors/fileChangeEdits';
import { parseHookPayload as claude } from '../../src/core/connectors/hooks/claudeCode';
import { modelFromClaudeTranscriptTail } from '../../src/core/connectors/hooks/claudeTranscriptModel';
import { parseHookPayload as codex } from '../../src/core/connectors/hooks/codex';
import { parseHookPayload as copilot } from '../../src/core/connectors/hooks/copilot';
import { parseHookPayload as cursor } from '../../src/core/connectors/hooks/cursor';
import { escapeControlCharactersInStrings, parseHookInput } from '../../src/core/connectors/hooks/hookInput';
import { parseHookPayload as windsurf } from '../../src/core/connectors/hooks/windsurf';
import { agentEditToRecords } from '../../src/core/connectors/toRecords';
import type { AgentEdit, AgentEvent, HookParseResult } from '../../src/core/connectors/types';

const NOW = '2026-03-01T10:00:00.000Z';
const opts = { now: NOW };

function edits(r: HookParseResult): AgentEdit[] {
  return r.events.filter((e): e is AgentEdit => e.kind === 'edit');
}
function only<K extends AgentEvent['kind']>(r: HookParseResult, kind: K): Extract<AgentEvent, { kind: K }> {
  assert.equal(r.events.length, 1, JSON.stringify(r.warnings));
  assert.equal(r.events[0].kind, kind);
  return r.events[0] as Extract<AgentEvent, { kind: K }>;
}

describe('connectors: Claude Code hooks', () => {
  const common = { session_id: 's-1', transcript_path: '/home/u/.claude/projects/-repo/s-1.jsonl', cwd: '/repo', permission_mode: 'default' };

  it('UserPromptSubmit gives a prompt event and exposes the transcript path', () => {
    const r = claude({ ...common, hook_event_name: 'UserPromptSubmit', prompt: 'Add retries' }, opts);
    const p = only(r, 'prompt');
    assert.deepEqual([p.tool, p.conversationId, p.text, p.time, p.source, p.cwd], ['claude-code', 's-1', 'Add retries', NOW, 'hook', '/repo']);
    assert.equal(r.context.transcriptPath, common.transcript_path);
  });

  it('PreToolUse of an edit tool gives a pre_edit with the file; other tools give nothing', () => {
    const pre = only(claude({ ...common, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_use_id: 'toolu_1', tool_input: { file_path: '/repo/a.ts', old_string: 'a', new_string: 'b' } }, opts), 'pre_edit');
    assert.deepEqual([pre.filePaths, pre.toolUseId, pre.cwd], [['/repo/a.ts'], 'toolu_1', '/repo']);
    const bash = claude({ ...common, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }, opts);
    assert.deepEqual([bash.events, bash.warnings], [[], []]);
  });

  it('PostToolUse Edit with structuredPatch gives exact line ranges, model unknown until enriched', () => {
    const r = claude(
      {
        ...common,
        hook_event_name: 'PostToolUse',
        tool_name: 'Edit',
        tool_use_id: 'toolu_2',
        tool_input: { file_path: '/repo/a.ts', old_string: 'b\n', new_string: 'b\nc\n' },
        tool_response: {
          filePath: '/repo/a.ts',
          oldString: 'b\n',
          newString: 'b\nc\n',
          originalFile: 'a\nb\nd\n',
          structuredPatch: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 4, lines: [' a', ' b', '+c', ' d'] }],
          userModified: false,
        },
      },
      opts,
    );
    const [e] = edits(r);
    assert.deepEqual([e.filePath, e.oldText, e.newText, e.range, e.rangeBefore, e.model, e.rejected, e.source, e.time], [
      '/repo/a.ts',
      '',
      'c\n',
      { startLine: 2, endLine: 3 },
      { startLine: 2, endLine: 2 },
      'unknown',
      false,
      'hook',
      NOW,
    ]);
    const [enriched] = withModel(r.events, { id: 'claude-opus-4-1', provider: 'anthropic' });
    assert.deepEqual((enriched as AgentEdit).model, { id: 'claude-opus-4-1', provider: 'anthropic' });
    const records = agentEditToRecords(enriched as AgentEdit, { repoRoot: '/repo' });
    assert.equal(records.edit.file.path, 'a.ts');
  });

  it('PostToolUse without structuredPatch: ranges from originalFile, else the strings without position', () => {
    const base = { ...common, hook_event_name: 'PostToolUse', tool_name: 'MultiEdit', tool_use_id: 'toolu_3' };
    const input = { file_path: '/repo/m.ts', edits: [{ old_string: 'one', new_string: 'ONE' }, { old_string: 'three', new_string: 'THREE' }] };
    const withOriginal = edits(claude({ ...base, tool_input: input, tool_response: { filePath: '/repo/m.ts', originalFileContents: 'one\ntwo\nthree\n' } }, opts));
    assert.deepEqual(withOriginal.map((e) => [e.range, e.newText]), [
      [{ startLine: 0, endLine: 1 }, 'ONE\n'],
      [{ startLine: 2, endLine: 3 }, 'THREE\n'],
    ]);
    const blind = edits(claude({ ...base, tool_input: input }, opts));
    assert.deepEqual(blind.map((e) => [e.range, e.oldText, e.newText]), [
      [undefined, 'one', 'ONE'],
      [undefined, 'three', 'THREE'],
    ]);
    assert.notEqual(blind[0].stableId, blind[1].stableId);
  });

  it('PostToolUse Write of a new file covers every line; NotebookEdit records the cell source', () => {
    const [w] = edits(claude({ ...common, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_use_id: 't4', tool_input: { file_path: '/repo/new.py', content: 'a\nb\n' }, tool_response: { type: 'create', filePath: '/repo/new.py', content: 'a\nb\n', structuredPatch: [] } }, opts));
    assert.deepEqual([w.range, w.newText], [{ startLine: 0, endLine: 2 }, 'a\nb\n']);
    const [nb] = edits(claude({ ...common, hook_event_name: 'PostToolUse', tool_name: 'NotebookEdit', tool_use_id: 't5', tool_input: { notebook_path: '/repo/n.ipynb', cell_id: 'c1', new_source: 'print(1)' } }, opts));
    assert.deepEqual([nb.filePath, nb.newText, nb.range], ['/repo/n.ipynb', 'print(1)', undefined]);
  });

  it('a subagent payload belongs to the agent, its session to the parent', () => {
    const [e] = edits(claude({ ...common, agent_id: 'a9', hook_event_name: 'PostToolUse', tool_name: 'Write', tool_use_id: 't6', tool_input: { file_path: '/repo/x', content: 'x' } }, opts));
    assert.deepEqual([e.conversationId, e.parentConversationId], ['a9', 's-1']);
  });

  it('warns about unknown events and unusable payloads, and ignores known events without edits', () => {
    assert.match(claude({ ...common, hook_event_name: 'SomethingNew' }).warnings[0], /unknown claude-code hook event "SomethingNew"/);
    assert.deepEqual(claude({ ...common, hook_event_name: 'Stop' }), { events: [], warnings: [], context: { hookEventName: 'Stop', conversationId: 's-1', transcriptPath: common.transcript_path, cwd: '/repo' } });
    assert.match(claude('not an object').warnings[0], /is not a JSON object/);
    assert.match(claude({ hook_event_name: 'UserPromptSubmit', prompt: 'x' }).warnings[0], /no session_id/);
    // A wrongly-typed optional field reads as absent instead of failing the payload.
    assert.equal(claude({ ...common, cwd: 42, hook_event_name: 'UserPromptSubmit', prompt: 'p' }, opts).events.length, 1);
  });

  it('reads the model from the tail of a transcript', () => {
    const tail =
      'ssage":{"model":"cut-off"}}\n' +
      JSON.stringify({ type: 'assistant', message: { model: 'claude-sonnet-4-20250514', content: [] } }) +
      '\n' +
      JSON.stringify({ type: 'user', message: { content: 'ok' } }) +
      '\n' +
      JSON.stringify({ type: 'assistant', message: { model: '<synthetic>', content: [] } }) +
      '\n{"type":"assistant","message":{"model":"still-be';
    assert.deepEqual(modelFromClaudeTranscriptTail(tail), { id: 'claude-sonnet-4-20250514', provider: 'anthropic' });
    assert.equal(modelFromClaudeTranscriptTail('{"type":"user"}\n'), 'unknown');
  });
});

describe('connectors: Cursor hooks', () => {
  const common = { conversation_id: 'conv-1', generation_id: 'gen-1', model: 'claude-4.5-sonnet', cursor_version: '1.7.2', workspace_roots: ['/w/app', '/w/lib'], user_email: 'dana@example.com', transcript_path: '/h/.cursor/t.jsonl' };

  it('beforeSubmitPrompt gives a prompt with the model and generation as turn', () => {
    const p = only(cursor({ ...common, hook_event_name: 'beforeSubmitPrompt', prompt: 'Refactor', attachments: [] }, opts), 'prompt');
    assert.deepEqual([p.text, p.turnId, p.model, p.toolVersion, p.cwd], ['Refactor', 'gen-1', { id: 'claude-4.5-sonnet', provider: 'anthropic' }, '1.7.2', '/w/app']);
  });

  it('afterFileEdit gives one edit per edit entry, with the workspace root that holds the file', () => {
    const r = cursor({ ...common, hook_event_name: 'afterFileEdit', file_path: '/w/lib/x.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] }, opts);
    const es = edits(r);
    assert.deepEqual(es.map((e) => [e.filePath, e.oldText, e.newText, e.cwd, e.turnId, e.range]), [
      ['/w/lib/x.ts', 'a', 'b', '/w/lib', 'gen-1', undefined],
      ['/w/lib/x.ts', 'c', 'd', '/w/lib', 'gen-1', undefined],
    ]);
    assert.deepEqual(es[0].model, { id: 'claude-4.5-sonnet', provider: 'anthropic' });
    // The same payload again gives the same ids; different content in the same generation gives others.
    assert.equal(edits(cursor({ ...common, hook_event_name: 'afterFileEdit', file_path: '/w/lib/x.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] }, opts))[0].stableId, es[0].stableId);
    assert.notEqual(edits(cursor({ ...common, hook_event_name: 'afterFileEdit', file_path: '/w/lib/x.ts', edits: [{ old_string: 'a', new_string: 'z' }] }, opts))[0].stableId, es[0].stableId);
  });

  it('afterTabFileEdit uses its 1-based ranges and does not claim the composer model', () => {
    const [e] = edits(
      cursor(
        {
          ...common,
          hook_event_name: 'afterTabFileEdit',
          file_path: '/w/app/y.ts',
          edits: [{ old_string: '', new_string: 'return 1;', range: { start_line_number: 10, start_column: 5, end_line_number: 10, end_column: 5 }, old_line: '    ', new_line: '    return 1;' }],
        },
        opts,
      ),
    );
    assert.deepEqual([e.range, e.rangeBefore, e.model, e.detail], [{ startLine: 9, endLine: 10 }, { startLine: 9, endLine: 10 }, 'unknown', 'afterTabFileEdit (Tab completion)']);
  });

  it('preToolUse / postToolUse of Write, StrReplace and ApplyPatch', () => {
    const pre = only(cursor({ ...common, hook_event_name: 'preToolUse', tool_name: 'Write', tool_use_id: 'tu1', cwd: '/w/app', tool_input: { file_path: '/w/app/n.ts', contents: 'x\n' } }, opts), 'pre_edit');
    assert.deepEqual(pre.filePaths, ['/w/app/n.ts']);
    const [w] = edits(cursor({ ...common, hook_event_name: 'postToolUse', tool_name: 'Write', tool_use_id: 'tu1', tool_input: { path: '/w/app/n.ts', contents: 'x\ny\n' }, tool_output: 'ok' }, opts));
    assert.deepEqual([w.range, w.newText, w.cwd], [{ startLine: 0, endLine: 2 }, 'x\ny\n', '/w/app']);
    const [s] = edits(cursor({ ...common, hook_event_name: 'postToolUse', tool_name: 'StrReplace', tool_use_id: 'tu2', tool_input: { path: '/w/app/n.ts', old_string: 'x', new_string: 'X' } }, opts));
    assert.deepEqual([s.oldText, s.newText], ['x', 'X']);
    const patch = '*** Begin Patch\n*** Update File: /w/app/n.ts\n@@\n-y\n+Y\n*** End Patch';
    const preP = only(cursor({ ...common, hook_event_name: 'preToolUse', tool_name: 'ApplyPatch', tool_use_id: 'tu3', tool_input: patch }, opts), 'pre_edit');
    assert.deepEqual(preP.filePaths, ['/w/app/n.ts']);
    const [p] = edits(cursor({ ...common, hook_event_name: 'postToolUse', tool_name: 'ApplyPatch', tool_use_id: 'tu3', tool_input: { patch } }, opts));
    assert.deepEqual([p.filePath, p.oldText, p.newText], ['/w/app/n.ts', 'y\n', 'Y\n']);
    assert.deepEqual(cursor({ ...common, hook_event_name: 'postToolUse', tool_name: 'Shell', tool_input: { command: 'ls' } }, opts).events, []);
  });

  it('groups Tab edits outside any conversation per day', () => {
    const [e] = edits(cursor({ hook_event_name: 'afterTabFileEdit', workspace_roots: ['/w/app'], file_path: '/w/app/z.ts', edits: [{ old_string: 'a', new_string: 'ab' }] }, opts));
    assert.equal(e.conversationId, 'cursor-tab:2026-03-01');
  });

  it('warns about unknown events and a missing conversation id; ignores the others', () => {
    assert.match(cursor({ ...common, hook_event_name: 'afterSomething' }).warnings[0], /unknown cursor hook event/);
    assert.match(cursor({ hook_event_name: 'beforeSubmitPrompt', prompt: 'x' }).warnings[0], /no conversation_id/);
    assert.deepEqual(cursor({ ...common, hook_event_name: 'stop', status: 'completed' }).events, []);
  });
});

describe('connectors: Copilot (VS Code) hooks', () => {
  const common = { sessionId: 'chat-1', cwd: '/w', timestamp: '2026-02-09T10:30:00.000Z', transcript_path: '/u/workspaceStorage/h/GitHub.copilot-chat/transcripts/chat-1.jsonl' };

  it('UserPromptSubmit gives a prompt timed by the payload', () => {
    const p = only(copilot({ ...common, hookEventName: 'UserPromptSubmit', prompt: 'Fix the bug' }, opts), 'prompt');
    assert.deepEqual([p.text, p.time, p.conversationId], ['Fix the bug', '2026-02-09T10:30:00.000Z', 'chat-1']);
  });

  it('PostToolUse edits are pending (Keep/Undo comes later), read in snake or camel case', () => {
    const [a] = edits(copilot({ ...common, hookEventName: 'PostToolUse', tool_name: 'replace_string_in_file', tool_use_id: 'c1', tool_input: { filePath: '/w/a.ts', oldString: 'x', newString: 'y' }, tool_response: 'ok' }, opts));
    assert.deepEqual([a.filePath, a.oldText, a.newText, a.pendingReview, a.model], ['/w/a.ts', 'x', 'y', true, 'unknown']);
    assert.equal(agentEditToRecords(a, { repoRoot: '/w' }).edit.disposition, 'pending');
    const created = edits(copilot({ ...common, hook_event_name: 'PostToolUse', toolName: 'create_file', toolUseId: 'c2', toolInput: { filePath: '/w/b.ts', content: '1\n2\n3\n' } }, opts));
    assert.deepEqual(created.map((e) => e.range), [{ startLine: 0, endLine: 3 }]);
    const multi = edits(copilot({ ...common, hookEventName: 'PostToolUse', tool_name: 'multi_replace_string_in_file', tool_use_id: 'c3', tool_input: { replacements: [{ filePath: '/w/a.ts', oldString: '1', newString: 'one' }, { filePath: '/w/c.ts', oldString: '2', newString: 'two' }] } }, opts));
    assert.deepEqual(multi.map((e) => [e.filePath, e.newText]), [['/w/a.ts', 'one'], ['/w/c.ts', 'two']]);
    const patched = edits(copilot({ ...common, hookEventName: 'PostToolUse', tool_name: 'apply_patch', tool_use_id: 'c4', tool_input: { input: '*** Begin Patch\n*** Add File: /w/d.ts\n+d\n*** End Patch', explanation: 'add d' } }, opts));
    assert.deepEqual(patched.map((e) => [e.filePath, e.range]), [['/w/d.ts', { startLine: 0, endLine: 1 }]]);
    const sketch = edits(copilot({ ...common, hookEventName: 'PostToolUse', tool_name: 'insert_edit_into_file', tool_use_id: 'c5', tool_input: { filePath: '/w/a.ts', code: '// ...existing code...\nnew();' } }, opts));
    assert.match(sketch[0].detail ?? '', /sketch, position unknown/);
  });

  it('PreToolUse gives a pre_edit; editFiles (paths only) gives a file_change for the caller to diff', () => {
    const pre = only(copilot({ ...common, hookEventName: 'PreToolUse', tool_name: 'editFiles', tool_use_id: 'e1', tool_input: { files: ['/w/a.ts', '/w/b.ts'] } }, opts), 'pre_edit');
    assert.deepEqual(pre.filePaths, ['/w/a.ts', '/w/b.ts']);
    const change = only(copilot({ ...common, hookEventName: 'PostToolUse', tool_name: 'editFiles', tool_use_id: 'e1', tool_input: { files: ['/w/a.ts'] } }, opts), 'file_change');
    assert.deepEqual([change.filePaths, change.pendingReview], [['/w/a.ts'], true]);
    // The caller diffs the file against its PreToolUse snapshot.
    const diffed = editsFromFileChange(change, '/w/a.ts', 'a\nb\n', 'a\nB\nc\n');
    assert.deepEqual(diffed.map((e) => [e.oldText, e.newText, e.range, e.pendingReview, e.conversationId]), [['b\n', 'B\nc\n', { startLine: 1, endLine: 3 }, true, 'chat-1']]);
    assert.equal(editsFromFileChange(change, '/w/a.ts', 'a\nb\n', 'a\nB\nc\n')[0].stableId, diffed[0].stableId);
    assert.deepEqual(copilot({ ...common, hookEventName: 'PreToolUse', tool_name: 'read_file', tool_input: { filePath: '/w/a.ts' } }, opts).events, []);
  });

  it('warns about unknown events and ignores lifecycle events', () => {
    assert.match(copilot({ ...common, hookEventName: 'Mystery' }).warnings[0], /unknown copilot hook event "Mystery"/);
    assert.deepEqual(copilot({ ...common, hookEventName: 'SessionStart', source: 'new' }).events, []);
    assert.match(copilot({ hookEventName: 'UserPromptSubmit', prompt: 'x' }).warnings[0], /no sessionId/);
  });
});

describe('connectors: Codex hooks', () => {
  const common = { session_id: 'cx-1', transcript_path: '/h/.codex/sessions/r.jsonl', cwd: '/repo', model: 'gpt-5-codex', turn_id: 'turn-3' };
  const patch = '*** Begin Patch\n*** Update File: src/main.rs\n@@\n-fn main() {}\n+fn main() { greet(); }\n*** End Patch';

  it('UserPromptSubmit gives a prompt with the model and turn', () => {
    const p = only(codex({ ...common, hook_event_name: 'UserPromptSubmit', prompt: 'Refactor main' }, opts), 'prompt');
    assert.deepEqual([p.text, p.turnId, p.model], ['Refactor main', 'turn-3', { id: 'gpt-5-codex', provider: 'openai' }]);
  });

  it('PreToolUse apply_patch names the files; PostToolUse gives the edits', () => {
    const pre = only(codex({ ...common, hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_use_id: 'call_1', tool_input: { command: patch } }, opts), 'pre_edit');
    assert.deepEqual([pre.filePaths, pre.cwd], [['src/main.rs'], '/repo']);
    const [e] = edits(codex({ ...common, hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_use_id: 'call_1', tool_input: { command: patch }, tool_response: { output: 'Success. Updated the following files:\nM src/main.rs' } }, opts));
    assert.deepEqual([e.filePath, e.cwd, e.oldText, e.newText, e.turnId, e.model], ['src/main.rs', '/repo', 'fn main() {}\n', 'fn main() { greet(); }\n', 'turn-3', { id: 'gpt-5-codex', provider: 'openai' }]);
    assert.equal(agentEditToRecords(e, { repoRoot: '/repo' }).edit.file.path, 'src/main.rs');
  });

  it('records nothing for a failed patch or a malformed one, with a warning', () => {
    const failed = codex({ ...common, hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_use_id: 'c2', tool_input: { command: patch }, tool_response: { success: false } }, opts);
    assert.deepEqual(failed.events, []);
    assert.match(failed.warnings[0], /did not apply/);
    const malformed = codex({ ...common, hook_event_name: 'PostToolUse', tool_name: 'apply_patch', tool_use_id: 'c3', tool_input: { command: '*** Begin Patch\n*** Update File: a\n@@\n-x\n' } }, opts);
    assert.match(malformed.warnings[0], /malformed patch/);
    assert.deepEqual(codex({ ...common, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }, opts).events, []);
    assert.match(codex({ ...common, hook_event_name: 'NewThing' }).warnings[0], /unknown codex hook event/);
    assert.deepEqual(codex({ ...common, hook_event_name: 'Stop' }).events, []);
  });
});

describe('connectors: Windsurf hooks', () => {
  const common = { trajectory_id: 'traj-1', execution_id: 'exec-1', timestamp: '2026-04-01T08:00:00Z', model_name: 'GPT 4.1' };

  it('pre_user_prompt gives a prompt; pre_write_code a pre_edit', () => {
    const p = only(windsurf({ ...common, agent_action_name: 'pre_user_prompt', tool_info: { user_prompt: 'write a song' } }, opts), 'prompt');
    assert.deepEqual([p.text, p.conversationId, p.time, p.model], ['write a song', 'traj-1', '2026-04-01T08:00:00.000Z', { id: 'GPT 4.1', provider: 'openai' }]);
    const pre = only(windsurf({ ...common, agent_action_name: 'pre_write_code', tool_info: { file_path: '/p/a.py', edits: [] } }, opts), 'pre_edit');
    assert.deepEqual(pre.filePaths, ['/p/a.py']);
  });

  it('post_write_code gives one edit per edit; without edits a file_change', () => {
    const es = edits(windsurf({ ...common, agent_action_name: 'post_write_code', tool_info: { file_path: '/p/a.py', cwd: '/p', edits: [{ old_string: 'import os', new_string: 'import os\nimport sys' }] } }, opts));
    assert.deepEqual(es.map((e) => [e.filePath, e.oldText, e.newText, e.cwd, e.turnId]), [['/p/a.py', 'import os', 'import os\nimport sys', '/p', 'exec-1']]);
    const change = only(windsurf({ ...common, agent_action_name: 'post_write_code', model_name: 'Unknown', tool_info: { file_path: '/p/b.py' } }, opts), 'file_change');
    assert.deepEqual([change.filePaths, change.model], [['/p/b.py'], 'unknown']);
  });

  it('ignores command and read events, warns about unknown ones', () => {
    assert.deepEqual(windsurf({ ...common, agent_action_name: 'post_run_command', tool_info: { command_line: 'ls' } }).events, []);
    assert.match(windsurf({ ...common, agent_action_name: 'post_code_action' }).warnings[0], /unknown windsurf hook event/);
    assert.match(windsurf({ agent_action_name: 'post_write_code', tool_info: { file_path: '/x' } }).warnings[0], /no trajectory_id/);
  });
});

describe('connectors: hook input', () => {
  it('parses stdin for each tool and never throws', () => {
    const r = parseHookInput('cursor', JSON.stringify({ conversation_id: 'c', hook_event_name: 'beforeSubmitPrompt', prompt: 'hi' }), opts);
    assert.equal(r.events.length, 1);
    assert.match(parseHookInput('codex', '{not json').warnings[0], /is not valid JSON/);
    assert.match(parseHookInput('copilot', '   ').warnings[0], /is empty/);
    assert.deepEqual(parseHookInput('claude-code', '[1,2]').events, []);
  });

  it('escapes raw control characters inside strings (Windsurf) before giving up', () => {
    const raw = '{"agent_action_name":"pre_user_prompt","trajectory_id":"t","tool_info":{"user_prompt":"line one\nline\ttwo"}}';
    assert.equal(escapeControlCharactersInStrings('{"a":"x\ny"}\n'), '{"a":"x\\ny"}\n');
    const p = only(parseHookInput('windsurf', raw, opts), 'prompt');
    assert.equal(p.text, 'line one\nline\ttwo');
  });
});
