import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectTranscriptFormat, importTranscriptFile } from '../../src/core/connectors/transcripts/importers';
import { parseHookPayload as parseClaudeHook } from '../../src/core/connectors/hooks/claudeCode';
import { importTranscript as importClaude } from '../../src/core/connectors/transcripts/claudeCode';
import { importTranscript as importCodex } from '../../src/core/connectors/transcripts/codexRollout';
import { importTranscript as importCopilotSession, requestModel } from '../../src/core/connectors/transcripts/copilotChatSession';
import { importTranscript as importEditingSession } from '../../src/core/connectors/transcripts/copilotEditingSession';
import { importTranscript as importWindsurf } from '../../src/core/connectors/transcripts/windsurf';
import { replayMutationLog } from '../../src/core/connectors/transcripts/mutationLog';
import { BinaryTranscriptError, MAX_TRANSCRIPT_LINE_CHARS, readJsonlRecords } from '../../src/core/connectors/transcripts/transcriptText';
import { agentEditToRecords } from '../../src/core/connectors/toRecords';
import type { ConnectorTool, TranscriptImport } from '../../src/core/connectors/types';
import { parseRecord } from '../../src/core/model';
import { loadSqlEngine } from '../../src/core/store/sqlEngine';
import { repoRoot } from './helpers';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'agents');
const FALLBACK = '2026-01-01T00:00:00.000Z';

async function importFixture(tool: ConnectorTool, name: string): Promise<TranscriptImport> {
  const file = path.join(FIXTURES, name);
  const bytes = readFileSync(file);
  return importTranscriptFile(detectTranscriptFormat(tool, file, bytes), bytes, { path: file, fallbackTime: FALLBACK });
}

const jsonl = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

describe('connectors: Claude Code transcripts', () => {
  it('example session: edits with exact ranges, the model of their assistant line, the prompt', async () => {
    const r = await importFixture('claude-code', 'example-claude-code.jsonl');
    assert.deepEqual(r.warnings, []);
    assert.equal(r.prompts.length, 1);
    assert.equal(r.prompts[0].text, 'Make the colors green and yellow');
    assert.equal(r.prompts[0].turnId, '43fb86de-0e88-4ef6-89be-2eca3efe589d');
    assert.equal(r.edits.length, 11, 'the Edit, 9 blocks of the MultiEdit, the second Edit');
    const [first] = r.edits;
    assert.equal(first.filePath, '/Users/aidancunniffe/Desktop/ghq/src/app/globals.css');
    assert.equal(first.conversationId, 'cb947e5b-246e-4253-a953-631f7e464c6b');
    assert.deepEqual(first.model, { id: 'claude-sonnet-4-20250514', provider: 'anthropic' });
    assert.equal(first.prompt?.text, 'Make the colors green and yellow');
    assert.equal(first.toolVersion, '1.0.111');
    assert.equal(first.cwd, '/Users/aidancunniffe/Desktop/ghq');
    assert.equal(first.time, '2025-09-11T13:28:41.522Z');
    assert.deepEqual(first.range, { startLine: 7, endLine: 9 });
    assert.equal(first.newText, '  --green: #7cff7c;\n  --yellow: #ffff7c;\n');
    assert.equal(first.oldText, '');
    const last = r.edits[r.edits.length - 1];
    assert.equal(last.filePath, '/Users/aidancunniffe/Desktop/ghq/src/game/HistoryLog.tsx');
    assert.deepEqual([last.range, last.rangeBefore], [{ startLine: 382, endLine: 384 }, { startLine: 382, endLine: 384 }]);
    assert.ok(r.edits.every((e) => !e.rejected && !e.pendingReview && e.source === 'transcript'));
    const records = agentEditToRecords(first, { repoRoot: '/Users/aidancunniffe/Desktop/ghq' });
    assert.equal(records.edit.file.path, 'src/app/globals.css');
    assert.deepEqual(parseRecord(JSON.parse(JSON.stringify(records.edit))), records.edit);
  });

  it('thinking blocks between tool uses do not disturb pairing', async () => {
    const r = await importFixture('claude-code', 'claude-code-with-thinking.jsonl');
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.range, e.newText], ['/Users/svarlamov/projects/testing-git-2/index.ts', { startLine: 20, endLine: 21 }, "console.log('hello world');\n"]);
    assert.deepEqual(e.model, { id: 'claude-sonnet-4-5-20250929', provider: 'anthropic' });
    assert.equal(e.prompt?.text, 'add another hello world console log to @index.ts ');
  });

  it('a tool use without a result yet is a pending edit', async () => {
    const r = await importFixture('claude-code', 'claude_simple.jsonl');
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.range, e.pendingReview, e.prompt?.text, e.conversationId], ['hello.py', { startLine: 0, endLine: 2 }, true, 'Write a hello world function', 'claude_simple']);
    assert.deepEqual(e.model, { id: 'claude-sonnet-4', provider: 'anthropic' });
  });

  it('detects rejected tool uses, skips failed ones, and ignores tool-result lines as prompts', () => {
    const text = jsonl(
      { type: 'user', sessionId: 's', uuid: 'u1', timestamp: '2026-01-01T00:00:00Z', message: { role: 'user', content: [{ type: 'text', text: 'rename it' }] } },
      { type: 'assistant', sessionId: 's', timestamp: '2026-01-01T00:00:01Z', message: { model: 'claude-opus-4-1', content: [{ type: 'tool_use', id: 't1', name: 'Edit', input: { file_path: '/r/a.ts', old_string: 'a', new_string: 'b' } }] } },
      { type: 'user', sessionId: 's', timestamp: '2026-01-01T00:00:02Z', message: { content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: "The user doesn't want to proceed with this tool use. The tool use was rejected." }] }, toolUseResult: 'User rejected tool use' },
      { type: 'assistant', sessionId: 's', timestamp: '2026-01-01T00:00:03Z', message: { model: 'claude-opus-4-1', content: [{ type: 'tool_use', id: 't2', name: 'Edit', input: { file_path: '/r/a.ts', old_string: 'zz', new_string: 'b' } }] } },
      { type: 'user', sessionId: 's', timestamp: '2026-01-01T00:00:04Z', message: { content: [{ type: 'tool_result', tool_use_id: 't2', is_error: true, content: 'String to replace not found in file.' }] } },
      { type: 'user', sessionId: 's', isMeta: true, timestamp: '2026-01-01T00:00:05Z', message: { content: 'Caveat: injected by the system' } },
    );
    const r = importClaude(text, { path: '/p/s.jsonl' });
    assert.deepEqual(r.prompts.map((p) => p.text), ['rename it']);
    assert.equal(r.edits.length, 1);
    assert.deepEqual([r.edits[0].rejected, r.edits[0].oldText, r.edits[0].newText, r.edits[0].time], [true, 'a', 'b', '2026-01-01T00:00:02.000Z']);
    assert.equal(agentEditToRecords(r.edits[0], { repoRoot: '/r' }).edit.disposition, 'rejected');
  });

  it('a subagent transcript belongs to the agent, its session to the parent (from the path or the lines)', () => {
    const line = { type: 'assistant', timestamp: '2026-01-01T00:00:01Z', message: { model: 'claude-haiku-4-5', content: [{ type: 'tool_use', id: 't9', name: 'Write', input: { file_path: '/r/x.md', content: 'x\n' } }] } };
    const fromPath = importClaude(jsonl(line), { path: '/h/.claude/projects/-r/parent-1/subagents/agent-ab12.jsonl' });
    assert.deepEqual([fromPath.edits[0].conversationId, fromPath.edits[0].parentConversationId], ['ab12', 'parent-1']);
    const fromLine = importClaude(jsonl({ ...line, sessionId: 'parent-2', agentId: 'cd34' }), { path: '/h/.claude/projects/-r/parent-2/subagents/agent-cd34.jsonl' });
    assert.deepEqual([fromLine.edits[0].conversationId, fromLine.edits[0].parentConversationId], ['cd34', 'parent-2']);
  });

  it('the PostToolUse hook and the transcript name the same edit with the same ids', async () => {
    const lines = readFileSync(path.join(FIXTURES, 'example-claude-code.jsonl'), 'utf8').split('\n');
    const use = JSON.parse(lines[13]) as { sessionId: string; cwd: string; message: { content: { id: string; name: string; input: unknown }[] } };
    const answer = JSON.parse(lines[14]) as { toolUseResult: unknown };
    const [block] = use.message.content;
    const hook = parseClaudeHook({ hook_event_name: 'PostToolUse', session_id: use.sessionId, cwd: use.cwd, tool_name: block.name, tool_use_id: block.id, tool_input: block.input, tool_response: answer.toolUseResult });
    const fromTranscript = (await importFixture('claude-code', 'example-claude-code.jsonl')).edits.filter((e) => e.detail?.startsWith('transcript line 14 '));
    assert.equal(fromTranscript.length, 1);
    assert.deepEqual(hook.events.map((e) => e.kind === 'edit' && [e.stableId, e.range]), [[fromTranscript[0].stableId, fromTranscript[0].range]]);
  });

  it('an import twice gives the same stable ids', async () => {
    const a = await importFixture('claude-code', 'example-claude-code.jsonl');
    const b = await importFixture('claude-code', 'example-claude-code.jsonl');
    assert.deepEqual(a.edits.map((e) => e.stableId), b.edits.map((e) => e.stableId));
    assert.equal(new Set(a.edits.map((e) => e.stableId)).size, a.edits.length);
  });
});

describe('connectors: transcript reading', () => {
  it('skips the line still being written with a warning, not an error', () => {
    const text = jsonl({ type: 'user', sessionId: 's', message: { content: 'hello' }, timestamp: '2026-01-01T00:00:00Z' }) + '{"type":"assistant","mess';
    const r = importClaude(text, { path: '/p/s.jsonl' });
    assert.deepEqual(r.warnings, [{ line: 2, message: 'incomplete last line, skipped' }]);
    assert.equal(r.prompts.length, 1);
  });

  it('names bad middle lines and keeps going', () => {
    const { records, warnings } = readJsonlRecords('{"a":1}\nnot json\n\n{"b":2}\n');
    assert.deepEqual(records.map((r) => r.line), [1, 4]);
    assert.deepEqual(warnings, [{ line: 2, message: 'line 2 is not valid JSON: skipped' }]);
  });

  it('skips huge lines with a warning naming the line', () => {
    const huge = `{"x":"${'a'.repeat(MAX_TRANSCRIPT_LINE_CHARS)}"}`;
    const { records, warnings } = readJsonlRecords(`{"a":1}\n${huge}\n{"b":2}\n`);
    assert.equal(records.length, 2);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].line, 2);
    assert.match(warnings[0].message, /^line 2 is \d+ characters, over the 8388608 limit: skipped$/);
  });

  it('refuses binary files clearly', async () => {
    assert.throws(() => importClaude(new Uint8Array([0x7b, 0x00, 0x7d]), { path: '/p/x.jsonl' }), BinaryTranscriptError);
    const db = readFileSync(path.join(FIXTURES, 'cursor_state.vscdb'));
    await assert.rejects(importTranscriptFile('codex-rollout', db, { path: 'state.vscdb' }), /is a binary file \(it contains NUL bytes\), not a text transcript/);
  });

  it('dates records of transcripts without timestamps with the fallback, or now with a warning', () => {
    const text = jsonl({ type: 'user_input', user_input: { user_response: 'hi' } });
    assert.equal(importWindsurf(text, { path: '/t/traj.jsonl', fallbackTime: FALLBACK }).prompts[0].time, FALLBACK);
    const r = importWindsurf(text, { path: '/t/traj.jsonl' });
    assert.match(r.warnings[0].message, /no timestamps and no fallback time/);
  });
});

describe('connectors: Cursor transcripts', () => {
  it('agent transcript jsonl: Write with every line new, prompt unwrapped, conversation from the file name', async () => {
    const r = await importFixture('cursor', 'cursor-session-simple.jsonl');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.prompts.map((p) => p.text), ["Generate a file with all the HBO shows from the 90's in it"]);
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.range, e.model, e.conversationId, e.time], ['/Users/aidancunniffe/Desktop/testing-gitflows-git-ai/hbo-shows-1990s.txt', { startLine: 0, endLine: 104 }, 'unknown', 'cursor-session-simple', FALLBACK]);
    assert.ok(e.newText.startsWith('HBO shows that aired during the 1990s'));
  });

  it('state.vscdb: apply_patch diff chunks as exact ranges, model gpt-5, the turn prompt', async () => {
    const r = await importFixture('cursor', 'cursor_state.vscdb');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.prompts.map((p) => p.text.slice(0, 40)), ['Give me the queries used in the cursor s', 'For the code present, we get this error:']);
    assert.deepEqual(r.prompts[0].model, { id: 'gpt-5', provider: 'openai' });
    assert.equal(r.edits.length, 4);
    assert.deepEqual(r.edits.map((e) => e.range), [
      { startLine: 383, endLine: 384 },
      { startLine: 385, endLine: 386 },
      { startLine: 407, endLine: 408 },
      { startLine: 412, endLine: 413 },
    ]);
    const [e] = r.edits;
    assert.equal(e.filePath, '/Users/svarlamov/projects/git-ai/src/commands/checkpoint_agent/agent_preset.rs');
    assert.equal(e.conversationId, '00812842-49fe-4699-afae-bb22cda3f6e1');
    assert.deepEqual(e.model, { id: 'gpt-5', provider: 'openai' });
    assert.equal(e.time, '2025-10-07T19:02:26.657Z');
    assert.equal(e.turnId, 'e7501a20-06a4-4322-a4dc-ba00b267e63f');
    assert.match(e.prompt?.text ?? '', /^For the code present, we get this error:/);
    assert.match(e.newText, /bubble_created_at\.clone\(\)\)\);\n$/);
    assert.match(e.oldText ?? '', /bubble_created_at\)\);\n$/);
    assert.ok(r.edits.every((x) => !x.rejected && !x.pendingReview));
  });

  it('state.vscdb of an older Cursor (bubbles inline), with a rejected edit', async () => {
    const SQL = await loadSqlEngine();
    const db = new SQL.Database();
    db.run('CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)');
    const composer = {
      composerId: 'old-1',
      createdAt: 1735689600000,
      modelConfig: { modelName: 'claude-3.5-sonnet' },
      conversation: [
        { bubbleId: 'b1', type: 1, text: 'make it faster' },
        { bubbleId: 'b2', type: 2, toolFormerData: { name: 'search_replace', toolCallId: 'tc1', status: 'completed', userDecision: 'rejected', rawArgs: JSON.stringify({ file_path: '/w/a.ts', old_string: 'slow()', new_string: 'fast()' }) } },
        { bubbleId: 'b3', type: 2, toolFormerData: { name: 'read_file', status: 'completed', rawArgs: '{}' } },
      ],
    };
    db.run('INSERT INTO cursorDiskKV VALUES (?, ?)', ['composerData:old-1', JSON.stringify(composer)]);
    const bytes = db.export();
    db.close();
    const r = await importTranscriptFile('cursor-state-db', bytes, { path: 'state.vscdb' });
    assert.deepEqual(r.prompts.map((p) => [p.text, p.time]), [['make it faster', '2025-01-01T00:00:00.000Z']]);
    assert.deepEqual(r.edits.map((e) => [e.filePath, e.oldText, e.newText, e.rejected, e.conversationId, e.prompt?.text]), [['/w/a.ts', 'slow()', 'fast()', true, 'old-1', 'make it faster']]);
    assert.deepEqual(r.edits[0].model, { id: 'claude-3.5-sonnet', provider: 'anthropic' });
  });

  it('refuses a file that is not SQLite as a state database', async () => {
    await assert.rejects(importTranscriptFile('cursor-state-db', new TextEncoder().encode('{}'), { path: 'x.vscdb' }), /not an SQLite database/);
  });
});

describe('connectors: Copilot transcripts', () => {
  it('chatSessions .json: textEditGroup edits with landing lines, per-request model, prompts', async () => {
    const r = await importFixture('copilot', 'copilot_session_simple.json');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.prompts.map((p) => p.text), ['What can you help me with?', 'Change Bonjour World to hello world', 'Search for any other mentions of Bonjour']);
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.range, e.rangeBefore, e.oldText, e.conversationId, e.turnId, e.toolVersion, e.time], [
      '/Users/svarlamov/projects/testing-git/index.ts',
      { startLine: 4, endLine: 10 },
      { startLine: 4, endLine: 10 },
      undefined,
      '331fed7f-cfd6-409c-8502-06a56322b636',
      'request_e838f1ef-f292-49ab-92fc-3317408b67f1',
      '0.31.5',
      '2025-10-07T13:51:41.282Z',
    ]);
    assert.deepEqual(e.model, { id: 'claude-sonnet-4', provider: 'anthropic' });
    assert.equal(e.prompt?.text, 'Change Bonjour World to hello world');
    assert.match(e.newText, /console\.log\('hello world'\);$/);
  });

  it('the .jsonl mutation log gives the same edits and ids as the .json', async () => {
    const a = await importFixture('copilot', 'copilot_session_simple.json');
    const b = await importFixture('copilot', 'copilot_session_simple.jsonl');
    assert.deepEqual(b.edits, a.edits);
    assert.deepEqual(b.prompts, a.prompts);
  });

  it('resolves copilot/auto from the result details', () => {
    const text = readFileSync(path.join(FIXTURES, 'copilot_chat_session_lookup_auto.jsonl'), 'utf8');
    const state = replayMutationLog(readJsonlRecords(text).records, []);
    const request = (state?.requests as unknown[])[0] as Parameters<typeof requestModel>[0];
    assert.deepEqual(requestModel(request), { id: 'claude-sonnet-4.5', provider: 'anthropic' });
    assert.deepEqual(requestModel({ modelId: 'copilot/auto', result: { metadata: { resolvedModel: 'gpt-5-mini' } } }), { id: 'gpt-5-mini', provider: 'openai' });
  });

  it('warns once when a mutation log has no initial state', () => {
    const warnings: { line?: number; message: string }[] = [];
    assert.equal(replayMutationLog(readJsonlRecords(jsonl({ kind: 1, k: ['a'], v: 1 }, { kind: 1, k: ['b'], v: 2 })).records, warnings), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /^line 1 changes a state that has no initial entry/);
  });

  it('replays set, push (with truncation) and delete; an Undo in the next request rejects the edits', () => {
    const uri = { $mid: 1, scheme: 'file', path: '/w/a.ts', fsPath: '/w/a.ts' };
    const group = { kind: 'textEditGroup', uri, edits: [[{ text: 'x\n', range: { startLineNumber: 2, startColumn: 1, endLineNumber: 2, endColumn: 1 } }]], done: true };
    const text = jsonl(
      { kind: 0, v: { sessionId: 'cs-1', requests: [] } },
      { kind: 2, k: ['requests'], v: [{ requestId: 'r0', timestamp: 1767225600000, modelId: 'copilot/gpt-4.1', message: { text: 'draft' }, response: [] }] },
      { kind: 2, k: ['requests'], v: [{ requestId: 'r1', timestamp: 1767225600000, modelId: 'copilot/gpt-4.1', message: { text: 'add x' }, response: [] }], i: 0 },
      { kind: 2, k: ['requests', 0, 'response'], v: [group] },
      { kind: 1, k: ['requests', 0, 'temporary'], v: true },
      { kind: 3, k: ['requests', 0, 'temporary'] },
      { kind: 2, k: ['requests'], v: [{ requestId: 'r2', timestamp: 1767225660000, modelId: 'copilot/gpt-4.1', message: { text: 'next' }, editedFileEvents: [{ uri, eventKind: 2 }], response: [] }] },
      { kind: 9, k: ['x'], v: 1 },
    );
    const r = importCopilotSession(text, { path: '/ws/chatSessions/cs-1.jsonl' });
    assert.deepEqual(r.warnings, [{ line: 8, message: 'line 8 has an unknown mutation kind: skipped' }]);
    assert.deepEqual(r.prompts.map((p) => p.text), ['add x', 'next'], 'the truncating push replaced the draft');
    assert.equal(r.edits.length, 1);
    assert.deepEqual([r.edits[0].range, r.edits[0].rejected, r.edits[0].turnId], [{ startLine: 1, endLine: 2 }, true, 'r1']);
    assert.deepEqual(r.edits[0].model, { id: 'gpt-4.1', provider: 'openai' });
  });

  it('chatEditingSessions state.json: replays operations on baselines for exact replaced text and lines', () => {
    const uri = { $mid: 1, scheme: 'file', path: '/w/a.ts', fsPath: '/w/a.ts' };
    const state = {
      version: 2,
      timeline: {
        fileBaselines: [['file:///w/a.ts::r1', { uri, requestId: 'r1', content: 'one\ntwo\nthree\n', epoch: 0 }]],
        operations: [
          { type: 'textEdit', uri, requestId: 'r1', epoch: 2, edits: [{ text: 'TWO\n2b\n', range: { startLineNumber: 2, startColumn: 1, endLineNumber: 3, endColumn: 1 } }] },
          { type: 'create', uri: { scheme: 'file', path: '/w/new.ts', fsPath: '/w/new.ts' }, requestId: 'r1', epoch: 1, initialContent: 'n\n' },
          { type: 'textEdit', uri, requestId: 'r2', epoch: 3, edits: [{ text: '', range: { startLineNumber: 1, startColumn: 1, endLineNumber: 2, endColumn: 1 } }] },
        ],
        checkpoints: [],
        currentEpoch: 3,
        epochCounter: 4,
      },
    };
    const r = importEditingSession(JSON.stringify(state), { path: '/ws/chatEditingSessions/chat-9/state.json', fallbackTime: FALLBACK });
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.edits.map((e) => [e.filePath, e.oldText, e.newText, e.range, e.rangeBefore, e.turnId, e.conversationId]),
      [
        ['/w/new.ts', undefined, 'n\n', { startLine: 0, endLine: 1 }, undefined, 'r1', 'chat-9'],
        ['/w/a.ts', 'two\n', 'TWO\n2b\n', { startLine: 1, endLine: 3 }, { startLine: 1, endLine: 2 }, 'r1', 'chat-9'],
        ['/w/a.ts', 'one\n', '', { startLine: 0, endLine: 0 }, { startLine: 0, endLine: 1 }, 'r2', 'chat-9'],
      ],
    );
    assert.match(importEditingSession('{"version":1}', { path: '/ws/chatEditingSessions/c/state.json' }).warnings[0].message, /no timeline of operations/);
  });

  it('the agent event stream: the apply_patch request that completed', async () => {
    const r = await importFixture('copilot', 'copilot_vscode_event_stream.jsonl');
    assert.deepEqual(r.prompts.map((p) => p.text), ['Add a comment to the file']);
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.oldText, e.newText, e.conversationId, e.toolVersion, e.prompt?.text], ['/Users/test/project/src/main.ts', '', '// Entry point\n', '5fcddc54-3ba1-4fc4-88ac-86bd2ce74c19', '0.47.0', 'Add a comment to the file']);
  });
});

describe('connectors: Codex rollouts', () => {
  it('apply_patch call with the turn model, provider, prompt and session id', async () => {
    const r = await importFixture('codex', 'codex-session-simple.jsonl');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.prompts.map((p) => [p.text, p.turnId]), [['Refactor src/main.rs to add a greeting function.', 'turn-1']]);
    assert.equal(r.edits.length, 1);
    const [e] = r.edits;
    assert.deepEqual([e.filePath, e.cwd, e.oldText, e.newText, e.turnId, e.conversationId, e.toolVersion, e.time], [
      'src/main.rs',
      '/Users/test/projects/git-ai',
      'fn main() {}\n',
      'fn greet() { println!("hello"); }\nfn main() { greet(); }\n',
      'turn-1',
      '019c4b43-1451-7af3-be4c-5576369bf1ba',
      '0.99.0-alpha.24',
      '2026-02-11T05:53:33.420Z',
    ]);
    assert.deepEqual(e.model, { id: 'gpt-5-codex', provider: 'openai' });
    assert.equal(agentEditToRecords(e, { repoRoot: '/Users/test/projects/git-ai' }).edit.file.path, 'src/main.rs');
  });

  it('prefers patch_apply_begin unified diffs, drops failed patches, marks rejected calls, skips injected context', () => {
    const patch = (file: string) => `*** Begin Patch\n*** Update File: ${file}\n@@\n-a\n+b\n*** End Patch`;
    const text = jsonl(
      { timestamp: '2026-02-01T00:00:00Z', type: 'session_meta', payload: { id: 'sess-x', cwd: '/r', cli_version: '0.50.0', model_provider: 'openai' } },
      { timestamp: '2026-02-01T00:00:01Z', type: 'turn_context', payload: { cwd: '/r', model: 'o3' } },
      { timestamp: '2026-02-01T00:00:01Z', type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>\n  <cwd>/r</cwd>\n</environment_context>' }] } },
      { timestamp: '2026-02-01T00:00:02Z', type: 'event_msg', payload: { type: 'user_message', message: 'fix it' } },
      { timestamp: '2026-02-01T00:00:02Z', type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] } },
      { timestamp: '2026-02-01T00:00:03Z', type: 'response_item', payload: { type: 'custom_tool_call', name: 'apply_patch', call_id: 'c1', input: patch('x.txt') } },
      { timestamp: '2026-02-01T00:00:03Z', type: 'event_msg', payload: { type: 'patch_apply_begin', call_id: 'c1', changes: { '/r/x.txt': { type: 'update', unified_diff: '@@ -1,3 +1,3 @@\n keep\n-a\n+b\n keep\n' } } } },
      { timestamp: '2026-02-01T00:00:04Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: 'c2', arguments: JSON.stringify({ command: ['apply_patch', patch('y.txt')] }) } },
      { timestamp: '2026-02-01T00:00:04Z', type: 'event_msg', payload: { type: 'patch_apply_end', call_id: 'c2', success: false, stderr: 'failed' } },
      { timestamp: '2026-02-01T00:00:05Z', type: 'response_item', payload: { type: 'function_call', name: 'apply_patch', call_id: 'c3', arguments: JSON.stringify({ input: patch('z.txt') }) } },
      { timestamp: '2026-02-01T00:00:06Z', type: 'response_item', payload: { type: 'function_call_output', call_id: 'c3', output: 'patch rejected by user' } },
    );
    const r = importCodex(text, { path: '/h/.codex/sessions/2026/02/01/rollout-2026-02-01T00-00-00-sess.jsonl' });
    assert.deepEqual(r.prompts.map((p) => p.text), ['fix it']);
    assert.deepEqual(
      r.edits.map((e) => [e.filePath, e.range, e.rejected, e.conversationId]),
      [
        ['/r/x.txt', { startLine: 1, endLine: 2 }, false, 'sess-x'],
        ['z.txt', undefined, true, 'sess-x'],
      ],
    );
    assert.deepEqual(r.edits[0].model, { id: 'o3', provider: 'openai' });
  });

  it('finds apply_patch run through a shell heredoc', () => {
    const heredoc = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: notes.md\n+hello\n*** End Patch\nEOF";
    const text = jsonl(
      { timestamp: '2026-02-01T00:00:00Z', type: 'turn_context', payload: { cwd: '/r', model: 'gpt-5' } },
      { timestamp: '2026-02-01T00:00:01Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: 'c9', arguments: JSON.stringify({ command: ['bash', '-lc', heredoc] }) } },
      { timestamp: '2026-02-01T00:00:02Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: 'c10', arguments: JSON.stringify({ command: ['ls', '-la'] }) } },
    );
    const r = importCodex(text, { path: '/h/rollout-x.jsonl' });
    assert.deepEqual(r.edits.map((e) => [e.filePath, e.newText, e.range, e.cwd]), [['notes.md', 'hello\n', { startLine: 0, endLine: 1 }, '/r']]);
  });
});

describe('connectors: Windsurf transcripts', () => {
  it('code_action: whole-file contents diffed into exact blocks, acceptance from acknowledgement_type', async () => {
    const r = await importFixture('windsurf', 'windsurf-session-simple.jsonl');
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.prompts.map((p) => p.text), ['Write a song in @[xyz.md] ', 'Eraase rewrite you cand o bettter', '@[xyz.md] ', 'call some tools :) ']);
    const first = r.edits[0];
    assert.deepEqual([first.filePath, first.range, first.rangeBefore, first.conversationId, first.prompt?.text, first.model], [
      '/Users/aidancunniffe/Desktop/testing-gitflows-git-ai/xyz.md',
      { startLine: 1, endLine: 75 },
      { startLine: 1, endLine: 1 },
      'windsurf-session-simple',
      'Write a song in @[xyz.md] ',
      'unknown',
    ]);
    assert.ok(first.newText.startsWith('\n## The Code That Never Sleeps\n'));
    assert.ok(r.edits.every((e) => !e.rejected && !e.pendingReview));
    assert.ok(r.edits.slice(1).every((e) => e.prompt?.text === '@[xyz.md] '));
  });

  it('a rejected code action is rejected; one without acknowledgement is pending', () => {
    const action = (ack?: string) => ({ type: 'code_action', code_action: { path: 'file:///p/a.md', original_content: 'a\n', new_content: 'a\nb\n', ...(ack ? { acknowledgement_type: ack } : {}) } });
    const r = importWindsurf(jsonl(action('ACKNOWLEDGEMENT_TYPE_REJECT'), action()), { path: '/t/x.jsonl', fallbackTime: FALLBACK });
    assert.deepEqual(r.edits.map((e) => [e.filePath, e.range, e.rejected, e.pendingReview === true]), [
      ['/p/a.md', { startLine: 1, endLine: 2 }, true, false],
      ['/p/a.md', { startLine: 1, endLine: 2 }, false, true],
    ]);
  });
});
