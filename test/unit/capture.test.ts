import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChangeClassifier, CLAIM_WINDOW_MS, isSingleKeystroke, type Claim, type ObservedChange } from '../../src/core/capture/classifier';
import { DispositionTracker } from '../../src/core/capture/dispositions';
import { externalHunks } from '../../src/core/capture/externalDiff';
import { SessionGrouper, conversationSessionId } from '../../src/core/capture/sessions';
import { inlineCompletionTool } from '../../src/core/capture/tools';

const uri = 'file:///w/a.ts';
const change = (version: number, text: string, extra: Partial<ObservedChange> = {}): ObservedChange => ({
  uri,
  version,
  time: 1_000,
  reason: undefined,
  changes: [{ offset: 0, length: 0, text, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }],
  ...extra,
});
const tabClaim = (versionBefore: number, extra: Partial<Claim> = {}): Claim => ({
  uri,
  versionBefore,
  time: 1_000,
  method: 'keybinding',
  confidence: 0.98,
  tool: { name: 'copilot' },
  detail: 'editor.action.inlineSuggest.commit',
  ...extra,
});

describe('ChangeClassifier', () => {
  it('calls nothing AI without a claim, whatever the change looks like', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: fc.string({ maxLength: 2000 }), reason: fc.constantFrom(undefined, 'undo' as const, 'redo' as const) }), { maxLength: 50 }),
        (events) => {
          const c = new ChangeClassifier();
          events.forEach((e, i) => assert.notEqual(c.classify(change(i + 2, e.text, { reason: e.reason })).kind, 'ai'));
        },
      ),
    );
  });

  it('gives a claimed change to its claim, once', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(4));
    const first = c.classify(change(5, 'const x = 1;'));
    assert.equal(first.kind, 'ai');
    assert.equal(first.kind === 'ai' && first.claim.method, 'keybinding');
    assert.deepEqual(c.classify(change(6, 'y')), { kind: 'human', why: 'typing' });
  });

  it('does not give a change made before the claim to the claim', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(5));
    assert.equal(c.classify(change(5, 'a')).kind, 'human'); // typed before Tab, drained after it
    assert.equal(c.classify(change(6, 'completion')).kind, 'ai');
  });

  it('never lets undo, redo or paste take a claim', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(1));
    assert.deepEqual(c.classify(change(2, 'x', { reason: 'undo' })), { kind: 'human', why: 'undo' });
    assert.deepEqual(c.classify(change(3, 'x', { reason: 'redo' })), { kind: 'human', why: 'redo' });
    c.notePaste(uri, 3);
    assert.deepEqual(c.classify(change(4, 'pasted text')), { kind: 'human', why: 'paste' });
  });

  it('expires claims that never materialised', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(1));
    assert.equal(c.classify(change(2, 'late', { time: 1_000 + CLAIM_WINDOW_MS + 1 })).kind, 'human');
    assert.equal(c.pendingClaims, 0);
  });

  it('withdraws a claim when the accept command changed nothing', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(7));
    c.withdraw(uri, 7, 'keybinding');
    assert.equal(c.classify(change(8, 'typed')).kind, 'human');
  });

  it('lets one claim cover several events when asked (agent edits of one file)', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(1, { method: 'editor_scheme', maxEvents: 2 }));
    assert.equal(c.classify(change(2, 'a')).kind, 'ai');
    assert.equal(c.classify(change(3, 'b')).kind, 'ai');
    assert.equal(c.classify(change(4, 'c')).kind, 'human');
  });

  it('reports external writes as external, not AI', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(1, { method: 'external', confidence: 0.3 }));
    assert.equal(c.classify(change(2, 'from disk')).kind, 'external');
  });
});

describe('SessionGrouper', () => {
  it('puts every edit in exactly one session, never mixing tools, and splits only at idle gaps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tool: fc.constantFrom('copilot', 'cursor', 'codex'), dt: fc.integer({ min: 0, max: 20_000 }), file: fc.constantFrom('a', 'b', 'c') }), {
          minLength: 1,
          maxLength: 200,
        }),
        (steps) => {
          const gap = 10_000;
          let n = 0;
          const g = new SessionGrouper(gap, () => `s${n++}`);
          let t = 0;
          const lastByTool = new Map<string, { id: string; time: number }>();
          for (const s of steps) {
            t += s.dt;
            const session = g.assign({ tool: s.tool, time: t, file: s.file });
            assert.equal(session.tool, s.tool);
            assert.ok(session.files.has(s.file));
            const last = lastByTool.get(s.tool);
            if (last) {
              // same session if and only if the tool's previous edit is within the gap
              assert.equal(session.id === last.id, t - last.time <= gap);
            }
            lastByTool.set(s.tool, { id: session.id, time: t });
          }
        },
      ),
    );
  });

  it('keeps a conversation in one session across long pauses, with an id every process derives alike', () => {
    const g = new SessionGrouper(1_000);
    const a = g.assign({ tool: 'claude-code', conversationId: 'c1', time: 0, file: 'x' });
    g.closeIdle(1_000_000);
    const b = g.assign({ tool: 'claude-code', conversationId: 'c1', time: 1_000_000, file: 'y' });
    assert.equal(a.id, b.id);
    assert.equal(a.id, conversationSessionId('claude-code', 'c1'));
    assert.notEqual(conversationSessionId('claude-code', 'c2'), a.id);
    assert.notEqual(g.assign({ tool: 'claude-code', time: 5, file: 'x' }).id, a.id);
  });
});

describe('inlineCompletionTool', () => {
  it('names the active known AI extension, then the host, then unknown', () => {
    assert.deepEqual(inlineCompletionTool({ appName: 'Visual Studio Code', activeExtensions: [{ id: 'GitHub.copilot', version: '1.2.3' }] }).tool, {
      name: 'copilot',
      extensionId: 'GitHub.copilot',
      version: '1.2.3',
    });
    assert.equal(inlineCompletionTool({ appName: 'Cursor', activeExtensions: [] }).tool.name, 'cursor');
    const unknown = inlineCompletionTool({ appName: 'code-server', activeExtensions: [{ id: 'x.y' }] });
    assert.equal(unknown.known, false);
  });
});

describe('ChangeClassifier: long-lived agent claims', () => {
  it('claims an agent session’s edits but leaves keystrokes typed meanwhile to the human', () => {
    const c = new ChangeClassifier();
    c.claim(tabClaim(1, { method: 'editor_scheme', maxEvents: Number.POSITIVE_INFINITY, expiresAt: 1_000_000, skipKeystrokes: true }));
    assert.equal(c.classify(change(2, 'function a() {\n}\n', { time: 500_000 })).kind, 'ai');
    assert.equal(c.classify(change(3, 'x', { time: 500_001 })).kind, 'human');
    assert.equal(c.classify(change(4, 'return 1;\n', { time: 500_002 })).kind, 'ai');
    c.endClaims(uri, 'editor_scheme');
    assert.equal(c.classify(change(5, 'return 2;\n', { time: 500_003 })).kind, 'human');
  });
});

describe('DispositionTracker', () => {
  const at = (offset: number, length: number, text: string, reason?: 'undo' | 'redo', time = 2_000): ObservedChange => ({
    uri,
    version: 0,
    time,
    reason,
    changes: [{ offset, length, text, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }],
  });
  const track = (t: DispositionTracker) => t.track({ id: 'e1', uri, offset: 10, insertedText: 'abc', replacedLength: 0, time: 1_000 });

  it('an undo that removes exactly the AI text rejects it; a redo restores it', () => {
    const t = new DispositionTracker();
    track(t);
    assert.deepEqual(t.observe(at(10, 3, '', 'undo')), [{ id: 'e1', disposition: 'rejected' }]);
    assert.deepEqual(t.observe(at(10, 0, 'abc', 'redo')), [{ id: 'e1', disposition: 'accepted' }]);
  });

  it('follows the AI text when text is typed above it', () => {
    const t = new DispositionTracker();
    track(t);
    assert.deepEqual(t.observe(at(0, 0, 'hello\n')), []);
    assert.deepEqual(t.observe(at(16, 3, '', 'undo')), [{ id: 'e1', disposition: 'rejected' }]);
  });

  it('an undo long after the window, or of other text, is not a rejection', () => {
    const late = new DispositionTracker(5_000);
    track(late);
    assert.notDeepEqual(late.observe(at(10, 3, '', 'undo', 60_000)), [{ id: 'e1', disposition: 'rejected' }]);
    const other = new DispositionTracker();
    track(other);
    assert.deepEqual(other.observe(at(20, 2, '', 'undo')), []);
  });

  it('a human change inside the AI text makes it partially kept', () => {
    const t = new DispositionTracker();
    track(t);
    assert.deepEqual(t.observe(at(11, 1, 'X')), [{ id: 'e1', disposition: 'partially_kept' }]);
    assert.deepEqual(t.observe(at(11, 1, 'Y')), []); // reported once
  });

  it('does not treat the AI edit as a change to itself', () => {
    const t = new DispositionTracker();
    track(t);
    assert.deepEqual(t.observe(at(10, 0, 'abc'), ['e1']), []);
  });
});

describe('externalHunks', () => {
  it('finds the inserted and removed blocks of an external write', () => {
    const before = 'a\nb\nc\nd\n';
    const after = 'a\nB1\nB2\nc\nd\ne\n';
    const { hunks, timedOut } = externalHunks(before, after);
    assert.equal(timedOut, false);
    assert.deepEqual(hunks, [
      { startLine: 1, newLineCount: 2, removedLineCount: 1, insertedText: 'B1\nB2\n', removedText: 'b\n' },
      { startLine: 5, newLineCount: 1, removedLineCount: 0, insertedText: 'e\n', removedText: '' },
    ]);
  });

  it('gives nothing for an unchanged file', () => {
    assert.deepEqual(externalHunks('x\n', 'x\n'), { hunks: [], timedOut: false });
  });
});

describe('ChangeClassifier: writes on disk', () => {
  it('records a reload next to a disk write as external, in either order', () => {
    const c = new ChangeClassifier();
    c.noteDiskChange(uri, 1_000);
    const reload = c.classify(change(2, 'new content\n', { cleanAfter: true, time: 1_100 }));
    assert.equal(reload.kind, 'external');
    assert.equal(reload.kind === 'external' && reload.claim.confidence, 0.3);
    // the report arriving after the change (the pipeline waits for it) works the same
    const later = new ChangeClassifier();
    const ch = change(2, 'x\ny\n', { cleanAfter: true, time: 1_000 });
    later.noteDiskChange(uri, 1_200);
    assert.equal(later.hasDiskChangeFor(ch), true);
    assert.equal(later.classify(ch).kind, 'external');
  });

  it('never lets a disk write claim an edit that leaves the document dirty (format, accept, typing)', () => {
    const c = new ChangeClassifier();
    c.noteDiskChange(uri, 1_000);
    assert.equal(c.classify(change(2, 'formatted\n', { cleanAfter: false, time: 1_100 })).kind, 'human');
    assert.equal(c.classify(change(3, 'x', { cleanAfter: false, time: 1_200 })).kind, 'human');
  });

  it('treats a clean-after change with no disk write (a revert) as the person’s', () => {
    const c = new ChangeClassifier();
    assert.equal(c.classify(change(2, 'reverted\n', { cleanAfter: true })).kind, 'human');
  });
});

describe('isSingleKeystroke', () => {
  const c = (text: string, length = 0): ObservedChange => change(2, text, { changes: [{ offset: 0, length, text, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] });
  it('knows what one key press produces', () => {
    for (const t of ['a', '', '\n', '\n    ', '\r\n\t', '()', '""']) assert.equal(isSingleKeystroke(c(t)), true, JSON.stringify(t));
    for (const t of ['ab', 'return x;', '\nfoo', '(x)']) assert.equal(isSingleKeystroke(c(t)), false, JSON.stringify(t));
    assert.equal(isSingleKeystroke(c('', 5)), false, 'deleting a selection is more than a key press');
  });
});
