import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import type { EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import type { ProvenanceQuery } from '../../src/core/store/index/indexQuery';
import { type IndexOp, rowFieldsOf } from '../../src/core/store/index/indexRow';
import { IndexService } from '../../src/core/store/index/indexService';
import { readSnapshot } from '../../src/core/store/index/indexSnapshot';
import { ProvenanceIndex } from '../../src/core/store/index/provenanceIndex';
import { openStore } from '../../src/core/store/provenanceStore';
import { loadSqlEngine } from '../../src/core/store/sqlEngine';
import { storeLayout } from '../../src/core/store/storeHome';
import { backgroundSnapshotWriter } from '../../src/core/store/worker/snapshotWriterThread';

const ops = (records: ProvenanceRecord[], firstSeq = 1): IndexOp[] =>
  records.map((r, i) => ({ op: 'put', seq: firstSeq + i, segment: 1, offset: (firstSeq + i) * 10, length: 9, fields: rowFieldsOf(r) }));

/** Every kind of query, answered by an index; used to compare a bulk-loaded index with one maintained row by row. */
function queriesOf(records: ProvenanceRecord[]): ProvenanceQuery[] {
  const edit = records.find((r): r is EditEvent => r.kind === 'edit')!;
  const repoId = edit.file.repo!.id;
  return [
    { repoId, path: edit.file.path },
    { repoId, path: edit.file.path, line: edit.rangeAfter.start.line },
    { sessionId: edit.sessionId },
    { repoId, order: 'newest', limit: 50 },
    { since: edit.time, limit: 100 },
    { tool: edit.tool.name, limit: 100 },
    { limit: 200, order: 'newest' },
  ];
}

describe('store: secondary indexes deferred by a bulk load', () => {
  it('a bulk load drops them; the first query needing them builds them, and answers as a maintained index does', async () => {
    const SQL = await loadSqlEngine();
    const records = new EventGenerator(21).batch(2_400);
    const bulk = ProvenanceIndex.open(SQL);
    bulk.apply(ops(records.slice(0, 1_200)));
    assert.equal(bulk.counts().secondaryIndexes, 'deferred');
    bulk.apply(ops(records.slice(1_200), 1_201));

    const maintained = ProvenanceIndex.open(SQL); // batches under the bulk-load size: indexes kept all along
    for (let i = 0; i < records.length; i += 500) maintained.apply(ops(records.slice(i, i + 500), i + 1));
    assert.equal(maintained.counts().secondaryIndexes, 'built');

    const queries = queriesOf(records);
    // File and line queries read the primary key: they do not build anything.
    assert.deepEqual(bulk.query(queries[0]!), maintained.query(queries[0]!));
    assert.deepEqual(bulk.query(queries[1]!), maintained.query(queries[1]!));
    assert.equal(bulk.counts().secondaryIndexes, 'deferred');
    assert.deepEqual(bulk.query(queries[2]!), maintained.query(queries[2]!));
    const counts = bulk.counts();
    assert.equal(counts.secondaryIndexes, 'built');
    assert.ok(counts.lastIndexBuildMs !== null && counts.lastIndexBuildMs >= 0);
    for (const query of queries) assert.deepEqual(bulk.query(query), maintained.query(query), JSON.stringify(query));
    for (const query of queries) assert.doesNotMatch(bulk.plan(query).join(' | '), /TEMP B-TREE|SCAN record$/);
    bulk.close();
    maintained.close();
  });

  it('keeps them when a batch is small next to the table, and finds records by seq either way', async () => {
    const SQL = await loadSqlEngine();
    const records = new EventGenerator(22).batch(5_900);
    const index = ProvenanceIndex.open(SQL);
    index.apply(ops(records.slice(0, 4_800)));
    assert.equal(index.counts().secondaryIndexes, 'deferred');
    const located = index.locate([7, records[9]!.id]); // by seq builds them (record_seq)
    assert.deepEqual([located.get(7)?.seq, located.get(records[9]!.id)?.seq], [7, 10]);
    assert.equal(index.counts().secondaryIndexes, 'built');
    index.apply(ops(records.slice(4_800), 4_801)); // 1,100 rows into 4,800: under a quarter, maintained
    assert.equal(index.counts().secondaryIndexes, 'built');
    assert.equal(index.counts().records, 5_900);
    index.close();
  });

  it('a store rebuilt from its journal defers them; a snapshot without them reopens, and idleness builds them', async () => {
    const home = tempHome();
    try {
      const records = new EventGenerator(23).batch(1_500);
      const writer = await openStore({ home, index: 'none' });
      await writer.append(records);
      await writer.close();

      const layout = storeLayout(home);
      const options = { layout, storeId: writer.manifest.storeId, onProblem: () => undefined, snapshots: { idleMs: 60_000, minIntervalMs: 0 } };
      const first = await IndexService.open(options); // replays 1,500 entries into an empty index: a bulk load
      assert.equal(first.stats().secondaryIndexes, 'deferred');
      assert.equal(first.snapshot().written, true); // saved as it is: a valid index without them
      first.close();

      const second = await IndexService.open(options);
      const stats = second.stats();
      assert.deepEqual([stats.loadedFrom, stats.records, stats.secondaryIndexes], ['snapshot', 1_500, 'deferred']);
      const edit = records.find((r): r is EditEvent => r.kind === 'edit')!;
      const expected = records.filter((r) => (r.kind === 'edit' ? r.sessionId : r.id) === edit.sessionId).map((r) => r.id).sort();
      const now = Date.now();
      assert.equal(second.tick(now), null);
      assert.equal(second.stats().secondaryIndexes, 'deferred', 'not idle yet');
      assert.equal(second.tick(now + 61_000), null, 'the build takes this tick; the snapshot waits for the next');
      assert.equal(second.stats().secondaryIndexes, 'built');
      assert.deepEqual(second.query({ sessionId: edit.sessionId }).hits.map((h) => h.id).sort(), expected);
      second.close();
    } finally {
      removeHome(home);
    }
  });
});

describe('store: snapshot files written by the low-priority writer thread', () => {
  const script = path.resolve(__dirname, '../../src/core/store/worker/storeWorker.js');

  it('writes the same checked snapshot as writing in this thread, at nice 19, and reports failures with their code', async () => {
    const home = tempHome();
    const writer = backgroundSnapshotWriter(script);
    try {
      const file = path.join(home, 'index.snapshot');
      const db = new Uint8Array(300_000).map((_, i) => i % 251);
      const header = { storeId: 'st', schemaVersion: 1, position: { segment: 1, offset: 10, line: 1 }, lastSeq: 1, lastHash: 'a'.repeat(64), lastLocation: { segment: 1, offset: 0, length: 9 } };
      assert.equal(writer(file, header, db.slice()), true);
      const read = readSnapshot(file);
      assert.ok(read?.ok);
      assert.deepEqual([read.header.lastSeq, Buffer.compare(Buffer.from(read.db), Buffer.from(db))], [1, 0]);
      assert.equal(writer(file, { ...header, lastSeq: 0 }, db.slice()), false, 'an older snapshot does not replace a newer one');
      assert.throws(() => writer(path.join(home, 'missing', 'x.snapshot'), header, db.slice()), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
      if (process.platform === 'linux') {
        const niceOfThreads = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'latin1').split(') ')[1]!.split(' ')[16]));
        assert.ok(niceOfThreads.includes(19), `a thread at nice 19 among ${niceOfThreads.join(',')}`);
      }
    } finally {
      writer.close();
      removeHome(home);
    }
  });
});
