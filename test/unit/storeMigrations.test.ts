import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { fingerprintTree, removeHome, tempHome } from '../../bench/helpers/tempStore';
import { INDEX_MIGRATIONS, INDEX_SCHEMA_VERSION, IndexVersionError, migrateIndex } from '../../src/core/store/index/indexSchema';
import { IndexService } from '../../src/core/store/index/indexService';
import { openStore } from '../../src/core/store/provenanceStore';
import { loadSqlEngine } from '../../src/core/store/sqlEngine';
import { type StoreProblem, StoreFormatError } from '../../src/core/store/storeErrors';
import { storeLayout } from '../../src/core/store/storeHome';
import { openManifest, STORE_VERSION } from '../../src/core/store/storeManifest';

const NEXT = INDEX_SCHEMA_VERSION + 1;
const NEWER = [...INDEX_MIGRATIONS, { version: NEXT, sql: 'ALTER TABLE record ADD COLUMN note TEXT;' }];

describe('store: versions and migrations', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  async function filledStore(count = 20): Promise<string> {
    const store = await openStore({ home, index: 'inProcess' });
    await store.append(new EventGenerator(6).batch(count));
    await store.snapshot();
    await store.close();
    return store.manifest.storeId;
  }

  it('creates store.json with the current version on first open, once even when opened concurrently', async () => {
    const layout = storeLayout(home);
    const [a, b] = await Promise.all([openManifest(layout, { create: true }), openManifest(layout, { create: true })]);
    assert.equal(a.storeId, b.storeId);
    assert.deepEqual(JSON.parse(readFileSync(layout.manifest, 'utf8')).version, STORE_VERSION);
  });

  it('refuses a store written by a newer version with a clear message, and touches nothing', async () => {
    await filledStore();
    const manifest = JSON.parse(readFileSync(path.join(home, 'store.json'), 'utf8'));
    writeFileSync(path.join(home, 'store.json'), JSON.stringify({ ...manifest, version: 99 }));
    const before = fingerprintTree(home);
    for (const index of ['worker', 'inProcess', 'none'] as const) {
      await assert.rejects(openStore({ home, index }), (err: unknown) => {
        assert.ok(err instanceof StoreFormatError);
        assert.match(err.message, /was written by a newer LineageLens \(store format version 99; this version reads up to 1\): upgrade LineageLens to open it\. Nothing was changed\./);
        return true;
      });
    }
    assert.deepEqual(fingerprintTree(home), before);
  });

  it('refuses a directory whose store.json is not a LineageLens store', async () => {
    writeFileSync(path.join(home, 'store.json'), JSON.stringify({ format: 'something.else', version: 1, storeId: 'x' }));
    await assert.rejects(openStore({ home, index: 'none' }), /is not a LineageLens store/);
  });

  it('migrates an older index schema forward, step by step, keeping its rows', async () => {
    const storeId = await filledStore();
    const service = await IndexService.open({ layout: storeLayout(home), storeId, onProblem: () => undefined, migrations: NEWER });
    assert.equal(service.stats().records, 20);
    assert.equal(service.stats().loadedFrom, 'snapshot', 'the older snapshot was used, not rebuilt');
    service.close();
  });

  it('backfills the lineage edges once when an index from before them (schema 1) is opened', async () => {
    const writer = await openStore({ home, index: 'none' });
    await writer.append(new EventGenerator(6).batch(30));
    await writer.close();
    const storeId = writer.manifest.storeId;
    const old = await IndexService.open({ layout: storeLayout(home), storeId, onProblem: () => undefined, migrations: INDEX_MIGRATIONS.slice(0, 1), snapshots: { onCloseMinEntries: 0 } });
    assert.equal(old.snapshot().written, true);
    old.close();
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, index: 'inProcess', onProblem: (p) => problems.push(p), snapshots: { onCloseMinEntries: 0 } });
    const stats = await store.stats();
    assert.equal(stats.loadedFrom, 'journal', 'rebuilt from the journal, which fills the lineage tables');
    const counts = await store.lineage({ op: 'counts' });
    assert.ok(counts.edges >= 30, `${counts.edges} edges after the backfill`);
    await store.snapshot();
    await store.close();
    assert.deepEqual(problems, []);
    const again = await openStore({ home, index: 'inProcess' });
    assert.equal((await again.stats()).loadedFrom, 'snapshot', 'once: the new snapshot is used from then on');
    assert.deepEqual(await again.lineage({ op: 'counts' }), counts);
    await again.close();
  });

  it('refuses to downgrade an index: a newer snapshot is left as it is, and the index is rebuilt in memory', async () => {
    const storeId = await filledStore();
    const layout = storeLayout(home);
    const newer = await IndexService.open({ layout, storeId, onProblem: () => undefined, migrations: NEWER, snapshots: { onCloseMinEntries: 0 } });
    newer.snapshot();
    newer.close();
    const snapshotBytes = readFileSync(layout.snapshotFile);
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, index: 'inProcess', onProblem: (p) => problems.push(p), snapshots: { onCloseMinEntries: 0 } });
    assert.equal((await store.stats()).records, 20);
    await store.append(new EventGenerator(7).batch(2));
    await store.snapshot();
    await store.close();
    assert.match(problems[0]!.message, new RegExp(`written by a newer LineageLens \\(index schema ${NEXT}\\); it is left as it is and not overwritten`));
    assert.deepEqual(readFileSync(layout.snapshotFile), snapshotBytes);
  });

  it('names the versions when a database is newer than its migrations', async () => {
    const SQL = await loadSqlEngine();
    const db = new SQL.Database();
    migrateIndex(db, NEWER);
    assert.throws(() => migrateIndex(db, INDEX_MIGRATIONS), (err: unknown) => err instanceof IndexVersionError && err.found === NEXT && err.supported === INDEX_SCHEMA_VERSION);
    db.close();
  });
});
