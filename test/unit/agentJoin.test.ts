import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AGENT_JOIN_WINDOW_MS, joinAgentEdit, pickAgentEdit } from '../../src/core/capture/agentJoin';
import type { ObservedChange } from '../../src/core/capture/classifier';
import { type AgentEditSource, CapturePipeline } from '../../src/core/capture/pipeline';
import { announcedEdit, announceEdit, findInflightEdits, inflightDir, sweepInflight } from '../../src/core/hookState/inflightEdits';
import { sha256Hex, textContent } from '../../src/core/model/content';
import { parseRecord, type EditEvent, type ProvenanceRecord, SCHEMA_ID } from '../../src/core/model';

const pos = (line: number, character: number) => ({ line, character });
const repo = { id: 'r1' };

function agentEdit(over: Partial<EditEvent> & { text: string; line: number }): EditEvent {
  const { text, line, ...rest } = over;
  const lines = text.split('\n');
  return parseRecord({
    schema: SCHEMA_ID,
    kind: 'edit',
    id: `ed_agent_${line}_${text.length}`,
    time: new Date(10_500).toISOString(),
    tool: { name: 'claude-code', version: '2.0.14' },
    model: { id: 'claude-sonnet-4-5', provider: 'anthropic' },
    prompt: { content: { form: 'redacted', text: 'Add retries', sha256: sha256Hex('Add retries'), redactions: 0 }, source: 'hook' },
    sessionId: 'ses_conv_1',
    file: { path: 'src/a.ts', repo },
    rangeBefore: { start: pos(line, 0), end: pos(line, 0) },
    rangeAfter: { start: pos(line, 0), end: pos(line + lines.length - 1, lines.at(-1)!.length) },
    insertedText: { form: 'redacted', text, sha256: sha256Hex(text), redactions: 0 },
    deletedText: { form: 'text', text: 'old();', sha256: sha256Hex('old();') },
    contentHash: sha256Hex(text),
    disposition: 'accepted',
    acceptor: { osUser: 'hook-user' },
    capture: { method: 'hook', confidence: 1, detail: 'PostToolUse Edit' },
    review: { status: 'unreviewed' },
    ...rest,
  }) as EditEvent;
}

function editorEdit(text: string, line: number, over: Partial<EditEvent> = {}): EditEvent {
  const lines = text.split('\n');
  return parseRecord({
    schema: SCHEMA_ID,
    kind: 'edit',
    id: 'ed_editor_1',
    time: new Date(10_000).toISOString(),
    tool: { name: 'external' },
    model: 'unknown',
    prompt: null,
    sessionId: 'ses_editor',
    file: { path: 'src/a.ts', repo },
    rangeBefore: { start: pos(line, 0), end: pos(line + 1, 0) },
    rangeAfter: { start: pos(line, 0), end: pos(line + lines.length - 1, lines.at(-1)!.length) },
    insertedText: textContent(text),
    deletedText: { form: 'none' },
    contentHash: sha256Hex(text),
    disposition: 'pending',
    acceptor: { osUser: 'dana', gitName: 'Dana' },
    capture: { method: 'external', confidence: 0.3 },
    review: { status: 'unreviewed' },
    ...over,
  }) as EditEvent;
}

describe('agent join: which agent report an editor change is', () => {
  it('picks the report with the same text, even among reports with overlapping lines', () => {
    const same = agentEdit({ text: 'retry();\nbackoff();', line: 4 });
    const overlapping = agentEdit({ text: 'other();', line: 5, id: 'ed_other' });
    assert.equal(pickAgentEdit(editorEdit('retry();\nbackoff();', 4), [overlapping, same])?.id, same.id);
  });

  it('takes a report whose text lies inside the block the editor saw, or one on overlapping lines', () => {
    const inner = agentEdit({ text: 'retry();', line: 4 });
    assert.equal(pickAgentEdit(editorEdit('  retry();\n  more();', 4), [inner])?.id, inner.id);
    const hashed = agentEdit({ text: 'x', line: 4, insertedText: { form: 'hash', sha256: sha256Hex('zzz') }, contentHash: sha256Hex('zzz') });
    assert.equal(pickAgentEdit(editorEdit('completely different', 4), [hashed])?.id, hashed.id, 'lines overlap');
    assert.equal(pickAgentEdit(editorEdit('completely different', 9), [hashed]), undefined, 'no line in common');
  });

  it('never joins another file, a rejected or already joined report, a non-agent record, or one far away in time', () => {
    const base = editorEdit('retry();', 4);
    const cases: [string, EditEvent][] = [
      ['other path', agentEdit({ text: 'retry();', line: 4, file: { path: 'src/b.ts', repo } })],
      ['other repository', agentEdit({ text: 'retry();', line: 4, file: { path: 'src/a.ts', repo: { id: 'r2' } } })],
      ['rejected', agentEdit({ text: 'retry();', line: 4, disposition: 'rejected' })],
      ['editor-made', agentEdit({ text: 'retry();', line: 4, capture: { method: 'keybinding', confidence: 0.98 } })],
      ['too late', agentEdit({ text: 'retry();', line: 4, time: new Date(10_000 + AGENT_JOIN_WINDOW_MS + 1).toISOString() })],
    ];
    for (const [name, candidate] of cases) assert.equal(pickAgentEdit(base, [candidate]), undefined, name);
    const ok = agentEdit({ text: 'retry();', line: 4 });
    assert.equal(pickAgentEdit(base, [ok], new Set([ok.id])), undefined, 'already joined');
    assert.equal(pickAgentEdit(base, [ok])?.id, ok.id);
  });

  it('merges into the agent record: its id, prompt, model and session; the editor range, text and acceptor', () => {
    const agent = agentEdit({ text: 'retry();', line: 4 });
    const editor = editorEdit('  retry();\n', 4);
    const joined = joinAgentEdit(agent, editor);
    parseRecord(joined);
    assert.equal(joined.id, agent.id);
    assert.deepEqual([joined.tool, joined.model, joined.prompt, joined.sessionId], [agent.tool, agent.model, agent.prompt, agent.sessionId]);
    assert.deepEqual([joined.rangeAfter, joined.insertedText, joined.contentHash], [editor.rangeAfter, editor.insertedText, editor.contentHash]);
    assert.deepEqual(joined.deletedText, agent.deletedText, 'the editor did not know the replaced text');
    assert.deepEqual(joined.acceptor, editor.acceptor);
    assert.deepEqual(joined.capture, { method: 'hook', confidence: 1, detail: "PostToolUse Edit; joined with the change the editor saw" });
  });
});

describe('agent announcements (inflight markers)', () => {
  const home = () => mkdtempSync(path.join(os.tmpdir(), 'll-inflight-'));

  it('reads the files from Claude Code and Codex pre-edit payloads, and nothing from others', () => {
    assert.deepEqual(announcedEdit('claude-code', { session_id: 's', tool_use_id: 't', cwd: '/w', tool_input: { file_path: '/w/src/a.ts' } }, 5)?.files, ['/w/src/a.ts']);
    assert.deepEqual(announcedEdit('claude-code', { session_id: 's', tool_input: { notebook_path: '/w/n.ipynb' } })?.files, ['/w/n.ipynb']);
    const patch = '*** Begin Patch\n*** Update File: src/main.rs\n@@\n-a\n+b\n*** Add File: docs/new.md\n+x\n*** End Patch';
    assert.deepEqual(announcedEdit('codex', { session_id: 'c', cwd: '/repo', tool_input: { command: ['apply_patch', patch] } })?.files, ['/repo/src/main.rs', '/repo/docs/new.md']);
    assert.deepEqual(announcedEdit('codex', { cwd: '/repo', tool_input: patch })?.files, ['/repo/src/main.rs', '/repo/docs/new.md']);
    assert.equal(announcedEdit('codex', { tool_input: patch }), undefined, 'relative paths without cwd name nothing');
    assert.equal(announcedEdit('claude-code', { tool_input: { file_path: 42 } }), undefined);
    assert.equal(announcedEdit('claude-code', null), undefined);
    assert.equal(announcedEdit('cursor', { tool_input: { file_path: '/w/a' } }), undefined);
  });

  it('finds an announcement by file and time, skips foreign and broken files, and sweeps old ones', () => {
    const h = home();
    announceEdit(h, { tool: 'claude-code', conversationId: 'c1', files: ['/w/src/a.ts'], time: 1_000 });
    announceEdit(h, { tool: 'codex', files: ['/w/src/b.ts'], time: 2_000 });
    writeFileSync(path.join(inflightDir(h), '3000-1-x.json'), '{not json');
    writeFileSync(path.join(inflightDir(h), '3000-2-y.json'), JSON.stringify({ tool: 'x', time: 3000, files: 'nope' }));
    assert.deepEqual(findInflightEdits(h, '/w/src/../src/a.ts', 0).map((e) => e.conversationId), ['c1']);
    assert.deepEqual(findInflightEdits(h, '/w/src/a.ts', 1_001), [], 'older than asked');
    assert.deepEqual(findInflightEdits(h, '/w/src/c.ts', 0), []);
    assert.deepEqual(findInflightEdits(path.join(h, 'missing'), '/w/src/a.ts', 0), []);
    const fresh = announceEdit(h, { tool: 'claude-code', files: ['/w/x'], time: Date.now() });
    utimesSync(path.join(inflightDir(h), fresh), new Date(), new Date());
    assert.equal(sweepInflight(h), 4);
    assert.deepEqual(readdirSync(inflightDir(h)), [fresh]);
  });
});

describe('CapturePipeline joins an announced external write with the agent report', () => {
  const uri = 'file:///w/src/a.ts';
  const reload = (text: string, line: number, version = 2): ObservedChange => ({
    uri,
    version,
    time: 10_000,
    cleanAfter: true,
    reason: undefined,
    changes: [{ offset: 20, length: 7, text, range: { start: pos(line, 0), end: pos(line, 7) } }],
  });

  function setup(source: AgentEditSource | undefined, waitMs = 1_000) {
    const written: ProvenanceRecord[] = [];
    const classified: { ai: { recordIds: string[]; byChange?: (string | undefined)[] } | undefined; reload?: boolean }[] = [];
    const pipeline = new CapturePipeline({
      resolveFile: async (u) => ({ file: { path: u.replace('file:///w/', ''), repo }, acceptor: { osUser: 'dana' } }),
      write: async (records) => {
        for (const r of records) written.push(parseRecord(r));
      },
      isReload: async () => true,
      onClassified: (_c, ai, r) => classified.push({ ai, ...(r !== undefined ? { reload: r } : {}) }),
      log: () => undefined,
      ...(source ? { agentEdits: source, agentJoinWaitMs: waitMs } : {}),
    });
    pipeline.classifier.noteDiskChange(uri, 10_000);
    return { pipeline, written, classified };
  }

  it('waits for a report that lands later and writes ONE record under the agent id, drawn as AI', async () => {
    const agent = agentEdit({ text: 'retry();', line: 4 });
    let asked = 0;
    const start = Date.now();
    const { pipeline, written, classified } = setup({
      announced: async () => true,
      reported: async (file) => {
        asked++;
        assert.equal(file.path, 'src/a.ts');
        return Date.now() - start > 250 ? [agent] : []; // the hook process writes its record a moment later
      },
    });
    await pipeline.process([reload('retry();', 4)]);
    assert.ok(asked > 1, 'asked again while waiting');
    assert.equal(written.length, 1, 'no second edit, no editor session record');
    const [joined] = written as EditEvent[];
    assert.equal(joined?.id, agent.id);
    assert.deepEqual(joined?.model, agent.model);
    assert.equal(joined?.capture.detail, 'PostToolUse Edit; joined with the change the editor saw');
    assert.deepEqual(classified[0]?.ai, { recordIds: [agent.id], byChange: [agent.id] });
    assert.equal(pipeline.counts.joinedEvents, 1);
  });

  it('records a plain external write when no agent announced it, without asking for reports', async () => {
    let asked = 0;
    const { pipeline, written, classified } = setup({ announced: async () => false, reported: async () => (asked++, []) });
    await pipeline.process([reload('retry();', 4)]);
    assert.equal(asked, 0);
    assert.deepEqual(written.map((r) => (r.kind === 'edit' ? r.capture.method : r.kind)), ['external', 'session']);
    assert.equal(classified[0]?.ai, undefined, 'not drawn as AI');
  });

  it('gives up after the wait and keeps the external record when the report never comes', async () => {
    const { pipeline, written } = setup({ announced: async () => true, reported: async () => [] }, 300);
    const t0 = Date.now();
    await pipeline.process([reload('retry();', 4)]);
    assert.ok(Date.now() - t0 >= 300, "waited the whole wait");
    assert.equal((written[0] as EditEvent).capture.method, 'external');
  });

  it('an undo of the joined edit re-writes the agent record as rejected', async () => {
    const agent = agentEdit({ text: 'retry();', line: 4 });
    const { pipeline, written } = setup({ announced: async () => true, reported: async () => [agent] });
    await pipeline.process([reload('retry();', 4)]);
    await pipeline.process([{ uri, version: 3, time: 11_000, reason: 'undo', changes: [{ offset: 20, length: 8, text: 'old();', range: { start: pos(4, 0), end: pos(4, 8) } }] }]);
    const last = written.at(-1) as EditEvent;
    assert.deepEqual([last.id, last.disposition], [agent.id, 'rejected']);
  });
});
