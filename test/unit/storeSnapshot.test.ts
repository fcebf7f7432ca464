import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { readSnapshotHeader, writeSnapshot } from '../../src/core/store/index/indexSnapshot';
import { IndexService } from '../../src/core/store/index/indexService';
import { segmentName } from '../../src/core/store/journal/segments';
import { openStore } from '../../src/core/store/provenanceStore';
import type { StoreProblem } from '../../src/core/store/storeErrors';
import { storeLayout } from '../../src/core/store/storeHome';

describe('store: index snapshots', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => removeHome(home));

  const snapshotFile = () => storeLayout(home).snapshotFile;

  async function store(count: number) {
    const s = await openStore({ home, index: 'inProcess' });
    await s.append(new EventGenerator(8).batch(count));
    await s.snapshot();
    await s.close();
    return s.manifest.storeId;
  }

  async function reopen() {
    const problems: StoreProblem[] = [];
    const s = await openStore({ home, index: 'inProcess', onProblem: (p) => problems.push(p), snapshots: { onCloseMinEntries: 0 } });
    const stats = await s.stats();
    await s.close();
    return { stats, problems };
  }

  it('loads the snapshot and replays only the journal after it', async () => {
    await store(30);
    const s = await openStore({ home, index: 'none' });
    await s.append(new EventGenerator(9).batch(4));
    await s.close();
    const { stats, problems } = await reopen();
    assert.deepEqual([stats.loadedFrom, stats.replayedAtOpen, stats.records], ['snapshot', 4, 34]);
    assert.deepEqual(problems, []);
  });

  for (const [damage, reason] of [
    ['a flipped byte in the database', /checksum does not match/],
    ['a truncated file', /truncated/],
    ['a damaged header', /header is damaged|bad magic/],
  ] as const) {
    it(`falls back to the journal on ${damage}, says so, and writes a good snapshot again`, async () => {
      await store(25);
      const file = snapshotFile();
      if (damage.startsWith('a flipped')) {
        const bytes = readFileSync(file);
        bytes[bytes.length - 100] ^= 0xff;
        writeFileSync(file, bytes);
      } else if (damage.startsWith('a truncated')) truncateSync(file, statSync(file).size - 4096);
      else {
        const bytes = readFileSync(file);
        bytes.fill(0x7b, 12, 40);
        writeFileSync(file, bytes);
      }
      const { stats, problems } = await reopen();
      assert.deepEqual([stats.loadedFrom, stats.records], ['journal', 25]);
      assert.equal(problems[0]?.kind, 'snapshot_unusable');
      assert.match(problems[0]!.message, reason);
      assert.match(problems[0]!.message, /rebuilding the index from the journal/);
      assert.equal((await reopen()).stats.loadedFrom, 'snapshot');
    });
  }

  it('ignores a snapshot of another store, and one that no longer matches the journal', async () => {
    await store(5);
    const other = tempHome();
    try {
      const s = await openStore({ home: other, index: 'inProcess' });
      await s.append(new EventGenerator(3).batch(5));
      await s.snapshot();
      await s.close();
      copyFileSync(path.join(other, 'index.snapshot'), snapshotFile());
      assert.match((await reopen()).problems[0]!.message, /belongs to another store/);
    } finally {
      removeHome(other);
    }
    // The journal was replaced behind the snapshot's back: same seq, different entry.
    await store(5);
    const segment = path.join(home, 'journal', segmentName(1));
    const lines = readFileSync(segment, 'utf8').split('\n');
    const last = lines.length - 2; // the entry the snapshot names as its last
    lines[last] = lines[last]!.replace(/"hash":"[0-9a-f]{8}/, '"hash":"00000000');
    writeFileSync(segment, lines.join('\n'));
    assert.match((await reopen()).problems[0]!.message, /does not match the journal/);
  });

  it('snapshots by itself once the store has been idle, and only then', async () => {
    const storeId = await store(3);
    const s = await openStore({ home, index: 'none' });
    await s.append(new EventGenerator(10).batch(2));
    await s.close();
    const service = await IndexService.open({ layout: storeLayout(home), storeId, onProblem: () => undefined, snapshots: { idleMs: 60_000, minIntervalMs: 0 } });
    const now = Date.now();
    assert.equal(service.tick(now), null, 'not idle yet');
    assert.equal(service.tick(now + 61_000)?.written, true);
    assert.equal(service.tick(now + 122_000), null, 'nothing new since');
    service.close();
    assert.equal(readSnapshotHeader(snapshotFile())!.lastSeq, 5);
  });

  it('never replaces a snapshot by an older one (several processes snapshot the same store)', async () => {
    const storeId = await store(6);
    const header = readSnapshotHeader(snapshotFile())!;
    const older = { storeId, schemaVersion: 1, position: header.position, lastSeq: 2, lastHash: header.lastHash, lastLocation: header.lastLocation };
    assert.equal(writeSnapshot(snapshotFile(), older, new Uint8Array(10)), false);
    assert.equal(readSnapshotHeader(snapshotFile())!.lastSeq, 6);
  });
});
