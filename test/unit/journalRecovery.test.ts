import * as assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { type JournalLine, readJournal } from '../../src/core/store/journal/journalReader';
import { segmentName } from '../../src/core/store/journal/segments';
import { openStore } from '../../src/core/store/provenanceStore';
import type { StoreProblem } from '../../src/core/store/storeErrors';
import { storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';

describe('journal: reading back and recovering from damage', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  const seg = (n: number) => path.join(storeLayout(home).journalDir, segmentName(n));
  const readAll = () => {
    const lines: JournalLine[] = [];
    const result = readJournal(storeLayout(home).journalDir, { segment: 0, offset: 0, line: 0 }, (l) => lines.push(l));
    return { lines, result };
  };

  async function storeWith(count: number, maxSegmentBytes?: number) {
    const store = await openStore({ home, index: 'none', journal: { maxSegmentBytes } });
    const generator = new EventGenerator(2);
    for (let i = 0; i < count; i += 5) await store.append(generator.batch(Math.min(5, count - i)));
    await store.close();
  }

  it('reads every complete line with its position, and leaves an unfinished last line for later', async () => {
    await storeWith(4);
    appendFileSync(seg(1), '{"at":"2026-01-01T00:00:00');
    const { lines, result } = readAll();
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => l.line),
      [1, 2, 3, 4],
    );
    const bytes = readFileSync(seg(1));
    for (const l of lines) assert.equal(bytes.toString('utf8', l.offset, l.offset + l.length), l.text);
    assert.equal(result.pendingTailBytes, 26);
    assert.equal(result.position.offset, lines[3]!.offset + lines[3]!.length + 1);
  });

  it('hands out bytes without a newline at the end of an OLDER segment as an unterminated line', async () => {
    await storeWith(40, 16 * 1024);
    const names = readdirSync(storeLayout(home).journalDir);
    assert.ok(names.length >= 2);
    appendFileSync(seg(1), '{"broken');
    const unterminated = readAll().lines.filter((l) => l.unterminated);
    assert.deepEqual(
      unterminated.map((l) => [l.segment, l.text]),
      [[1, '{"broken']],
    );
  });

  it('skips pruned (blanked) lines but keeps counting lines', async () => {
    await storeWith(3);
    const bytes = readFileSync(seg(1));
    const firstEnd = bytes.indexOf(0x0a);
    bytes.fill(0x20, 0, firstEnd);
    writeFileSync(seg(1), bytes);
    const { lines } = readAll();
    assert.deepEqual(
      lines.map((l) => l.line),
      [2, 3],
    );
  });

  it('reports a corrupt middle line with its position, copies it to quarantine and keeps every other record', async () => {
    await storeWith(10);
    const text = readFileSync(seg(1), 'utf8').split('\n');
    const offset = Buffer.byteLength(text.slice(0, 4).join('\n')) + 1;
    text[4] = text[4]!.slice(0, 100); // line 5 damaged
    writeFileSync(seg(1), text.join('\n'));
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, index: 'inProcess', onProblem: (p) => problems.push(p) });
    const stats = await store.stats();
    assert.equal(stats.records, 9);
    const corrupt = problems.filter((p) => p.kind === 'corrupt_line');
    assert.equal(corrupt.length, 1);
    assert.deepEqual([corrupt[0]!.segment, corrupt[0]!.line, corrupt[0]!.offset], ['000001.jsonl', 5, offset]);
    assert.match(corrupt[0]!.message, /000001\.jsonl line 5 \(byte \d+\) skipped: not valid JSON \(at character 100\); copied to quarantine\//);
    assert.equal(readFileSync(path.join(home, 'quarantine', `000001.jsonl-${offset}.line`), 'utf8'), text[4]);
    // Writing goes on after the damaged line; verify names it.
    await store.append(new EventGenerator(3).batch(2));
    assert.equal((await store.stats()).records, 11);
    await store.close();
    const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(verdict.ok, false);
    assert.deepEqual([verdict.firstBreak!.line, verdict.firstBreak!.reason], [5, 'unparsable']);
  });

  it('never puts problem text from the damaged line into the report (no code or prompts in logs)', async () => {
    await storeWith(3);
    const text = readFileSync(seg(1), 'utf8').split('\n');
    text[1] = `{"secret-code-here": ${'x'.repeat(50)}`;
    writeFileSync(seg(1), text.join('\n'));
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, index: 'inProcess', onProblem: (p) => problems.push(p) });
    await store.close();
    assert.equal(problems.length, 1);
    assert.doesNotMatch(problems[0]!.message, /secret-code-here|xxxx/);
  });
});
