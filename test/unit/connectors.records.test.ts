import * as assert from 'node:assert/strict';
import { conversationSessionId } from '../../src/core/capture/sessions';
import { agentEditToRecords, agentPromptToPrompt, editRecordId, fileUriToPath, PathOutsideRootError, recordFilePath } from '../../src/core/connectors/toRecords';
import type { AgentEdit } from '../../src/core/connectors/types';
import { editToAgentTrace, parseRecord, sha256Hex } from '../../src/core/model';

function edit(overrides: Partial<AgentEdit> = {}): AgentEdit {
  return {
    kind: 'edit',
    tool: 'claude-code',
    toolVersion: '2.0.69',
    model: { id: 'claude-sonnet-4-5-20250929', provider: 'anthropic' },
    prompt: { text: 'add a greeting', turnId: 'u1', time: '2026-01-02T03:04:05.000Z' },
    conversationId: 'sess-1',
    filePath: '/work/repo/src/main.ts',
    cwd: '/work/repo',
    oldText: '',
    newText: 'console.log("hi");\n',
    range: { startLine: 20, endLine: 21 },
    rangeBefore: { startLine: 20, endLine: 20 },
    rejected: false,
    time: '2026-01-02T03:04:06.000Z',
    source: 'hook',
    stableId: sha256Hex('x'),
    detail: 'PostToolUse Edit',
    ...overrides,
  };
}

describe('connectors: agent edits to records', () => {
  it('builds valid schema-v1 edit and session records', () => {
    const { edit: e, session } = agentEditToRecords(edit(), { repoRoot: '/work/repo', repo: { id: 'r1' }, acceptor: { osUser: 'dana' }, branch: 'main' });
    assert.deepEqual(parseRecord(JSON.parse(JSON.stringify(e))), e);
    assert.deepEqual(parseRecord(JSON.parse(JSON.stringify(session))), session);
    assert.equal(e.file.path, 'src/main.ts');
    assert.deepEqual(e.file.repo, { id: 'r1' });
    assert.equal(e.file.branch, 'main');
    assert.deepEqual(e.tool, { name: 'claude-code', version: '2.0.69' });
    assert.deepEqual(e.rangeAfter, { start: { line: 20, character: 0 }, end: { line: 21, character: 0 } });
    assert.deepEqual(e.rangeBefore, { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } });
    assert.deepEqual(e.capture, { method: 'hook', confidence: 1, detail: 'PostToolUse Edit' });
    assert.equal(e.disposition, 'accepted');
    assert.deepEqual(e.acceptor, { osUser: 'dana' });
    assert.equal(e.insertedText.form === 'text' && e.insertedText.text, 'console.log("hi");\n');
    assert.equal(e.contentHash, sha256Hex('console.log("hi");\n'));
    assert.equal(e.prompt?.content.form === 'text' && e.prompt.content.text, 'add a greeting');
    assert.equal(e.prompt?.turnId, 'u1');
    assert.equal(session.id, e.sessionId);
    assert.equal(session.conversationId, 'sess-1');
    assert.deepEqual(session.files, ['src/main.ts']);
    assert.deepEqual(session.counts, { linesAdded: 1, linesKept: 1, linesRejected: 0 });
    // Agent Trace attributes exactly line 21 (1-based).
    assert.deepEqual(editToAgentTrace(e, 'id')?.files[0].conversations[0].ranges[0].start_line, 21);
  });

  it('derives the record id from the stable id only, and the session id like the editor does', () => {
    const a = agentEditToRecords(edit(), { repoRoot: '/work/repo' });
    const b = agentEditToRecords(edit({ time: '2027-01-01T00:00:00.000Z' }), { repoRoot: '/work/repo' });
    assert.equal(a.edit.id, b.edit.id);
    assert.equal(a.edit.id, editRecordId(sha256Hex('x')));
    assert.equal(a.edit.sessionId, conversationSessionId('claude-code', 'sess-1'));
    const sub = agentEditToRecords(edit({ conversationId: 'agent-7', parentConversationId: 'sess-1' }), { repoRoot: '/work/repo' });
    assert.equal(sub.edit.sessionId, conversationSessionId('claude-code', 'sess-1'), 'a subagent edit belongs to its parent session');
    assert.equal(sub.session.conversationId, 'sess-1');
  });

  it('maps rejected and pending edits to their dispositions and counts', () => {
    const rejected = agentEditToRecords(edit({ rejected: true }), { repoRoot: '/work/repo' });
    assert.equal(rejected.edit.disposition, 'rejected');
    assert.deepEqual(rejected.session.counts, { linesAdded: 1, linesKept: 0, linesRejected: 1 });
    assert.equal(editToAgentTrace(rejected.edit), null);
    assert.equal(agentEditToRecords(edit({ pendingReview: true }), { repoRoot: '/work/repo' }).edit.disposition, 'pending');
  });

  it('records an edit without a position as empty ranges that attribute no line, and says so', () => {
    const { edit: e } = agentEditToRecords(edit({ range: undefined, rangeBefore: undefined, oldText: undefined }), { repoRoot: '/work/repo' });
    assert.deepEqual(e.rangeAfter, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.deepEqual(e.deletedText, { form: 'none' });
    assert.equal(e.capture.detail, 'PostToolUse Edit; position unknown');
    assert.equal(editToAgentTrace(e), null);
  });

  it('makes paths relative to the repo root, else the cwd, and refuses paths outside both', () => {
    assert.equal(recordFilePath('/work/repo/a/b.ts', '/work/repo', '/elsewhere'), 'a/b.ts');
    assert.equal(recordFilePath('/tmp/scratch/x.ts', '/work/repo', '/tmp/scratch'), 'x.ts');
    assert.equal(recordFilePath('src/x.ts', '/work/repo', '/work/repo'), 'src/x.ts');
    assert.equal(recordFilePath('src/x.ts', '/work/repo', '/work/repo/pkg'), 'pkg/src/x.ts');
    assert.equal(recordFilePath('src/x.ts'), 'src/x.ts');
    assert.equal(recordFilePath('file:///work/repo/a%20b.ts', '/work/repo'), 'a b.ts');
    assert.equal(recordFilePath('C:\\Users\\dana\\repo\\src\\x.ts', 'c:/Users/dana/repo'), 'src/x.ts');
    for (const [p, root, cwd] of [
      ['/etc/passwd', '/work/repo', '/work/repo'],
      ['../outside.ts', undefined, undefined],
      ['/work/repo-other/x.ts', '/work/repo', undefined],
      ['/work/repo/../secret.ts', '/work/repo', undefined],
      ['/abs/no/root.ts', undefined, undefined],
    ] as const) {
      assert.throws(() => recordFilePath(p, root, cwd), PathOutsideRootError, p);
    }
    assert.throws(() => agentEditToRecords(edit({ filePath: '/etc/hosts' }), { repoRoot: '/work/repo' }), /outside the repository root and the agent's cwd/);
  });

  it('converts file URIs and prompt events', () => {
    assert.equal(fileUriToPath('file:///c%3A/Users/x.ts'), 'c:/Users/x.ts');
    assert.equal(fileUriToPath('/plain/path'), '/plain/path');
    const p = agentPromptToPrompt({ kind: 'prompt', tool: 'cursor', conversationId: 'c', text: 'hi', time: '2026-01-01T00:00:00.000Z', source: 'hook', stableId: 's', turnId: 'g1' });
    assert.deepEqual(p, { content: { form: 'text', text: 'hi', sha256: sha256Hex('hi') }, source: 'hook', turnId: 'g1', time: '2026-01-01T00:00:00.000Z' });
  });
});
