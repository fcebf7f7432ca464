import * as assert from 'node:assert/strict';
import { blocksFromHunks, blocksFromTexts, HunkError, lineCount, rangeOfTextInFile } from '../../src/core/connectors/lineBlocks';
import { applyPatchChunks, parseCodexPatch, PatchApplyError, PatchParseError, pathsOfPatch } from '../../src/core/connectors/patch/applyPatch';
import { hunksOfUnifiedDiff, partsFromPatch } from '../../src/core/connectors/patch/patchEdits';

const FILE = ['use std::io;', '', 'fn main() {', '    println!("hi");', '}', ''].join('\n');

describe('connectors: Codex patches', () => {
  it('parses add, update (with move and anchor), and delete operations', () => {
    const ops = parseCodexPatch(
      [
        '*** Begin Patch',
        '*** Add File: src/new.rs',
        '+pub fn new() {}',
        '+',
        '*** Update File: src/main.rs',
        '*** Move to: src/app.rs',
        '@@ fn main() {',
        '-    println!("hi");',
        '+    println!("hello");',
        '*** Delete File: src/old.rs',
        '*** End Patch',
      ].join('\n'),
    );
    assert.deepEqual(ops[0], { type: 'add', path: 'src/new.rs', content: 'pub fn new() {}\n\n' });
    assert.equal(ops[1].type, 'update');
    assert.deepEqual(ops[1].type === 'update' && { moveTo: ops[1].moveTo, anchor: ops[1].chunks[0].anchor, lines: ops[1].chunks[0].lines.length }, {
      moveTo: 'src/app.rs',
      anchor: 'fn main() {',
      lines: 2,
    });
    assert.deepEqual(ops[2], { type: 'delete', path: 'src/old.rs' });
    assert.deepEqual(pathsOfPatch(ops), ['src/new.rs', 'src/main.rs', 'src/app.rs', 'src/old.rs']);
  });

  it('finds the patch inside a shell heredoc', () => {
    const ops = parseCodexPatch("apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: a.txt\n*** End Patch\nEOF\n");
    assert.deepEqual(ops, [{ type: 'delete', path: 'a.txt' }]);
  });

  it('refuses malformed patches with PatchParseError naming the line', () => {
    const bad: [string, RegExp][] = [
      ['no markers at all', /no '\*\*\* Begin Patch' line/],
      ['*** Begin Patch\n*** Update File: a\n@@\n-x\n', /no '\*\*\* End Patch' line/],
      ['*** Begin Patch\n*** Add File: a\nnot-plus\n*** End Patch', /line 3.*does not start with '\+'/],
      ['*** Begin Patch\n*** Update File: a\n@@\n?what\n*** End Patch', /line 4.*not context/],
      ['*** Begin Patch\n*** Frobnicate File: a\n*** End Patch', /line 2.*expected a file operation/],
      ['*** Begin Patch\n*** Update File: a\n*** End Patch', /has no changes/],
      ['*** Begin Patch\n*** Add File:   \n*** End Patch', /names no path/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseCodexPatch(text), (err: Error) => err instanceof PatchParseError && message.test(err.message), text);
  });

  it('applies chunks to the old text: new text and exact line blocks', () => {
    const [op] = parseCodexPatch('*** Begin Patch\n*** Update File: src/main.rs\n@@\n fn main() {\n-    println!("hi");\n+    println!("hello");\n+    println!("world");\n }\n*** End Patch');
    assert.equal(op.type, 'update');
    const applied = applyPatchChunks(FILE, op.type === 'update' ? op.chunks : []);
    assert.equal(applied.newText, 'use std::io;\n\nfn main() {\n    println!("hello");\n    println!("world");\n}\n');
    assert.deepEqual(applied.blocks, [
      { oldStart: 3, newStart: 3, removedLines: 1, addedLines: 2, removedText: '    println!("hi");\n', addedText: '    println!("hello");\n    println!("world");\n' },
    ]);
  });

  it('matches context ignoring trailing and surrounding whitespace, after the anchor', () => {
    const text = 'a\nfn f() {\n  x   \n}\nfn g() {\n  x\n}\n';
    const [op] = parseCodexPatch('*** Begin Patch\n*** Update File: t\n@@ fn g() {\n-x\n+y\n*** End Patch');
    const applied = applyPatchChunks(text, op.type === 'update' ? op.chunks : []);
    // The anchor skips f's "x": only g's is replaced (its surrounding whitespace differs from the patch's).
    assert.equal(applied.newText, 'a\nfn f() {\n  x   \n}\nfn g() {\ny\n}\n');
    assert.deepEqual(applied.blocks.map((b) => [b.oldStart, b.newStart]), [[5, 5]]);
  });

  it('says which chunk does not match, never a crash', () => {
    const [op] = parseCodexPatch('*** Begin Patch\n*** Update File: src/main.rs\n@@\n-not in the file\n+x\n*** End Patch');
    assert.throws(() => applyPatchChunks(FILE, op.type === 'update' ? op.chunks : [], 'src/main.rs'), (err: Error) => err instanceof PatchApplyError && /chunk 1 of the patch to src\/main\.rs does not match/.test(err.message));
  });

  it('records a patch without the file as its changed lines, and with the file as exact ranges', () => {
    const ops = parseCodexPatch('*** Begin Patch\n*** Update File: src/main.rs\n@@\n fn main() {\n-    println!("hi");\n+    println!("hello");\n }\n*** Add File: b.txt\n+one\n+two\n*** Delete File: c.txt\n*** End Patch');
    const blind = partsFromPatch(ops);
    assert.deepEqual(blind.parts, [
      { filePath: 'src/main.rs', oldText: '    println!("hi");\n', newText: '    println!("hello");\n' },
      { filePath: 'b.txt', newText: 'one\ntwo\n', range: { startLine: 0, endLine: 2 } },
    ]);
    const seen = partsFromPatch(ops, (p) => (p === 'src/main.rs' ? FILE : undefined));
    assert.deepEqual(seen.parts[0].range, { startLine: 3, endLine: 4 });
    assert.deepEqual(seen.parts[0].rangeBefore, { startLine: 3, endLine: 4 });
    const mismatched = partsFromPatch(ops, () => 'something else\n');
    assert.equal(mismatched.parts[0].range, undefined);
    assert.match(mismatched.warnings[0], /does not match the file; its changes are recorded without line positions/);
  });
});

describe('connectors: line blocks', () => {
  it('turns jsdiff hunks into blocks of changed lines only', () => {
    const blocks = blocksFromHunks([
      { oldStart: 5, oldLines: 6, newStart: 5, newLines: 8, lines: [' :root {', '   --blue: 1;', '+  --green: 2;', '+  --yellow: 3;', ' }', '-gone', '+came', '\\ No newline at end of file'] },
    ]);
    assert.deepEqual(blocks, [
      { oldStart: 6, newStart: 6, removedLines: 0, addedLines: 2, removedText: '', addedText: '  --green: 2;\n  --yellow: 3;\n' },
      { oldStart: 7, newStart: 9, removedLines: 1, addedLines: 1, removedText: 'gone\n', addedText: 'came' },
    ]);
    assert.throws(() => blocksFromHunks([{ oldStart: 1, newStart: 1, lines: ['*bad'] }]), HunkError);
  });

  it('parses unified diffs (Codex patch_apply_begin) into the same hunks', () => {
    const hunks = hunksOfUnifiedDiff('@@ -1,2 +1,3 @@\n a\n+b\n c\n');
    assert.deepEqual(blocksFromHunks(hunks).map((b) => [b.newStart, b.addedLines]), [[1, 1]]);
    assert.deepEqual(hunksOfUnifiedDiff('no diff here'), []);
  });

  it('diffs two texts into blocks, cutting the common prefix and suffix', () => {
    assert.deepEqual(blocksFromTexts('a\nb\nc\n', 'a\nB\nc\nd\n'), [
      { oldStart: 1, newStart: 1, removedLines: 1, addedLines: 1, removedText: 'b\n', addedText: 'B\n' },
      { oldStart: 3, newStart: 3, removedLines: 0, addedLines: 1, removedText: '', addedText: 'd\n' },
    ]);
    assert.deepEqual(blocksFromTexts('same\n', 'same\n'), []);
    assert.deepEqual(blocksFromTexts('', 'x\ny'), [{ oldStart: 0, newStart: 0, removedLines: 0, addedLines: 2, removedText: '', addedText: 'x\ny' }]);
    assert.equal(lineCount('x\ny'), 2);
    assert.equal(lineCount('x\ny\n'), 2);
  });

  it('places a text in a file only when it occurs exactly once', () => {
    assert.deepEqual(rangeOfTextInFile('a\nb\nc\n', 'b\nc\n'), { startLine: 1, endLine: 3 });
    assert.deepEqual(rangeOfTextInFile('a\nbc\n', 'c'), { startLine: 1, endLine: 2 });
    assert.equal(rangeOfTextInFile('x\nx\n', 'x'), undefined);
    assert.equal(rangeOfTextInFile('abc', 'zzz'), undefined);
  });
});
