import * as assert from 'node:assert/strict';
import type { ObservedChange } from '../../src/core/capture/classifier';
import { CapturePipeline } from '../../src/core/capture/pipeline';
import { parseRecord, type AiEditSession, type EditEvent, type ProvenanceRecord } from '../../src/core/model';

const pos = (line: number, character: number) => ({ line, character });

function setup() {
  const written: ProvenanceRecord[] = [];
  const pipeline = new CapturePipeline({
    resolveFile: async (uri) =>
      uri.startsWith('untitled:')
        ? undefined
        : { file: { path: uri.replace('file:///w/', ''), repo: { id: 'r1' } }, acceptor: { osUser: 'dana', gitName: 'Dana' } },
    write: async (records) => {
      for (const r of records) written.push(parseRecord(r)); // everything written is a valid v1 record
    },
    log: () => undefined,
  });
  return { pipeline, written };
}

const change = (uri: string, version: number, changes: { offset: number; length?: number; text: string; line?: number }[], extra: Partial<ObservedChange> = {}): ObservedChange => ({
  uri,
  version,
  time: 10_000,
  reason: undefined,
  changes: changes.map((c) => ({ offset: c.offset, length: c.length ?? 0, text: c.text, range: { start: pos(c.line ?? 0, 0), end: pos(c.line ?? 0, c.length ?? 0) } })),
  ...extra,
});

const edits = (rs: ProvenanceRecord[]) => rs.filter((r): r is EditEvent => r.kind === 'edit');
const sessions = (rs: ProvenanceRecord[]) => rs.filter((r): r is AiEditSession => r.kind === 'session');

describe('CapturePipeline', () => {
  it('writes nothing for human typing, paste and undo', async () => {
    const { pipeline, written } = setup();
    await pipeline.process([change('file:///w/a.ts', 2, [{ offset: 0, text: 'h' }]), change('file:///w/a.ts', 3, [{ offset: 1, text: 'ello world' }])]);
    pipeline.classifier.notePaste('file:///w/a.ts', 3);
    await pipeline.process([change('file:///w/a.ts', 4, [{ offset: 0, text: 'pasted\ncode\n' }])]);
    await pipeline.process([change('file:///w/a.ts', 5, [{ offset: 0, length: 3, text: '' }], { reason: 'undo' })]);
    assert.deepEqual(written, []);
    assert.equal(pipeline.counts.humanEvents, 4);
  });

  it('records an accepted inline completion with its exact text and range, in a session', async () => {
    const { pipeline, written } = setup();
    pipeline.classifier.claim({ uri: 'file:///w/a.ts', versionBefore: 1, time: 10_000, method: 'keybinding', confidence: 0.98, tool: { name: 'copilot' }, detail: 'editor.action.inlineSuggest.commit' });
    await pipeline.process([change('file:///w/a.ts', 2, [{ offset: 40, text: 'return a + b;\n}', line: 3 }])]);
    const [edit] = edits(written);
    assert.ok(edit);
    assert.equal(edit.insertedText.form === 'text' && edit.insertedText.text, 'return a + b;\n}');
    assert.deepEqual(edit.rangeAfter, { start: pos(3, 0), end: pos(4, 1) });
    assert.equal(edit.disposition, 'accepted');
    assert.deepEqual(edit.capture, { method: 'keybinding', confidence: 0.98, detail: 'editor.action.inlineSuggest.commit' });
    assert.deepEqual(edit.acceptor, { osUser: 'dana', gitName: 'Dana' });
    const [session] = sessions(written);
    assert.equal(session?.id, edit.sessionId);
    assert.deepEqual(session?.counts, { linesAdded: 2, linesKept: 2, linesRejected: 0 });
  });

  it('re-writes an AI edit as rejected when it is undone, and its session counts follow', async () => {
    const { pipeline, written } = setup();
    pipeline.classifier.claim({ uri: 'file:///w/a.ts', versionBefore: 1, time: 10_000, method: 'editor_scheme', confidence: 0.9, tool: { name: 'copilot' }, conversationId: 'chat-1' });
    await pipeline.process([change('file:///w/a.ts', 2, [{ offset: 5, text: 'line1\nline2\n' }])]);
    assert.equal(edits(written)[0]?.disposition, 'pending');
    await pipeline.process([change('file:///w/a.ts', 3, [{ offset: 5, length: 12, text: '' }], { reason: 'undo', time: 12_000 })]);
    const last = edits(written).at(-1);
    assert.equal(last?.id, edits(written)[0]?.id);
    assert.equal(last?.disposition, 'rejected');
    assert.deepEqual(sessions(written).at(-1)?.counts, { linesAdded: 2, linesKept: 0, linesRejected: 2 });
  });

  it('records each file of a multi-file agent edit in one session', async () => {
    const { pipeline, written } = setup();
    for (const f of ['a.ts', 'b.ts']) {
      pipeline.classifier.claim({ uri: `file:///w/${f}`, versionBefore: 1, time: 10_000, method: 'editor_scheme', confidence: 0.9, tool: { name: 'copilot' }, conversationId: 'chat-7' });
    }
    await pipeline.process([change('file:///w/a.ts', 2, [{ offset: 0, text: 'A\n' }]), change('file:///w/b.ts', 2, [{ offset: 0, text: 'B\n' }, { offset: 9, text: 'C\n' }])]);
    assert.equal(edits(written).length, 3);
    assert.equal(new Set(edits(written).map((e) => e.sessionId)).size, 1);
    assert.deepEqual(sessions(written).at(-1)?.files, ['a.ts', 'b.ts']);
  });

  it('records an unvouched external write as external with low confidence', async () => {
    const { pipeline, written } = setup();
    pipeline.classifier.claim({ uri: 'file:///w/a.ts', versionBefore: 4, time: 10_000, method: 'external', confidence: 0.3, tool: { name: 'unknown' } });
    await pipeline.process([change('file:///w/a.ts', 5, [{ offset: 0, length: 10, text: 'rewritten on disk\n' }])]);
    const [edit] = edits(written);
    assert.equal(edit?.capture.method, 'external');
    assert.equal(edit?.capture.confidence, 0.3);
  });

  it('skips documents it does not record (untitled), counting them', async () => {
    const { pipeline, written } = setup();
    pipeline.classifier.claim({ uri: 'untitled:Untitled-1', versionBefore: 1, time: 10_000, method: 'keybinding', confidence: 0.98, tool: { name: 'copilot' } });
    await pipeline.process([change('untitled:Untitled-1', 2, [{ offset: 0, text: 'x = 1' }])]);
    assert.deepEqual(written, []);
    assert.equal(pipeline.counts.unrecordedEvents, 1);
  });
});

describe('CapturePipeline: reloads from disk', () => {
  it('records a confirmed reload as external, and an unconfirmed clean change as human', async () => {
    let reload = true;
    const written: ProvenanceRecord[] = [];
    const pipeline = new CapturePipeline({
      resolveFile: async () => ({ file: { path: 'a.ts', repo: null }, acceptor: null }),
      write: async (records) => void written.push(...records),
      isReload: async () => reload,
      log: () => undefined,
    });
    const now = Date.now();
    pipeline.classifier.noteDiskChange('file:///w/a.ts', now);
    await pipeline.process([change('file:///w/a.ts', 2, [{ offset: 0, length: 4, text: 'from disk\n' }], { cleanAfter: true, time: now })]);
    assert.equal(edits(written)[0]?.capture.method, 'external');
    reload = false; // e.g. the first edit after a save, reported clean, but the document differs from the disk
    pipeline.classifier.noteDiskChange('file:///w/a.ts', now);
    await pipeline.process([change('file:///w/a.ts', 3, [{ offset: 0, length: 1, text: '  ' }], { cleanAfter: true, time: now })]);
    assert.equal(edits(written).length, 1);
    assert.equal(pipeline.counts.humanEvents, 1);
  });
});
