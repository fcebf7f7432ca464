/**
 * Lexical search ranks a bounded set of candidates (lexicalSearch.ts): the newest matches of any word
 * and the newest records holding every word. On a real PostgreSQL: a record holding every word is found
 * however old, a one-word match beyond the bound is not, and the answer says when the bound cut.
 */
import * as assert from 'node:assert/strict';
import { lexicalSearch } from '../../src/server/search/lexicalSearch';
import { createRecordsSchema, createTestDatabase, fixtureRecord, insertRecords, type TestDatabase } from './searchHarness';

describe('lexical search ranks the newest candidates (real PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
    await createRecordsSchema(db.pool);
    // Oldest first.
    const records = [
      fixtureRecord({ id: 'old-every', path: 'src/ledger/quasar.ts', prompt: 'fold the ledger into the quasar view', code: 'export const quasarLedger = 1;' }, 0),
      fixtureRecord({ id: 'old-one', path: 'src/ledger/old.ts', prompt: 'rotate the ledger', code: 'export const rotate = 2;' }, 1),
      ...Array.from({ length: 30 }, (_, i) => fixtureRecord({ id: `new-${i}`, path: `src/ledger/n${i}.ts`, prompt: `ledger entry ${i}`, code: `export const entry${i} = ${i};` }, 2 + i)),
    ];
    // 35 days apart, so the newest-first windows (a month, two, four, ...) each hold a few records.
    for (const [n, r] of records.entries()) r.time = new Date(Date.parse('2023-01-01T00:00:00Z') + n * 35 * 86_400_000).toISOString();
    await insertRecords(db.pool, records);
  });
  after(async () => {
    await db?.drop();
  });

  const search = (text: string, candidates?: number) => lexicalSearch(db.pool, text, { orgId: 1, limit: 50, candidates });

  it('a record holding every word is ranked first even when older than the bound', async () => {
    const r = await search('ledger quasar', 10);
    assert.equal(r.hits[0]!.id, 'old-every');
    assert.equal(r.bounded, true, '32 records hold "ledger": more than the 10 ranked');
    assert.equal(r.hits.length, 11, 'the newest 10 with any word, plus the one holding both');
  });

  it('a one-word match older than the bound is left out, and the answer says the bound cut', async () => {
    const r = await search('ledger', 10);
    assert.deepEqual(r.hits.map((h) => h.id).sort(), Array.from({ length: 10 }, (_, i) => `new-${20 + i}`).sort());
    assert.equal(r.bounded, true);
  });

  it('under the bound every match is ranked and nothing is said', async () => {
    const all = await search('ledger');
    assert.equal(all.hits.length, 32);
    assert.equal(all.bounded, false);
    assert.ok(all.hits.some((h) => h.id === 'old-one'));
    const rare = await search('quasar', 10);
    assert.deepEqual(rare.hits.map((h) => h.id), ['old-every']);
    assert.equal(rare.bounded, false);
  });
});
