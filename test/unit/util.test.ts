import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedQueue } from '../../src/core/util/boundedQueue';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { debounce } from '../../src/core/util/debounce';
import { raceWithTimeout, wakeableSleep } from '../../src/core/util/wakeableSleep';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('BoundedQueue', () => {
  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new BoundedQueue(0), RangeError);
    assert.throws(() => new BoundedQueue(1.5), RangeError);
  });

  it('keeps the newest `capacity` items in order and counts what it dropped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.array(fc.integer(), { maxLength: 3000 }), { maxLength: 5 }), (cap, rounds) => {
        const q = new BoundedQueue<number>(cap);
        let dropped = 0;
        for (const items of rounds) {
          for (const i of items) q.push(i);
          const expected = items.slice(Math.max(0, items.length - cap));
          dropped += items.length - expected.length;
          assert.equal(q.size, expected.length);
          assert.deepEqual(q.drain(), expected);
          assert.equal(q.size, 0);
        }
        assert.equal(q.dropped, dropped);
      }),
      { numRuns: 200 },
    );
  });
});

describe('debounce', () => {
  it('runs once after a burst of calls', async () => {
    let runs = 0;
    const d = debounce(() => void runs++, 20);
    for (let i = 0; i < 10; i++) d();
    await sleep(60);
    assert.equal(runs, 1);
  });

  it('still runs during a steady stream, by maxWait', async () => {
    let runs = 0;
    const d = debounce(() => void runs++, 30, 60);
    const until = Date.now() + 200;
    while (Date.now() < until) {
      d();
      await sleep(5);
    }
    assert.ok(runs >= 2, `ran ${runs} times during 200 ms of calls`);
    d.cancel();
  });

  it('flush runs a scheduled call now and resolves after it', async () => {
    let runs = 0;
    const d = debounce(async () => {
      await sleep(5);
      runs++;
    }, 10_000);
    d();
    await d.flush();
    assert.equal(runs, 1);
    await d.flush(); // nothing scheduled: resolves without running again
    assert.equal(runs, 1);
  });

  it('reports errors of the debounced function instead of swallowing them', async () => {
    const errors: unknown[] = [];
    const d = debounce(() => {
      throw new Error('boom');
    }, 1, 10, (e) => errors.push(e));
    d();
    await d.flush();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /boom/);
  });
});

describe('wakeableSleep', () => {
  it('ends when woken, or when its time is up', async () => {
    const woken = wakeableSleep(60_000);
    const started = Date.now();
    setTimeout(() => woken.wake(), 20);
    await woken.done;
    assert.ok(Date.now() - started < 1_000);
    const timed = wakeableSleep(30);
    await timed.done;
    timed.wake(); // harmless afterwards
  });

  it('leaves no timer behind once woken or raced: a process using it exits at once', () => {
    const lib = path.resolve(__dirname, '../../src/core/util/wakeableSleep.js');
    const script = `const { wakeableSleep, raceWithTimeout } = require(${JSON.stringify(lib)});
      wakeableSleep(60000).wake();
      raceWithTimeout(Promise.resolve(), 60000).then(() => console.log('raced'));`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'raced');
    assert.ok(Date.now() - started < 10_000, `the process lived ${Date.now() - started} ms`);
  });

  it('raceWithTimeout returns when the work settles, or when the time is up', async () => {
    let started = Date.now();
    await raceWithTimeout(sleep(10), 60_000);
    assert.ok(Date.now() - started < 1_000);
    started = Date.now();
    await raceWithTimeout(new Promise(() => undefined), 30);
    assert.ok(Date.now() - started >= 25);
  });
});
