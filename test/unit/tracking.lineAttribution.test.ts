import * as assert from 'node:assert/strict';
import { isWhitespaceCode, LineTally, type LineVerdict } from '../../src/core/tracking/lineAttribution';

/**
 * Classifies one line given as segments: [text, origin] where origin is null (human), 'r1' (AI) or
 * 'r1*' (AI, modified). The last segment may include the line break, which is whitespace.
 */
function classify(...segments: [string, string | null][]): LineVerdict | null {
  const content = segments.map(([text]) => text).join('').replace(/\r?\n$/, '');
  const tally = new LineTally();
  let column = 0;
  for (const [text, origin] of segments) {
    const modified = origin?.endsWith('*') ?? false;
    tally.add(content, column, column + text.length, origin === null ? null : origin.replace('*', ''), modified);
    column += text.length;
  }
  return tally.verdict();
}

describe('line attribution definition', () => {
  it('treats exactly what /\\s/ matches as whitespace', () => {
    for (let code = 0; code <= 0xffff; code++) {
      assert.equal(isWhitespaceCode(code), /\s/.test(String.fromCharCode(code)), `U+${code.toString(16)}`);
    }
  });

  it('calls a line AI when more than half of its non-whitespace characters are AI', () => {
    assert.deepEqual(classify(['const x = f();\n', 'r1']), { recordId: 'r1', modified: false });
    assert.deepEqual(classify(['ab', null], ['cde', 'r1']), { recordId: 'r1', modified: true });
    assert.equal(classify(['abc', null], ['def', 'r1']), null, 'exactly half is not more than half');
    assert.equal(classify(['const x = ', null], ['f();', 'r1']), null);
  });

  it('ignores whitespace: human indentation and line breaks do not make an AI line human or modified', () => {
    assert.deepEqual(classify(['        ', null], ['return x;', 'r1'], ['\n', null]), { recordId: 'r1', modified: false });
  });

  it('calls a blank line AI only when every character on it is AI', () => {
    assert.deepEqual(classify(['  \n', 'r1']), { recordId: 'r1', modified: false });
    assert.equal(classify(['  ', 'r1'], ['\n', null]), null);
    assert.equal(classify(['\n', null]), null);
    assert.equal(classify(), null, 'the empty last line has no characters');
  });

  it('marks an AI line modified when a human typed visible characters on it or its AI text was touched', () => {
    assert.deepEqual(classify(['retu', 'r1'], ['X', null], ['rn x;', 'r1']), { recordId: 'r1', modified: true });
    assert.deepEqual(classify(['return', 'r1*'], [' x;', 'r1']), { recordId: 'r1', modified: true });
    assert.deepEqual(classify(['  \n', 'r1*']), { recordId: 'r1', modified: true });
  });

  it('names the record with the most non-whitespace characters, the earlier one on a tie', () => {
    assert.deepEqual(classify(['ab', 'r1'], ['cde', 'r2']), { recordId: 'r2', modified: false });
    assert.deepEqual(classify(['abc', 'r1'], ['   def', 'r2']), { recordId: 'r1', modified: false });
  });
});
