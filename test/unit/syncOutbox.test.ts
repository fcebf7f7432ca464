/** The sync outbox on a real disk: durable chain positions, torn lines, per-server acks, compaction. */
import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { Outbox } from '../../src/core/sync/outbox';
import { backoffDelay } from '../../src/core/sync/syncClient';
import { uploadEntryHash, GENESIS_HASH } from '../../src/core/sync/uploadChain';
import { removeDir, tempDir } from './serverHarness';

describe('sync outbox', () => {
  let home: string;
  beforeEach(() => (home = tempDir('ll-outbox-')));
  afterEach(() => removeDir(home));

  const items = (n: number, from = 1) => new EventGenerator(from).batch(n).map((record, i) => ({ record, journalSeq: from * 1000 + i }));

  it('chains entries once, durably: a reopened outbox resends the very same bytes', () => {
    const a = Outbox.open(home);
    assert.equal(a.enqueue(items(5), null), 5);
    const before = a.pending('http://s');
    const b = Outbox.open(home);
    assert.deepEqual(b.pending('http://s'), before);
    assert.equal(b.source, a.source);
    // Each entry links to the one before and its hash is over its content.
    let prev = GENESIS_HASH;
    for (const line of before) {
      const e = JSON.parse(line.json) as { seq: number; prev: string; hash: string; record: unknown };
      assert.equal(e.prev, prev);
      assert.equal(e.hash, uploadEntryHash(e.seq, e.prev, e.record));
      prev = e.hash;
    }
    // Records from journal entries already enqueued are not enqueued twice.
    assert.equal(b.enqueue(items(5), null), 0);
  });

  it('drops a torn last line (never reported enqueued) and continues the chain after the last whole one', () => {
    const a = Outbox.open(home);
    a.enqueue(items(3), null);
    appendFileSync(path.join(home, 'sync', 'outbox.jsonl'), '{"journalSeq":9999,"entry":{"seq":4,"pr');
    const b = Outbox.open(home);
    assert.equal(b.size, 3);
    assert.equal(b.headSeq, 3);
    assert.ok(readFileSync(path.join(home, 'sync', 'outbox.jsonl'), 'utf8').endsWith('\n'));
    b.enqueue(items(2, 2), null);
    assert.deepEqual(b.pending('x').map((l) => l.seq), [1, 2, 3, 4, 5]);
  });

  it('keeps what one server has not acknowledged, and compacts what every server has', () => {
    const o = Outbox.open(home);
    o.enqueue(items(10), null);
    o.ack('http://a', 10);
    assert.equal(o.size, 0, 'a single server acknowledged everything: emptied');
    o.enqueue(items(10, 2), null);
    o.ack('http://b', 14); // b has seen 1-14 (it knew the first 10 from before, say)
    o.ack('http://a', 20);
    let reopened = Outbox.open(home);
    assert.deepEqual(reopened.pending('http://b').map((l) => l.seq), [15, 16, 17, 18, 19, 20]);
    assert.deepEqual(reopened.pending('http://a'), []);
    assert.equal(reopened.size, 10, 'a small acknowledged prefix (4 of 10) is not worth a rewrite yet');
    reopened.ack('http://b', 18);
    reopened = Outbox.open(home);
    assert.equal(reopened.size, 2, 'the prefix both acknowledged was dropped');
    assert.deepEqual(reopened.pending('http://b').map((l) => l.seq), [19, 20]);
    assert.throws(() => reopened.rewind('http://b', 3), /already removed/);
    reopened.rewind('http://b', 18);
    reopened.enqueue(items(1, 3), null);
    assert.deepEqual(Outbox.open(home).pending('http://b').map((l) => l.seq), [19, 20, 21]);
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { baseMs: 500, maxMs: 30_000, maxAttempts: 8 };
    assert.equal(backoffDelay(0, policy, () => 0), 250);
    assert.equal(backoffDelay(0, policy, () => 1), 500);
    assert.equal(backoffDelay(3, policy, () => 1), 4_000);
    assert.equal(backoffDelay(20, policy, () => 1), 30_000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    assert.ok(spread.size > 10, 'jittered');
  });
});
