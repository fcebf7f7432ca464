import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';

const DAY = 86_400_000;
const allBytes = (dir: string): string =>
  readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? allBytes(path.join(dir, e.name)) : readFileSync(path.join(dir, e.name)).toString('latin1')))
    .join('\n');

describe('store: retention', () => {
  let home: string;
  let store: ProvenanceStore;
  const generator = new EventGenerator(21);
  beforeEach(async () => {
    home = tempHome();
    store = await openStore({ home, index: 'inProcess' });
  });
  afterEach(async () => {
    await store.close();
    removeHome(home);
  });

  /** Appends `batches` batches of 5; returns their ids and the moment right after them. */
  async function appendOld(batches: number) {
    const ids: string[] = [];
    for (let i = 0; i < batches; i++) {
      const records = generator.batch(5);
      await store.append(records);
      ids.push(...records.map((r) => r.id));
    }
    await new Promise((resolve) => setTimeout(resolve, 5)); // later appends get a later `at`
    return { ids, until: Date.now() };
  }

  it('removes entries appended before the cutoff, records it in the chain, and the chain still verifies', async () => {
    const old = await appendOld(12);
    const kept = generator.batch(7);
    await store.append(kept);
    const result = await store.prune({ olderThanDays: 30, now: new Date(old.until + 30 * DAY) });
    assert.deepEqual([result.removed, result.fromSeq, result.toSeq, result.pruneSeq], [60, 1, 60, 68]);
    assert.deepEqual([result.segmentsDeleted, result.segmentsRewritten], [0, 1], 'the cut falls inside the only segment');

    assert.equal((await store.stats()).records, 7);
    assert.deepEqual(await store.getRecords(old.ids.slice(0, 3)), [null, null, null]);
    const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(verdict.ok, true, verdict.firstBreak?.message);
    assert.deepEqual([verdict.firstSeq, verdict.prunes, verdict.head?.seq], [61, 1, 68]);

    // Not a trace of the removed records anywhere in the store: journal, snapshot, quarantine.
    const everything = allBytes(home);
    const stillReferenced = JSON.stringify(kept); // a kept edit may name a session that began before the cut
    for (const id of old.ids.filter((i) => !stillReferenced.includes(i))) assert.equal(everything.includes(id), false, `${id} is still on disk`);
    for (const record of kept) assert.ok(everything.includes(record.id));
  });

  it('leaves a chain that a fresh process replays and verifies, and that takes new appends', async () => {
    const old = await appendOld(3);
    await store.append(generator.batch(2));
    await store.prune({ olderThanDays: 1, now: new Date(old.until + DAY) });
    await store.close();
    store = await openStore({ home, index: 'inProcess', snapshots: { enabled: false } });
    assert.equal((await store.stats()).records, 2);
    await store.append(generator.batch(3));
    assert.equal((await store.stats()).records, 5);
    assert.equal(verifyStore(storeLayout(home), store.manifest.storeId).ok, true);
  });

  it('deletes whole segments that are entirely old', async () => {
    await store.close();
    store = await openStore({ home, index: 'inProcess', journal: { maxSegmentBytes: 20 * 1024 } });
    const old = await appendOld(12);
    await store.append(generator.batch(3));
    const segmentsBefore = readdirSync(storeLayout(home).journalDir).length;
    const result = await store.prune({ olderThanDays: 1, now: new Date(old.until + DAY) });
    assert.ok(result.segmentsDeleted >= 2, `deleted ${result.segmentsDeleted} of ${segmentsBefore} segments`);
    assert.equal(readdirSync(storeLayout(home).journalDir).length, segmentsBefore - result.segmentsDeleted);
    assert.equal((await store.stats()).records, 3);
    assert.equal(verifyStore(storeLayout(home), store.manifest.storeId).ok, true);
  });

  it('does nothing (and writes nothing) when nothing is old enough', async () => {
    await appendOld(2);
    const result = await store.prune({ olderThanDays: 30 });
    assert.equal(result.removed, 0);
    assert.equal(result.pruneSeq, null);
    assert.equal((await store.stats()).lastSeq, 10);
  });

  it('can prune everything, twice, and the prune entries keep vouching', async () => {
    const first = await appendOld(2);
    await store.prune({ olderThanDays: 0, now: new Date(first.until) });
    const second = await appendOld(2);
    const result = await store.prune({ olderThanDays: 0, now: new Date(second.until) });
    assert.deepEqual([result.fromSeq, result.toSeq], [11, 21], 'the second prune removes the first prune entry too');
    assert.equal((await store.stats()).records, 0);
    const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
    assert.equal(verdict.ok, true, verdict.firstBreak?.message);
    assert.equal(verdict.entries, 1);
  });

  it('deletes quarantined copies older than the cutoff as well', async () => {
    const quarantine = storeLayout(home).quarantineDir;
    mkdirSync(quarantine, { recursive: true });
    writeFileSync(path.join(quarantine, 'old.line'), 'x');
    writeFileSync(path.join(quarantine, 'new.line'), 'y');
    const old = new Date(Date.now() - 40 * DAY);
    utimesSync(path.join(quarantine, 'old.line'), old, old);
    const result = await store.prune({ olderThanDays: 30 });
    assert.equal(result.quarantineFilesDeleted, 1);
    assert.deepEqual(readdirSync(quarantine), ['new.line']);
  });
});
