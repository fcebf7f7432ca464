import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import { LIN_FROM_JOURNAL } from '../../src/core/store/index/indexRow';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { prepareRecord } from '../../src/core/store/recordPreparer';
import { storeLayout } from '../../src/core/store/storeHome';

/** Everything the lineage tables answer about a store's sessions, in a comparable form. */
async function lineageOf(store: ProvenanceStore, sessions: string[]) {
  const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
  const descendants = [];
  for (const id of sessions) {
    const d = await store.lineage({ op: 'descendants', node: nodeId.session(id) });
    descendants.push(d && { nodes: sorted(d.nodes), edges: sorted(d.edges) });
  }
  return { counts: await store.lineage({ op: 'counts' }), impact: await store.lineage({ op: 'impact' }), descendants };
}

describe('store: lineage facts of appended records are read from the journal when folded', function () {
  this.timeout(120_000);
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  it('queues a record by its journal location, not its facts', () => {
    const record = new EventGenerator(3).next();
    assert.equal(prepareRecord(record, 'full').fields.lin, LIN_FROM_JOURNAL);
    assert.equal(prepareRecord(record, 'full', 0, false, false).fields.lin, null, 'lineage off: nothing queued');
  });

  it('answers as a replay of the journal does: in the appending process, and reopened from a snapshot taken with the queue unfolded', async () => {
    const generator = new EventGenerator(21);
    const records = generator.batch(600);
    const sessions = records.filter((r) => r.kind === 'session').map((r) => r.id);
    assert.ok(sessions.length >= 10);
    const writer = await openStore({ home, privacy: 'full', snapshots: { idleMs: 1e12 } });
    // The worker has opened the index: the appends below are folded from their commits (queued by
    // location), not read back from the journal by the worker's first catch-up.
    await writer.stats();
    for (let i = 0; i < records.length; i += 150) await writer.append(records.slice(i, i + 150));
    // Puts of ids already stored (the latest put wins), queued behind the first ones.
    await writer.append(records.slice(0, 40).map((r) => (r.kind === 'edit' ? { ...r, disposition: 'rejected' as const } : r)));
    const snapshot = await writer.snapshot(); // the lineage queue is still unfolded: it holds journal locations
    assert.ok(snapshot.written);
    const own = await lineageOf(writer, sessions);
    await writer.close();
    assert.ok(own.counts.nodes > records.length, 'edits, sessions and prompts became nodes');
    assert.ok(own.counts.edges > 0);
    assert.equal(own.counts.failures, 0);

    const reopened = await openStore({ home, privacy: 'full', snapshots: { enabled: false } });
    assert.equal((await reopened.stats()).loadedFrom, 'snapshot');
    const fromSnapshot = await lineageOf(reopened, sessions);
    await reopened.close();

    rmSync(storeLayout(home).snapshotFile);
    const replayed = await openStore({ home, privacy: 'full', snapshots: { enabled: false } });
    assert.equal((await replayed.stats()).loadedFrom, 'journal');
    const fromJournal = await lineageOf(replayed, sessions);
    await replayed.close();

    assert.deepEqual(own, fromJournal);
    assert.deepEqual(fromSnapshot, fromJournal);
  });

  it('after a prune of everything, nothing of the removed records is left in the lineage tables', async () => {
    const store = await openStore({ home, privacy: 'full', index: 'inProcess' });
    try {
      await store.append(new EventGenerator(5).batch(200));
      const result = await store.prune({ olderThanDays: 0 });
      assert.equal(result.removed, 200);
      const counts = await store.lineage({ op: 'counts' });
      assert.equal(counts.failures, 0);
      assert.equal(counts.nodes, 0, 'nothing of the removed records is left');
    } finally {
      await store.close();
    }
  });
});
