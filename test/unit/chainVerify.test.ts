import * as assert from 'node:assert/strict';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { canonicalJson } from '../../src/core/chain/canonicalJson';
import { computeEntryHash, formatEntry, formatPutLine, GENESIS_HASH, parseEntryLine, putLineLength, writePutLine } from '../../src/core/chain/chainEntry';
import { type ChainVerification, ChainVerifier } from '../../src/core/chain/chainVerifier';

const AT = '2026-01-02T03:04:05.678Z';

/** A chain of `n` put entries (seq from `firstSeq`, linked from `prev`), as lines. */
function chain(n: number, firstSeq = 1, prev = GENESIS_HASH): string[] {
  const records = new EventGenerator(5).batch(n);
  return records.map((record, i) => {
    const { line, hash } = formatPutLine(firstSeq + i, prev, AT, canonicalJson(record));
    prev = hash;
    return line;
  });
}

function verify(lines: string[]): ChainVerification {
  const verifier = new ChainVerifier();
  lines.forEach((text, i) => verifier.push(text, { segment: '000001.jsonl', line: i + 1, offset: i * 100 }));
  return verifier.finish();
}

describe('chain: entries and verification', () => {
  it('writes puts on the fast path byte-identical to the generic canonical form', () => {
    for (const record of new EventGenerator(9).batch(50)) {
      const fast = formatPutLine(7, GENESIS_HASH, AT, canonicalJson(record));
      const generic = formatEntry({ seq: 7, prev: GENESIS_HASH, at: AT, op: 'put', record: record as unknown as Record<string, unknown> });
      assert.equal(fast.line, generic.line);
      assert.equal(fast.hash, generic.hash);
      assert.equal(computeEntryHash(parseEntryLine(fast.line)), fast.hash);
    }
  });

  it('writes a batch of put lines in place (one buffer, one hash call each) byte-identical to formatPutLine', () => {
    const records = new EventGenerator(11).batch(30).map((r) => canonicalJson(r));
    records.push(canonicalJson({ text: 'non-ASCII: é 😀 \u2028 and a lone \ud800 surrogate', n: -0 }));
    const atJson = canonicalJson(AT);
    const lengths = records.map((json, i) => putLineLength(100 + i, atJson, Buffer.byteLength(json)));
    const target = Buffer.alloc(lengths.reduce((n, l) => n + l + 1, 3), 0xff);
    let at = 3; // not at the start of the buffer: offsets must be honoured
    let prev = GENESIS_HASH;
    const expected: string[] = [];
    records.forEach((json, i) => {
      const reference = formatPutLine(100 + i, prev, AT, json);
      prev = writePutLine(target, at, 100 + i, prev, atJson, Buffer.from(json, 'utf8'));
      assert.equal(prev, reference.hash);
      expected.push(reference.line);
      at += lengths[i]! + 1;
    });
    // Checked after all writes: a line must not spill into its neighbours (the gaps keep their 0xff).
    at = 3;
    expected.forEach((line, i) => {
      assert.equal(target.subarray(at, at + lengths[i]!).toString('utf8'), line);
      assert.equal(target[at + lengths[i]!], 0xff);
      at += lengths[i]! + 1;
    });
    assert.equal(target.subarray(0, 3).toString('hex'), 'ffffff', 'nothing written before the offset');
  });

  it('accepts an intact chain and reports its head', () => {
    const lines = chain(20);
    const result = verify(lines);
    assert.equal(result.ok, true);
    assert.equal(result.entries, 20);
    assert.deepEqual(result.head, { seq: 20, hash: parseEntryLine(lines[19]!).hash });
  });

  it('names the edited line when one byte of a record changes', () => {
    const lines = chain(10);
    lines[4] = lines[4]!.replace('"kind":"edit"', '"kind":"edjt"').replace('"kind":"session"', '"kind":"sessjon"');
    const result = verify(lines);
    assert.equal(result.ok, false);
    assert.deepEqual({ line: result.firstBreak!.line, seq: result.firstBreak!.seq, reason: result.firstBreak!.reason }, { line: 5, seq: 5, reason: 'hash_mismatch' });
  });

  it('names the next line when an edited entry was re-hashed to hide the edit', () => {
    const lines = chain(10);
    const entry = parseEntryLine(lines[4]!);
    const forged = formatEntry({ ...entry, at: '2020-01-01T00:00:00.000Z' } as never);
    lines[4] = forged.line;
    const result = verify(lines);
    assert.deepEqual([result.firstBreak!.line, result.firstBreak!.reason], [6, 'prev_mismatch']);
  });

  it('names the line after a deleted line (seq gap)', () => {
    const lines = chain(10);
    lines.splice(3, 1);
    const result = verify(lines);
    assert.deepEqual([result.firstBreak!.line, result.firstBreak!.seq, result.firstBreak!.reason], [4, 5, 'seq_gap']);
    assert.match(result.firstBreak!.message, /expected entry 4 after 3, found 5/);
  });

  it('names the first of two swapped lines', () => {
    const lines = chain(10);
    [lines[6], lines[7]] = [lines[7]!, lines[6]!];
    const result = verify(lines);
    assert.deepEqual([result.firstBreak!.line, result.firstBreak!.seq, result.firstBreak!.reason], [7, 8, 'seq_gap']);
  });

  it('reports an unparsable line once and keeps checking after it', () => {
    const lines = chain(10);
    lines[2] = '{"at":"2026-01-02T03:04:05.678Z","hash":"trunc';
    lines[8] = lines[8]!.replace('"op":"put"', '"op":"pux"');
    const result = verify(lines);
    assert.deepEqual([result.firstBreak!.line, result.firstBreak!.reason], [3, 'unparsable']);
    assert.equal(result.breaks, 2);
  });

  it('refuses a chain that starts after seq 1 unless a prune entry vouches for the removed prefix', () => {
    const full = chain(10);
    const kept = full.slice(4);
    assert.equal(verify(kept).firstBreak?.reason, 'unvouched_start');
    const last = parseEntryLine(full[9]!);
    const removedLast = parseEntryLine(full[3]!);
    const prune = formatEntry({
      seq: 11,
      prev: last.hash,
      at: AT,
      op: 'prune',
      prune: { olderThanDays: 30, cutoff: AT, removed: { count: 4, fromSeq: 1, toSeq: 4, lastHash: removedLast.hash } },
    });
    assert.equal(verify([...kept, prune.line]).ok, true);
    // The voucher must match exactly: a prune naming another hash does not cover the cut.
    const wrong = formatEntry({
      seq: 11,
      prev: last.hash,
      at: AT,
      op: 'prune',
      prune: { olderThanDays: 30, cutoff: AT, removed: { count: 4, fromSeq: 1, toSeq: 4, lastHash: GENESIS_HASH } },
    });
    assert.equal(verify([...kept, wrong.line]).firstBreak?.reason, 'unvouched_start');
  });

  it('refuses entry 1 that does not start from the genesis hash', () => {
    const lines = chain(3, 1, 'a'.repeat(64));
    assert.equal(verify(lines).firstBreak?.reason, 'prev_mismatch');
  });
});
