import * as assert from 'node:assert/strict';
import { sha256Hex, textContent } from '../../src/core/model/content';
import { type EditEvent, SCHEMA_ID } from '../../src/core/model/schema';
import { spansFromRecords } from '../../src/core/tracking';

function edit(id: string, text: string, line: number, over: Partial<EditEvent> = {}, time = '2026-11-28T10:00:00.000Z'): EditEvent {
  const lines = text.split('\n');
  return {
    schema: SCHEMA_ID,
    kind: 'edit',
    id,
    time,
    tool: { name: 'claude-code' },
    model: 'unknown',
    prompt: null,
    sessionId: 's',
    file: { path: 'a.ts', repo: null },
    rangeBefore: { start: { line, character: 0 }, end: { line, character: 0 } },
    rangeAfter: { start: { line, character: 0 }, end: { line: line + lines.length - 1, character: lines.at(-1)!.length } },
    insertedText: textContent(text),
    deletedText: { form: 'none' },
    contentHash: sha256Hex(text),
    disposition: 'accepted',
    acceptor: null,
    capture: { method: 'hook', confidence: 1 },
    review: { status: 'unreviewed' },
    ...over,
  };
}

const doc = 'line 0\nai one\nai two\nline 3\n';
const at = (text: string, s: string) => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length });

describe('placing stored records in a document the editor never tracked', () => {
  it('places a record where its text is, and finds it again after lines were inserted above', () => {
    const r = edit('e1', 'ai one\nai two\n', 1);
    assert.deepEqual(spansFromRecords(doc, [r]).spans, [{ ...at(doc, 'ai one\nai two\n'), recordId: 'e1', modified: false }]);
    const moved = 'new 0\nnew 1\n' + doc;
    assert.deepEqual(spansFromRecords(moved, [r]).spans, [{ ...at(moved, 'ai one\nai two\n'), recordId: 'e1', modified: false }]);
  });

  it('leaves out what is no longer there, rejected edits, and text whose hash does not match', () => {
    const gone = edit('gone', 'ai three\n', 2);
    const rejected = edit('rej', 'ai one\n', 1, { disposition: 'rejected' });
    const forged = edit('forged', 'ai one\n', 1, { contentHash: sha256Hex('something else') });
    const result = spansFromRecords(doc, [gone, rejected, forged]);
    assert.deepEqual(result.spans, []);
    assert.deepEqual(result.notFound.sort(), ['forged', 'gone']);
  });

  it('with only a hash stored (privacy "hash", or redacted secrets), accepts the text at the range only if it hashes right', () => {
    const hashed = edit('h', 'ai one\nai two\n', 1, { insertedText: { form: 'hash', sha256: sha256Hex('ai one\nai two\n') } });
    assert.deepEqual(spansFromRecords(doc, [hashed]).placed, ['h']);
    const shifted = 'x\n' + doc;
    assert.deepEqual(spansFromRecords(shifted, [hashed]).placed, [], 'not searched for: a hash cannot be looked up');
    const redacted = edit('r', 'ai one\n', 1, { insertedText: { form: 'redacted', text: '[REDACTED:aws-key]\n', sha256: sha256Hex('ai one\n'), redactions: 1 } });
    assert.deepEqual(spansFromRecords(doc, [redacted]).placed, ['r']);
  });

  it('a later record wins where two overlap; partially kept edits are marked modified', () => {
    const older = edit('old', 'ai one\nai two\n', 1, {}, '2026-11-28T09:00:00.000Z');
    const newer = edit('new', 'ai two\n', 2, { disposition: 'partially_kept' }, '2026-11-28T11:00:00.000Z');
    assert.deepEqual(spansFromRecords(doc, [newer, older]).spans, [
      { ...at(doc, 'ai one\n'), recordId: 'old', modified: false },
      { ...at(doc, 'ai two\n'), recordId: 'new', modified: true },
    ]);
  });
});
