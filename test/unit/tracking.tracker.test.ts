import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { AttributionTracker, type ChangeOrigin, type TextChange } from '../../src/core/tracking/attributionTracker';
import { countAttribution, emptyCounts, scores } from '../../src/core/tracking/oracle/attributionScore';
import { CharacterModel } from '../../src/core/tracking/oracle/characterModel';
import { nextEditStep, seededRandom } from '../../src/core/tracking/oracle/editStream';

const AI = (id: string): ChangeOrigin => ({ ai: id });

/** The AI lines of the whole document, with line texts taken from `text`. */
function aiLines(tracker: AttributionTracker, text: string) {
  const contents = text.split('\n').map((l) => l.replace(/\r$/, ''));
  return tracker.classifyLines(0, tracker.lineCount, (line) => contents[line]!);
}

const HUMAN_TEXT = 'function a() {\n}\n';
const BLOCK = '  const x = compute();\n  return x * 2;\n';
const BLOCK_START = 15;
const BLOCK_END = BLOCK_START + BLOCK.length;
const LINE_2 = BLOCK_START + BLOCK.indexOf('  return'); // where the block's second line starts

/** A document of human text with an AI block inserted, as a tracker and its text. */
function documentWithBlock() {
  const tracker = AttributionTracker.fromText(HUMAN_TEXT);
  tracker.applyChange({ offset: BLOCK_START, length: 0, text: BLOCK }, AI('r1'));
  return { tracker, text: HUMAN_TEXT.slice(0, BLOCK_START) + BLOCK + HUMAN_TEXT.slice(BLOCK_START) };
}

describe('AttributionTracker', () => {
  it('attributes an AI insertion to its record, line by line', () => {
    const { tracker, text } = documentWithBlock();
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START, end: BLOCK_END, recordId: 'r1', modified: false }]);
    assert.deepEqual(aiLines(tracker, text), [
      { line: 1, recordId: 'r1', modified: false },
      { line: 2, recordId: 'r1', modified: false },
    ]);
  });

  it('shifts spans when lines are inserted or deleted above them', () => {
    const { tracker } = documentWithBlock();
    const header = '// header\n\n';
    tracker.applyChange({ offset: 0, length: 0, text: header }, 'human');
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START + header.length, end: BLOCK_END + header.length, recordId: 'r1', modified: false }]);
    assert.equal(tracker.lineAt(BLOCK_START + header.length), 3);
    tracker.applyChange({ offset: 0, length: header.length, text: '' }, 'human');
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START, end: BLOCK_END, recordId: 'r1', modified: false }]);
  });

  it('splits a span around a human edit inside it and marks only the touched line modified', () => {
    const { tracker, text } = documentWithBlock();
    const x = text.indexOf('x =');
    tracker.applyChange({ offset: x, length: 1, text: 'value' }, 'human');
    const edited = text.slice(0, x) + 'value' + text.slice(x + 1);
    const grow = 'value'.length - 1;
    assert.deepEqual(tracker.spans(), [
      { start: BLOCK_START, end: x, recordId: 'r1', modified: true },
      { start: x + 5, end: LINE_2 + grow, recordId: 'r1', modified: true },
      { start: LINE_2 + grow, end: BLOCK_END + grow, recordId: 'r1', modified: false },
    ]);
    assert.deepEqual(aiLines(tracker, edited), [
      { line: 1, recordId: 'r1', modified: true },
      { line: 2, recordId: 'r1', modified: false },
    ]);
  });

  it('shrinks a span when a human deletes part of it, and drops it when all of it is deleted', () => {
    const { tracker } = documentWithBlock();
    tracker.applyChange({ offset: LINE_2, length: BLOCK_END - LINE_2, text: '' }, 'human'); // the block's second line
    // The line that was deleted is gone; the line now where it was ("}") is human, so nothing is flagged.
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START, end: LINE_2, recordId: 'r1', modified: false }]);
    tracker.applyChange({ offset: LINE_2 - 3, length: 2, text: '' }, 'human'); // backspace inside the first line
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START, end: LINE_2 - 2, recordId: 'r1', modified: true }]);
    tracker.applyChange({ offset: BLOCK_START, length: LINE_2 - 2 - BLOCK_START, text: '' }, 'human');
    assert.deepEqual(tracker.spans(), []);
  });

  it('keeps AI insertions of different records apart, and merges those of the same record', () => {
    const tracker = AttributionTracker.fromText('');
    tracker.applyChange({ offset: 0, length: 0, text: 'b();\n' }, AI('r2'));
    tracker.applyChange({ offset: 0, length: 0, text: 'a();\n' }, AI('r1'));
    tracker.applyChange({ offset: 10, length: 0, text: 'c();\n' }, AI('r2'));
    assert.deepEqual(tracker.spans(), [
      { start: 0, end: 5, recordId: 'r1', modified: false },
      { start: 5, end: 15, recordId: 'r2', modified: false },
    ]);
  });

  it('does not mark anything modified when a human types next to AI text but not inside it', () => {
    const { tracker } = documentWithBlock();
    tracker.applyChange({ offset: BLOCK_END, length: 0, text: '  log(x);\n' }, 'human'); // a new line after the block
    const note = '  // note\n';
    tracker.applyChange({ offset: BLOCK_START, length: 0, text: note }, 'human'); // and one before it
    assert.deepEqual(tracker.spans(), [{ start: BLOCK_START + note.length, end: BLOCK_END + note.length, recordId: 'r1', modified: false }]);
  });

  it('applies a multi-cursor event in VS Code order (descending offsets, each relative to the previous result)', () => {
    const { tracker, text } = documentWithBlock();
    const changes: TextChange[] = [
      { offset: LINE_2 + 2, length: 0, text: '// ' },
      { offset: BLOCK_START + 2, length: 0, text: '// ' },
    ];
    tracker.applyChanges(changes, 'human');
    const reference = new CharacterModel(HUMAN_TEXT);
    reference.apply({ offset: BLOCK_START, length: 0, text: BLOCK }, AI('r1'));
    reference.applyAll(changes, 'human');
    assert.equal(reference.text, text.slice(0, BLOCK_START + 2) + '// ' + text.slice(BLOCK_START + 2, LINE_2 + 2) + '// ' + text.slice(LINE_2 + 2));
    assert.deepEqual(tracker.spans(), reference.spans());
    // AI indentation, human '// ', AI rest of line 1 + indentation of line 2, human '// ', AI rest of line 2.
    assert.deepEqual(
      tracker.spans().map((s) => s.modified),
      [true, true, true],
    );
  });

  it('rejects a change outside the document without applying any change of the event', () => {
    const { tracker, text } = documentWithBlock();
    const before = tracker.spans();
    assert.throws(() => tracker.applyChanges([{ offset: 0, length: 0, text: 'x' }, { offset: 1000, length: 1, text: '' }], 'human'), RangeError);
    assert.deepEqual(tracker.spans(), before);
    assert.equal(tracker.length, text.length);
  });

  it('sets an origin after the fact, e.g. when an edit is classified as AI later', () => {
    const tracker = AttributionTracker.fromText('let a = 1;\nlet b = 2;\n');
    tracker.setOrigin(11, 22, AI('late'));
    assert.deepEqual(tracker.spans(), [{ start: 11, end: 22, recordId: 'late', modified: false }]);
    tracker.setOrigin(11, 14, 'human');
    assert.deepEqual(tracker.spans(), [{ start: 14, end: 22, recordId: 'late', modified: false }]);
  });

  it('asks for the text of a line only when the line mixes origins', () => {
    const { tracker, text } = documentWithBlock();
    const x = text.indexOf('x =');
    tracker.applyChange({ offset: x, length: 1, text: 'y' }, 'human');
    const contents = (text.slice(0, x) + 'y' + text.slice(x + 1)).split('\n');
    const asked: number[] = [];
    tracker.classifyLines(0, tracker.lineCount, (line) => {
      asked.push(line);
      return contents[line]!;
    });
    assert.deepEqual(asked, [1]);
  });
});

/** Applies a step to both and checks that they agree on every character and every line. */
function checkAgreement(tracker: AttributionTracker, model: CharacterModel, context: string): void {
  assert.deepEqual(tracker.spans(), model.spans(), `AI characters differ ${context}`);
  assert.equal(tracker.length, model.text.length);
  assert.equal(tracker.lineCount, model.lineStarts().length);
  const contents = model.lineContents();
  assert.deepEqual(tracker.classifyLines(0, tracker.lineCount, (l) => contents[l]!), model.aiLines(), `AI lines differ ${context}`);
}

const origin = fc.oneof(fc.constant<ChangeOrigin>('human'), fc.constantFrom('r1', 'r2', 'r3').map((id) => AI(id)));
const insertedText = fc.array(fc.constantFrom('a', 'b', ' ', '\t', '\n', '\r\n', 'xyz();'), { maxLength: 12 }).map((p) => p.join(''));
const step = fc.record({ at: fc.nat(), length: fc.nat({ max: 25 }), text: insertedText, origin, cursors: fc.nat({ max: 3 }) });

describe('AttributionTracker against the character-level ground truth', () => {
  it('agrees exactly after every step of many short random sessions (shrinkable)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const tracker = AttributionTracker.fromText('');
        const model = new CharacterModel();
        steps.forEach((s, i) => {
          // 1 + cursors changes at distinct points, descending, as VS Code sends them.
          const len = model.text.length;
          const points = [...new Set(Array.from({ length: 1 + s.cursors }, (_, k) => (s.at + k * 7919) % (len + 1)))].sort((a, b) => b - a);
          let limit = len;
          const changes = points.map((offset) => {
            const length = Math.min(s.length, limit - offset);
            limit = offset;
            return { offset, length, text: s.text };
          });
          model.applyAll(changes, s.origin);
          tracker.applyChanges(changes, s.origin);
          checkAgreement(tracker, model, `after step ${i}`);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('agrees exactly through 10,000-step sessions; AI-line precision, recall and F1 >= 0.999', () => {
    const counts = emptyCounts();
    let steps = 0;
    let linesCompared = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), (seed) => {
        const random = seededRandom(seed);
        const tracker = AttributionTracker.fromText('');
        const model = new CharacterModel();
        for (let i = 0; i < 10_000; i++) {
          const s = nextEditStep(random, model, { maxLength: 6000, records: 4 });
          model.applyAll(s.changes, s.origin);
          tracker.applyChanges(s.changes, s.origin);
          steps++;
          if (i % 100 === 99) {
            assert.deepEqual(tracker.spans(), model.spans(), `seed ${seed}, step ${i}`);
            const contents = model.lineContents();
            countAttribution(model.aiLines(), tracker.classifyLines(0, tracker.lineCount, (l) => contents[l]!), counts);
            linesCompared += contents.length;
          }
        }
      }),
      { numRuns: 4 },
    );
    const { precision, recall, f1 } = scores(counts);
    console.log(
      `      ${steps} steps, ${linesCompared} lines compared at checkpoints: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}` +
        ` (TP ${counts.truePositives}, FP ${counts.falsePositives}, FN ${counts.falseNegatives}, modified-flag mismatches ${counts.modifiedMismatches})`,
    );
    assert.ok(counts.truePositives > 1000, 'the sessions produced AI lines to compare');
    assert.ok(f1 >= 0.999, `F1 ${f1}`);
    assert.equal(counts.modifiedMismatches, 0);
  });
});
