import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { openStore } from '../../src/core/store/provenanceStore';
import { StoreWriteError } from '../../src/core/store/storeErrors';
import { storeLayout } from '../../src/core/store/storeHome';
import { verifyStore } from '../../src/core/store/verifyStore';

// A real full disk: a 1 MiB tmpfs. Needs Linux and the right to mount (root, as CI runs); where that is
// missing the suite is not registered at all, and journalWriter.test.ts covers the same failure through
// the injected file system. Where it can mount, a failed mount fails the suite: it is never skipped.
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
(canMount ? describe : () => undefined)('journal: a real full disk (tmpfs)', function () {
  let mountPoint: string;
  let mounted = false;

  before(function () {
    mountPoint = tempHome('ll-tmpfs-');
    const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    mounted = result.status === 0;
    assert.ok(mounted, `mounting a 1 MiB tmpfs failed: ${result.stderr || result.error?.message}`);
  });

  after(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
    removeHome(mountPoint);
  });

  it('fails the append that does not fit, acknowledges nothing it did not write, and keeps the store readable', async () => {
    const home = path.join(mountPoint, 'store');
    mkdirSync(home);
    const store = await openStore({ home, index: 'none', privacy: 'full' });
    const generator = new EventGenerator(4);
    const acked: string[] = [];
    let failure: unknown = null;
    for (let i = 0; i < 2_000 && failure === null; i++) {
      const records = generator.batch(20);
      try {
        await store.append(records);
        acked.push(...records.map((r) => r.id));
      } catch (err) {
        failure = err;
      }
    }
    await store.close();
    assert.ok(failure instanceof StoreWriteError, `expected a StoreWriteError, got ${String(failure)}`);
    assert.equal(failure.code, 'ENOSPC');
    assert.match(failure.message, /the disk is full \(ENOSPC\); nothing was acknowledged/);
    assert.ok(acked.length > 100);

    const reopened = await openStore({ home, index: 'inProcess', snapshots: { enabled: false } });
    const found = await reopened.getRecords(acked);
    assert.equal(found.filter((r) => r === null).length, 0, 'every acknowledged record is there');
    assert.equal((await reopened.stats()).records, acked.length, 'and nothing that was not acknowledged');
    await reopened.close();
    const verdict = verifyStore(storeLayout(home), reopened.manifest.storeId);
    assert.equal(verdict.ok, true);
    assert.equal(verdict.incompleteTailBytes, 0, 'the partial write was cut back');
  });
});
