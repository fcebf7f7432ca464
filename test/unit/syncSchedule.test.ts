/** The editor's background sync schedule (backoff with seeded jitter), the upload privacy clamp, and repo entries. */
import * as assert from 'node:assert/strict';
import { sha256Hex } from '../../src/core/model/content';
import { applyPrivacy, PrivacyLevel } from '../../src/core/privacy/privacyLevel';
import { classifyRepoEntries, effectiveUploadPrivacy, isTransientStatus, SyncPrivacy, SyncSchedule } from '../../src/core/sync/syncSchedule';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { seededRandom } from '../fixtures/secrets/fakeSecrets';

const MIN = 60_000;

describe('background sync schedule', () => {
  it('backs off exponentially with jitter after transient failures: each delay within [step/2, step], capped at the interval', () => {
    const schedule = new SyncSchedule({ intervalMs: 5 * MIN, random: seededRandom(11) });
    const delays = Array.from({ length: 12 }, () => schedule.next({ ok: false, transient: true }));
    delays.forEach((d, i) => {
      const step = Math.min(5 * MIN, 2_000 * 2 ** i);
      assert.ok(d >= step / 2 && d <= step, `attempt ${i + 1}: ${d} ms not within [${step / 2}, ${step}]`);
    });
    assert.ok(delays.slice(8).every((d) => d <= 5 * MIN && d >= 2.5 * MIN), 'late attempts wait about the interval, never more');
    assert.equal(schedule.consecutiveFailures, 12);
  });

  it('is reproducible with the same seed and differs across seeds (the jitter is real)', () => {
    const run = (seed: number) => {
      const s = new SyncSchedule({ intervalMs: 10 * MIN, random: seededRandom(seed) });
      return Array.from({ length: 8 }, () => s.next({ ok: false, transient: true }));
    };
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5), run(6));
    // Two editors failing together do not retry in step.
    const a = run(1);
    const b = run(2);
    assert.ok(a.some((d, i) => d !== b[i]));
  });

  it('a success resets the backoff and waits the interval (or goes on at once while records are pending)', () => {
    const schedule = new SyncSchedule({ intervalMs: 3 * MIN, random: seededRandom(3) });
    for (let i = 0; i < 5; i++) schedule.next({ ok: false, transient: true });
    assert.equal(schedule.next({ ok: true, pending: 0 }), 3 * MIN);
    assert.equal(schedule.consecutiveFailures, 0);
    const first = schedule.next({ ok: false, transient: true });
    assert.ok(first >= 1_000 && first <= 2_000, `back to the first step: ${first}`);
    assert.equal(schedule.next({ ok: true, pending: 40 }), 0);
  });

  it('a permanent failure (bad token, refused batch) waits the interval instead of hammering the server', () => {
    const schedule = new SyncSchedule({ intervalMs: 7 * MIN, random: seededRandom(9) });
    schedule.next({ ok: false, transient: true });
    assert.equal(schedule.next({ ok: false, transient: false }), 7 * MIN);
    assert.equal(schedule.consecutiveFailures, 0);
  });

  it('only unreachable, throttled or failing servers are transient', () => {
    for (const s of [null, 0, 429, 500, 502, 503]) assert.equal(isTransientStatus(s), true, String(s));
    for (const s of [400, 401, 403, 409, 413, 422]) assert.equal(isTransientStatus(s), false, String(s));
  });
});

describe('upload privacy clamp', () => {
  const strictness = ['full', 'redacted', 'hash', 'off'];

  it('is the stricter of the sync setting and the local level, for every pair', () => {
    for (const asked of SyncPrivacy.options) {
      for (const local of PrivacyLevel.options) {
        const got = effectiveUploadPrivacy(asked, local);
        assert.equal(strictness.indexOf(got), Math.max(strictness.indexOf(asked), strictness.indexOf(local)), `${asked} + local ${local} -> ${got}`);
      }
    }
  });

  it('never uploads text the local store withholds: a full upload of a hash-level store carries no text', () => {
    const [record] = new EventGenerator(4).batch(1);
    const stored = applyPrivacy(record!, 'hash');
    const uploaded = applyPrivacy(stored, effectiveUploadPrivacy('full', 'hash'));
    const json = JSON.stringify(uploaded);
    assert.doesNotMatch(json, /"form":"(text|redacted)"/);
    assert.deepEqual(uploaded, stored);
  });
});

describe('sync.repositories entries', () => {
  it('takes ids as they are, derives ids of remote URLs the way capture does, and leaves folders to git', () => {
    const id = 'a'.repeat(64);
    const { ids, folders } = classifyRepoEntries([id, ' https://GitHub.com/org/repo.git ', 'git@github.com:org/repo.git', 'packages/app', '/abs/repo', '', id]);
    assert.deepEqual(ids, [id, sha256Hex('remote:github.com/org/repo')]);
    assert.deepEqual(folders, ['packages/app', '/abs/repo']);
  });
});
