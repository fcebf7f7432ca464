import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { AttributionTracker, type AiSpan } from '../../src/core/tracking/attributionTracker';
import { normaliseBreaks } from '../../src/core/tracking/hashing';
import { matchLines } from '../../src/core/tracking/lineMatching';
import { CharacterModel } from '../../src/core/tracking/oracle/characterModel';
import { nextEditStep, seededRandom } from '../../src/core/tracking/oracle/editStream';
import { reanchor, type ReanchorResult } from '../../src/core/tracking/reanchor';
import { createSnapshot, parseSnapshot, type TrackingSnapshot } from '../../src/core/tracking/snapshot';
import { TextLines } from '../../src/core/tracking/textLines';

/** A code-like file: numbered statements, with closing braces and blank lines in between. */
function codeLines(count: number, salt = 'v'): string[] {
  return Array.from({ length: count }, (_, i) => (i % 9 === 8 ? '}' : i % 13 === 12 ? '' : `  const ${salt}${i} = compute(${(i * 7919) % 1000});`));
}

const join = (lines: readonly string[]) => lines.join('\n') + '\n';

/** The span covering whole lines [first, last] of `lines` (joined with '\n'). */
function lineSpan(lines: readonly string[], first: number, last: number, recordId: string): AiSpan {
  const start = join(lines.slice(0, first)).length;
  const end = join(lines.slice(0, last + 1)).length;
  return { start, end, recordId, modified: false };
}

function snapshotOf(text: string, spans: AiSpan[]): TrackingSnapshot {
  return createSnapshot(text, AttributionTracker.fromText(text, spans).spans());
}

const statuses = (result: ReanchorResult) => result.outcomes.map((o) => o.status);
const placedText = (text: string, result: ReanchorResult) => result.spans.map((s) => text.slice(s.start, s.end));

describe('createSnapshot / parseSnapshot', () => {
  it('round-trips through JSON and rejects malformed snapshots with a reason', () => {
    const lines = codeLines(30);
    const snapshot = snapshotOf(join(lines), [lineSpan(lines, 3, 6, 'r1')]);
    assert.deepEqual(parseSnapshot(JSON.parse(JSON.stringify(snapshot))), snapshot);
    assert.throws(() => parseSnapshot({ ...snapshot, format: 'lineagelens.tracking/2' }), /format/);
    assert.throws(() => parseSnapshot({ ...snapshot, anchors: [{ ...snapshot.anchors[0], contentHash: 'xyz' }] }), /anchors\.0\.contentHash/);
  });

  it('keeps hashes only, never the code', () => {
    const lines = codeLines(30);
    const snapshot = snapshotOf(join(lines), [lineSpan(lines, 3, 6, 'r1')]);
    assert.ok(!JSON.stringify(snapshot).includes('compute'));
  });
});

describe('reanchor', () => {
  const lines = codeLines(200);
  const text = join(lines);
  const spans = [lineSpan(lines, 20, 24, 'r1'), lineSpan(lines, 100, 103, 'r2'), lineSpan(lines, 150, 150, 'r3')];
  const snapshot = snapshotOf(text, spans);
  const spanTexts = spans.map((s) => text.slice(s.start, s.end));

  it('restores every span as it was when the file is unchanged', () => {
    const result = reanchor(snapshot, null, text);
    assert.deepEqual(statuses(result), ['exact', 'exact', 'exact']);
    assert.deepEqual(result.spans, spans);
    assert.equal(result.diff, 'not-needed');
  });

  it('follows lines inserted above, with or without the old text', () => {
    const edited = join(['// header', '', ...lines.slice(0, 50), '  extra();', ...lines.slice(50)]);
    for (const old of [text, null]) {
      const result = reanchor(snapshot, old, edited);
      assert.deepEqual(statuses(result), ['moved', 'moved', 'moved'], `old text ${old ? 'given' : 'absent'}`);
      assert.deepEqual(placedText(edited, result), spanTexts);
      assert.equal(edited.slice(0, result.spans[0]!.start).split('\n').length - 1, 22);
    }
  });

  it('finds a block that was moved elsewhere in the file', () => {
    const moved = [...lines.slice(0, 20), ...lines.slice(25, 180), ...lines.slice(20, 25), ...lines.slice(180)];
    const result = reanchor(snapshot, text, join(moved));
    assert.equal(result.outcomes[0]!.status, 'moved');
    assert.deepEqual(statuses(result).slice(1), ['moved', 'moved'], 'the spans after the cut shifted up by five lines');
    assert.deepEqual(placedText(join(moved), result), [spanTexts[1], spanTexts[2], spanTexts[0]]);
  });

  it('keeps the unchanged lines of a span edited on disk and drops the edited line (with the old text), or loses it (without)', () => {
    const edited = lines.slice();
    edited[22] = '  const changed = byAnotherTool();';
    const editedText = join(edited);
    const withOld = reanchor(snapshot, text, editedText);
    assert.equal(withOld.outcomes[0]!.status, 'diff-mapped');
    assert.deepEqual(
      withOld.outcomes[0]!.ranges.map((r) => editedText.slice(r.start, r.end)),
      [join(lines.slice(20, 22)), join(lines.slice(23, 25))],
    );
    const withoutOld = reanchor(snapshot, null, editedText);
    assert.equal(withoutOld.outcomes[0]!.status, 'lost');
    assert.deepEqual(withoutOld.outcomes.slice(1).map((o) => o.status), ['exact', 'exact']);
  });

  it('loses what a truncation removed: whole spans, or the cut-off lines of a span (with the old text)', () => {
    const truncated = join(lines.slice(0, 102)); // cuts span r2 (lines 100-103) after its second line
    const withOld = reanchor(snapshot, text, truncated);
    assert.deepEqual(statuses(withOld), ['exact', 'diff-mapped', 'lost']);
    assert.deepEqual(placedText(truncated, withOld), [spanTexts[0], join(lines.slice(100, 102))]);
    assert.deepEqual(statuses(reanchor(snapshot, null, truncated)), ['exact', 'lost', 'lost']);
  });

  it('loses everything when the file is replaced by another, even if both have lines like "}" in common', () => {
    const other = join(codeLines(200, 'other'));
    for (const old of [text, null]) {
      const result = reanchor(snapshot, old, other);
      assert.deepEqual(statuses(result), ['lost', 'lost', 'lost']);
      assert.deepEqual(result.spans, []);
    }
    // A span that is nothing but a "}" line is not placed on another file's "}" either.
    const braceOnly = snapshotOf(text, [lineSpan(lines, 8, 8, 'r9')]);
    assert.deepEqual(statuses(reanchor(braceOnly, text, other)), ['lost']);
    assert.deepEqual(statuses(reanchor(braceOnly, null, other)), ['lost']);
  });

  it('finds a span in another git version that still contains it elsewhere, from the snapshot alone', () => {
    const otherVersion = join([...codeLines(40, 'w'), ...lines.slice(95, 110), ...codeLines(30, 'z')]);
    const result = reanchor(snapshot, null, otherVersion);
    assert.deepEqual(statuses(result), ['lost', 'moved', 'lost']);
    assert.deepEqual(placedText(otherVersion, result), [spanTexts[1]]);
  });

  it('survives a checkout that converts line breaks to CRLF', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const result = reanchor(snapshot, null, crlf);
    assert.deepEqual(statuses(result), ['exact', 'exact', 'exact']);
    assert.deepEqual(placedText(crlf, result).map(normaliseBreaks), spanTexts);
  });

  it('does not place a span whose text now occurs twice (ambiguous) without other evidence', () => {
    const duplicated = join([...lines.slice(0, 20), '// moved', ...lines.slice(25, 60), ...lines.slice(20, 25), ...lines.slice(60, 70), ...lines.slice(20, 25), ...lines.slice(70)]);
    const result = reanchor(snapshot, null, duplicated);
    assert.equal(result.outcomes[0]!.status, 'lost');
  });

  it('rebuilds a tracker from the placed spans', () => {
    const edited = join(['// header', ...lines]);
    const result = reanchor(snapshot, text, edited);
    const tracker = AttributionTracker.fromText(edited, result.spans);
    assert.deepEqual(
      tracker.classifyLines(0, tracker.lineCount, () => '').map((l) => l.line),
      [21, 22, 23, 24, 25, 101, 102, 103, 104, 151],
    );
  });
});

describe('reanchor properties', () => {
  /** A file, and a version of it with random whole-line edits (replace, insert, delete, move a block). */
  const fileAndEdits = fc.record({
    size: fc.integer({ min: 20, max: 300 }),
    spans: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), fc.nat(), fc.integer({ min: -1, max: 30 })), { minLength: 1, maxLength: 12 }),
    edits: fc.array(fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'move', 'duplicate'), fc.nat(), fc.nat({ max: 12 })), { maxLength: 25 }),
    withOld: fc.boolean(),
  });

  it('never places a span on text that is not its own: moved and exact spans hold exactly their old text, diff-mapped ones only unchanged old lines', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fileAndEdits, ({ size, spans: rawSpans, edits, withOld }) => {
        const lines = codeLines(size);
        const text = join(lines);
        // Spans: whole lines or fragments starting mid-line, not overlapping.
        const spans: AiSpan[] = [];
        let next = 0;
        for (const [at, length, column, endColumn] of rawSpans) {
          const first = next + (at % 10);
          const last = first + length;
          if (last >= lines.length) break;
          const start = join(lines.slice(0, first)).length + Math.min(column % 8, lines[first]!.length);
          const end = endColumn < 0 ? join(lines.slice(0, last + 1)).length : join(lines.slice(0, last)).length + Math.min(endColumn, lines[last]!.length);
          if (end > start) spans.push({ start, end, recordId: `r${spans.length}`, modified: false });
          next = last + 1;
        }
        if (spans.length === 0) return;
        const edited = lines.slice();
        edits.forEach(([kind, at, n], k) => {
          const i = at % (edited.length + 1);
          if (kind === 'replace' && i < edited.length) edited[i] = `  changed${k}();`;
          if (kind === 'insert') edited.splice(i, 0, ...Array.from({ length: n + 1 }, (_, j) => `  inserted${k}_${j}();`));
          if (kind === 'delete') edited.splice(i, n + 1);
          if (kind === 'move') edited.splice((at * 31) % (edited.length + 1), 0, ...edited.splice(i, n + 1));
          if (kind === 'duplicate') edited.splice((at * 17) % (edited.length + 1), 0, ...edited.slice(i, i + n + 1));
        });
        const editedText = join(edited);
        const snapshot = snapshotOf(text, spans);
        const result = reanchor(snapshot, withOld ? text : null, editedText);
        const oldLineSet = new Set(lines);
        result.outcomes.forEach((outcome, index) => {
          seen.set(outcome.status, (seen.get(outcome.status) ?? 0) + 1);
          const span = spans[index]!;
          const old = text.slice(span.start, span.end);
          for (const range of outcome.ranges) {
            const placed = editedText.slice(range.start, range.end);
            if (outcome.status === 'diff-mapped') {
              // Each piece sits on lines that exist unchanged in the old file and is part of the old span's text.
              const firstLine = editedText.slice(0, range.start).split('\n').length - 1;
              const lastLine = editedText.slice(0, range.end - 1).split('\n').length - 1;
              for (let l = firstLine; l <= lastLine; l++) assert.ok(oldLineSet.has(edited[l]!), `line ${l} changed`);
              for (const piece of placed.split('\n')) assert.ok(old.includes(piece));
            } else {
              assert.equal(placed, old, `${outcome.status} span ${index}`);
            }
          }
        });
        // A tracker can always be rebuilt from the result (placed spans never overlap).
        AttributionTracker.fromText(editedText, result.spans);
      }),
      { numRuns: 300 },
    );
    for (const status of ['exact', 'moved', 'diff-mapped', 'lost']) assert.ok((seen.get(status) ?? 0) > 10, `${status} exercised: ${[...seen]}`);
  });

  it('restores exactly the spans of a random editing session when the text is unchanged, and when only lines above are added', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), fc.boolean(), (seed, withOld) => {
        const random = seededRandom(seed);
        const model = new CharacterModel();
        for (let i = 0; i < 300; i++) {
          const s = nextEditStep(random, model, { maxLength: 3000, records: 3 });
          model.applyAll(s.changes, s.origin);
        }
        const snapshot = createSnapshot(model.text, model.spans());
        assert.deepEqual(reanchor(snapshot, null, model.text).spans, model.spans());
        const header = '// a header line added by a tool\n\n';
        const shifted = reanchor(snapshot, withOld ? model.text : null, header + model.text);
        // Spans that were placed hold their old text, shifted by the header; none is placed anywhere else.
        for (const outcome of shifted.outcomes) {
          for (const range of outcome.ranges) {
            const old = model.spans().find((s) => s.start === range.start - header.length);
            if (outcome.status !== 'diff-mapped') assert.ok(old && old.end === range.end - header.length, JSON.stringify(outcome));
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('matchLines', () => {
  const linesOf = (lines: readonly string[]) => new TextLines(lines.join('\n'));

  it('maps only equal lines, in increasing order on both sides', () => {
    const line = fc.constantFrom('a', 'b', 'c', '}', '', 'x();', 'y();', 'z();');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 80 }), fc.array(line, { maxLength: 80 }), fc.constantFrom(0, 50), (before, after, timeout) => {
        const old = linesOf(before);
        const fresh = linesOf(after);
        const mapping = matchLines(old, fresh, timeout);
        let last = -1;
        mapping.oldToNew.forEach((n, o) => {
          if (n < 0) return;
          assert.equal(fresh.content(n), old.content(o));
          assert.ok(n > last, 'monotone');
          last = n;
        });
      }),
      { numRuns: 500 },
    );
  });

  it('maps every line of an unchanged text and every untouched line around an edit', () => {
    const before = codeLines(1000);
    const after = before.slice();
    after.splice(500, 3, 'new();');
    const mapping = matchLines(linesOf(before), linesOf(after), 100);
    assert.ok(mapping.complete);
    for (let o = 0; o < 1000; o++) assert.equal(mapping.oldToNew[o], o < 500 ? o : o >= 503 ? o - 2 : -1);
  });
});
