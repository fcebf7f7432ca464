import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { openStore } from '../../src/core/store/provenanceStore';
import { storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';
import { repoRoot } from './helpers';

const WRITER = path.join(repoRoot, 'out', 'bench', 'helpers', 'storeWriterProcess.js');

interface Writer {
  child: ChildProcess;
  acked: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts a writer process; `acked` fills with the ids it printed as acknowledged. */
function startWriter(options: Record<string, unknown>, onAck?: (w: Writer) => void): Writer {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const writer = { child, acked: [] as string[] } as Writer;
  let buffered = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('ack ')) continue;
      writer.acked.push(...line.split(' ')[3]!.split(','));
      onAck?.(writer);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  writer.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return writer;
}

describe('store: several processes at once, and crashes', function () {
  this.timeout(120_000);
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  it('4 processes appending 2,000 records each concurrently: exactly 8,000 records, unique ids, the chain verifies', async () => {
    const writers = [0, 1, 2, 3].map((i) =>
      startWriter({ home, count: 2_000, batch: 50, seed: i + 1, idPrefix: `p${i}-`, inFlight: 2, maxSegmentBytes: 512 * 1024 }),
    );
    for (const w of writers) {
      const exit = await w.exited;
      assert.equal(exit.code, 0, exit.stderr);
    }
    const acked = writers.flatMap((w) => w.acked);
    assert.equal(acked.length, 8_000);

    const store = await openStore({ home, index: 'inProcess' });
    const hits = await store.queryAll({ limit: 10_000 });
    await store.close();
    const ids = new Set(hits.map((h) => h.id));
    assert.equal(hits.length, 8_000);
    assert.equal(ids.size, 8_000, 'ids are unique');
    assert.deepEqual([...ids].sort(), [...acked].sort(), 'exactly the acknowledged records');
    const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(verdict.ok, true, verdict.firstBreak?.message);
    assert.equal(verdict.entries, 8_000);
    assert.ok(verdict.segments > 1, 'segments rotated while processes competed');
  });

  it('kill -9 in the middle of a 10,000-record burst: every acknowledged record survives, the store opens, the chain verifies', async () => {
    let killedAt = 0;
    const writer = startWriter({ home, count: 10_000, batch: 100, seed: 7, idPrefix: 'crash-', inFlight: 4 }, (w) => {
      if (!killedAt && w.acked.length >= 2_000) {
        killedAt = w.acked.length;
        w.child.kill('SIGKILL');
      }
    });
    const exit = await writer.exited;
    assert.equal(exit.signal, 'SIGKILL', `the writer was killed mid-burst (exit ${exit.code}: ${exit.stderr})`);
    const acked = writer.acked;
    assert.ok(acked.length < 10_000);

    const store = await openStore({ home, index: 'inProcess' });
    const found = await store.getRecords(acked);
    assert.equal(found.filter((r) => r === null).length, 0, `lost acknowledged records out of ${acked.length}`);
    const before = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(before.ok, true, before.firstBreak?.message);
    // Writing again cuts off whatever the crash left half-written; the chain still verifies.
    await store.append(found.slice(0, 3).map((r) => ({ ...r!, id: `${r!.id}-again` })));
    await store.close();
    const after = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(after.ok, true, after.firstBreak?.message);
    assert.equal(after.incompleteTailBytes, 0);
  });
});
