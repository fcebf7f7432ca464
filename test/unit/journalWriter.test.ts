import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { type Faults, faultyFs, removeHome, tempHome, until } from '../../bench/helpers/tempStore';
import { parseEntryLine } from '../../src/core/chain/chainEntry';
import { readJournal, readLineAt } from '../../src/core/store/journal/journalReader';
import { type CommittedBatch, JournalWriter } from '../../src/core/store/journal/journalWriter';
import { segmentName } from '../../src/core/store/journal/segments';
import { prepareRecord } from '../../src/core/store/recordPreparer';
import { type StoreProblem, StoreWriteError } from '../../src/core/store/storeErrors';
import { nodeStoreFs } from '../../src/core/store/storeFs';
import { type StoreLayout, storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';

const prepared = (n: number, seed = 1) => new EventGenerator(seed).batch(n).map((r) => prepareRecord(r, 'redacted'));
const lines = (layout: StoreLayout) => {
  const out: string[] = [];
  readJournal(layout.journalDir, { segment: 0, offset: 0, line: 0 }, (l) => out.push(l.text));
  return out;
};

describe('journal: writer', () => {
  let home: string;
  let layout: StoreLayout;
  let problems: StoreProblem[];
  beforeEach(() => {
    home = tempHome();
    layout = storeLayout(home);
    problems = [];
  });
  afterEach(() => removeHome(home));

  it('appends chained lines and tells the index exactly where each one is', async () => {
    const writer = new JournalWriter(layout, { onProblem: (p) => problems.push(p) });
    const batches: CommittedBatch[] = [];
    writer.onCommitted((b) => batches.push(b));
    const first = await writer.append(prepared(5));
    const second = await writer.append(prepared(3, 2));
    await writer.close();
    assert.deepEqual([first, second], [
      { count: 5, firstSeq: 1, lastSeq: 5 },
      { count: 3, firstSeq: 6, lastSeq: 8 },
    ]);
    const ops = batches.flatMap((b) => b.ops);
    assert.equal(ops.length, 8);
    for (const op of ops) {
      assert.equal(op.op, 'put');
      if (op.op !== 'put') continue;
      const text = readLineAt(layout.journalDir, op.segment, op.offset, op.length)!;
      assert.equal(parseEntryLine(text).seq, op.seq);
    }
    assert.equal(verifyStore(layout, 'x').ok, true);
    assert.deepEqual(problems, []);
  });

  it('acknowledges only after fdatasync returned', async () => {
    let open!: () => void;
    const faults: Faults = { datasyncs: 0, beforeDatasync: new Promise<void>((resolve) => (open = resolve)) };
    const writer = new JournalWriter(layout, { onProblem: () => undefined, fs: faultyFs(nodeStoreFs, faults) });
    let acked = false;
    const append = writer.append(prepared(2)).then(() => (acked = true));
    await until(() => faults.datasyncs === 1); // the batch reached fdatasync
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(acked, false, 'not acknowledged while fdatasync is pending');
    open();
    await append;
    await writer.close();
  });

  it('groups concurrent appends into few commits, in call order', async () => {
    const faults: Faults = { datasyncs: 0 };
    const writer = new JournalWriter(layout, { onProblem: () => undefined, fs: faultyFs(nodeStoreFs, faults) });
    const receipts = await Promise.all(prepared(40).map((p) => writer.append([p])));
    await writer.close();
    assert.ok(faults.datasyncs >= 1 && faults.datasyncs <= 3, `40 concurrent appends took ${faults.datasyncs} fdatasyncs`);
    assert.deepEqual(
      receipts.map((r) => r.firstSeq),
      receipts.map((_, i) => i + 1),
    );
  });

  it('splits an append larger than a commit into several commits, in order, acknowledged once', async () => {
    const faults: Faults = { datasyncs: 0 };
    const writer = new JournalWriter(layout, { onProblem: () => undefined, fs: faultyFs(nodeStoreFs, faults), maxBatchEntries: 10 });
    const [big, after] = await Promise.all([writer.append(prepared(35)), writer.append(prepared(2, 2))]);
    await writer.close();
    assert.deepEqual(big, { count: 35, firstSeq: 1, lastSeq: 35 });
    assert.deepEqual(after, { count: 2, firstSeq: 36, lastSeq: 37 });
    assert.equal(faults.datasyncs, 4, 'three full commits, then the rest shares one with the next append');
    assert.equal(verifyStore(layout, 'x').ok, true);
  });

  it('keeps call order even when an earlier append is still being prepared', async () => {
    const writer = new JournalWriter(layout, { onProblem: () => undefined });
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve)).then(() => prepared(1, 3));
    const a = writer.append(slow);
    const b = writer.append(prepared(1, 4));
    setTimeout(release, 20);
    assert.deepEqual([(await a).firstSeq, (await b).firstSeq], [1, 2]);
    await writer.close();
  });

  it('starts a new segment when the newest is full, and the chain runs on across segments', async () => {
    const writer = new JournalWriter(layout, { onProblem: () => undefined, maxSegmentBytes: 8 * 1024 });
    for (let i = 0; i < 6; i++) await writer.append(prepared(5, i));
    await writer.close();
    assert.ok(readdirSync(layout.journalDir).length >= 3);
    const result = verifyStore(layout, 'x');
    assert.equal(result.ok, true);
    assert.equal(result.entries, 30);
  });

  it('cuts off a torn tail left by a crash (quarantined, reported) before appending', async () => {
    const writer = new JournalWriter(layout, { onProblem: () => undefined });
    await writer.append(prepared(3));
    await writer.close();
    const segment = path.join(layout.journalDir, segmentName(1));
    const before = statSync(segment).size;
    const torn = '{"at":"2026-01-01T00:00:00.000Z","hash":"ab';
    appendFileSync(segment, torn);
    const next = new JournalWriter(layout, { onProblem: (p) => problems.push(p) });
    assert.equal((await next.append(prepared(2, 9))).firstSeq, 4);
    await next.close();
    assert.equal(problems[0]?.kind, 'torn_tail');
    assert.match(problems[0]!.message, new RegExp(`000001.jsonl: ${torn.length} bytes at offset ${before}`));
    assert.equal(readFileSync(path.join(layout.quarantineDir, `000001.jsonl-${before}.torn`), 'utf8'), torn);
    assert.equal(verifyStore(layout, 'x').ok, true);
    assert.equal(lines(layout).length, 5);
  });

  it('on a full disk: rejects with a clear error, leaves no partial line, and acknowledges nothing', async () => {
    const faults: Faults = { datasyncs: 0 };
    const writer = new JournalWriter(layout, { onProblem: () => undefined, fs: faultyFs(nodeStoreFs, faults) });
    await writer.append(prepared(3));
    const size = statSync(path.join(layout.journalDir, segmentName(1))).size;
    faults.failWritesAfterBytes = size + 1500; // the next batch fits only partly
    await assert.rejects(writer.append(prepared(5, 2)), (err: unknown) => {
      assert.ok(err instanceof StoreWriteError);
      assert.equal(err.code, 'ENOSPC');
      assert.match(err.message, /could not append 5 provenance entries to the provenance store at .*: the disk is full \(ENOSPC\); nothing was acknowledged/);
      return true;
    });
    assert.equal(statSync(path.join(layout.journalDir, segmentName(1))).size, size, 'the partial write was cut back');
    faults.failWritesAfterBytes = undefined;
    assert.equal((await writer.append(prepared(2, 3))).firstSeq, 4, 'the failed batch took no seq numbers');
    await writer.close();
    assert.equal(verifyStore(layout, 'x').ok, true);
    assert.equal(lines(layout).length, 5);
  });

  it('treats a failed fdatasync as a failed write (nothing acknowledged, bytes cut back)', async () => {
    const faults: Faults = { datasyncs: 0 };
    const writer = new JournalWriter(layout, { onProblem: () => undefined, fs: faultyFs(nodeStoreFs, faults) });
    await writer.append(prepared(2));
    faults.failDatasync = 'EIO';
    await assert.rejects(writer.append(prepared(2, 2)), /the disk reported an I\/O error \(EIO\)/);
    faults.failDatasync = undefined;
    await writer.append(prepared(1, 3));
    await writer.close();
    assert.equal(lines(layout).length, 3);
    assert.equal(verifyStore(layout, 'x').ok, true);
  });

  it('creates nothing until the first append', async () => {
    const writer = new JournalWriter(layout, { onProblem: () => undefined });
    await writer.close();
    assert.equal(existsSync(layout.journalDir), false);
  });
});
