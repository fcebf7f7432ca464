import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RewriteLog, rewriteLogFile } from '../../src/core/lineage/rewriteLog';

describe('rewrite log (editor-seen rewrites across restarts)', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(path.join(tmpdir(), 'll-rewrites-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('keeps what one editor session noted for the next one, in one append per batch', async () => {
    const first = new RewriteLog(() => home);
    first.note('ed_b', 'ed_a');
    first.note('ed_c', 'ed_b');
    first.note('ed_c', 'ed_a');
    await first.flush();
    assert.equal(readFileSync(rewriteLogFile(home), 'utf8').trimEnd().split('\n').length, 3);
    const next = new RewriteLog(() => home);
    const got = await next.rewritesOf(['ed_c', 'ed_b', 'ed_zzz']);
    assert.deepEqual([...got.entries()].map(([k, v]) => [k, [...v].sort()]), [
      ['ed_c', ['ed_a', 'ed_b']],
      ['ed_b', ['ed_a']],
    ]);
  });

  it('skips a torn or foreign line instead of failing, and sees lines written after it first read', async () => {
    const log = new RewriteLog(() => home);
    log.note('ed_b', 'ed_a');
    await log.flush();
    appendFileSync(rewriteLogFile(home), '{"later":"ed_x","earl\nnot json at all\n{"later":5,"earlier":"e","time":"t"}\n');
    assert.deepEqual([...(await log.rewritesOf(['ed_b', 'ed_x'])).keys()], ['ed_b']);
    assert.equal(log.skippedLines, 3);
    log.note('ed_x', 'ed_b');
    assert.deepEqual((await log.rewritesOf(['ed_x'])).get('ed_x'), ['ed_b'], 'rewritesOf writes what is pending first');
  });

  it('a write that fails is reported and kept for the next flush', async () => {
    const errors: string[] = [];
    let dir = path.join(home, 'file-not-dir');
    appendFileSync(dir, 'x'); // a file where the store home should be a folder: mkdir fails
    const log = new RewriteLog(() => dir, (m) => errors.push(m));
    log.note('ed_b', 'ed_a');
    await log.flush();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /could not write/);
    dir = path.join(home, 'good');
    await log.flush();
    assert.deepEqual((await log.rewritesOf(['ed_b'])).get('ed_b'), ['ed_a']);
  });
});
