import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome, until } from '../../bench/helpers/tempStore';
import { rowFieldsOf } from '../../src/core/store/index/indexRow';
import type { FoldBatch } from '../../src/core/store/index/indexService';
import { openStore } from '../../src/core/store/provenanceStore';
import { packFoldBatch, unpackFoldBatch } from '../../src/core/store/worker/foldTransport';
import type { StoreProblem } from '../../src/core/store/storeErrors';
import { resolveStoreHome } from '../../src/core/store/storeHome';

describe('store: through the worker thread', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  it('appends, queries (seeing its own appends at once), fetches records, snapshots and closes', async () => {
    const store = await openStore({ home });
    const generator = new EventGenerator(12);
    for (let i = 1; i <= 5; i++) {
      const records = generator.batch(40);
      const receipt = await store.append(records);
      assert.equal((await store.stats()).records, 40 * i, 'a query after an acknowledged append sees it');
      const [first] = await store.getRecords([receipt.firstSeq]);
      assert.equal(first!.id, records[0]!.id);
    }
    assert.deepEqual(await store.hasRecords([generator.batch(1)[0]!.id, (await store.query({ limit: 1 })).hits[0]!.id]), [false, true]);
    const edit = (await store.query({ kind: 'edit', limit: 1 })).hits[0]!;
    const file = await store.fileProvenance(edit.repoId, edit.path!);
    assert.ok(file.hits.every((h) => h.path === edit.path));
    assert.equal((await store.snapshot()).written, true);
    await store.close();
    await store.close(); // twice is fine
    await assert.rejects(store.query({}), /the provenance store is closed/);
  });

  it('passes problems found in the worker to the caller', async () => {
    const writer = await openStore({ home, index: 'none' });
    await writer.append(new EventGenerator(13).batch(4));
    await writer.close();
    const segment = path.join(home, 'journal', '000001.jsonl');
    const lines = readFileSync(segment, 'utf8').split('\n');
    lines[1] = '{not json';
    writeFileSync(segment, lines.join('\n'));
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, onProblem: (p) => problems.push(p) });
    assert.equal((await store.stats()).records, 3);
    await until(() => problems.length > 0);
    assert.equal(problems[0]!.kind, 'corrupt_line');
    assert.equal(problems[0]!.line, 2);
    await store.close();
  });

  it('fails calls with a clear error when the worker cannot start its engine', async () => {
    const problems: StoreProblem[] = [];
    const store = await openStore({ home, wasmPath: path.join(home, 'missing', 'sql-wasm.wasm'), onProblem: (p) => problems.push(p) });
    await assert.rejects(store.query({}), /cannot load the SQLite engine from .*missing.*sql-wasm\.wasm: ENOENT/);
    assert.match(problems[0]!.message, /the index could not start: cannot load the SQLite engine/);
    await store.append(new EventGenerator(14).batch(2)); // the journal does not depend on the index
    await store.close();
  });

  it('an append-only store (hooks) never starts an index and refuses queries', async () => {
    const store = await openStore({ home, index: 'none' });
    await store.append(new EventGenerator(15).batch(1));
    await assert.rejects(store.query({}), /opened append-only/);
    await store.close();
  });
});

describe('store: fold batches sent to the worker', () => {
  it('survive packing and unpacking unchanged', () => {
    const batch: FoldBatch = {
      segment: 3,
      startOffset: 10,
      endOffset: 90,
      lastSeq: 8,
      lastHash: 'f'.repeat(64),
      lastLocation: { segment: 3, offset: 50, length: 39 },
      ops: [
        { op: 'put', seq: 7, segment: 3, offset: 10, length: 39, fields: rowFieldsOf(new EventGenerator(1).next()) },
        { op: 'prune', seq: 8, toSeq: 5 },
      ],
    };
    assert.deepEqual(unpackFoldBatch(packFoldBatch(batch)), batch);
  });
});

describe('store: home directory', () => {
  it('prefers the setting, then LINEAGELENS_HOME, then ~/.lineagelens, and expands ~', () => {
    const env = { LINEAGELENS_HOME: '/env/home' };
    assert.equal(resolveStoreHome({ setting: '/from/setting', env, home: '/u' }), path.resolve('/from/setting'));
    assert.equal(resolveStoreHome({ setting: '  ', env, home: '/u' }), path.resolve('/env/home'));
    assert.equal(resolveStoreHome({ env: {}, home: '/u' }), path.resolve('/u/.lineagelens'));
    assert.equal(resolveStoreHome({ setting: '~/prov', env: {}, home: '/u' }), path.resolve('/u/prov'));
  });
});
