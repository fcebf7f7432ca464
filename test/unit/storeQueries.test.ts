import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { removeHome, tempHome } from '../../bench/helpers/tempStore';
import { sha256Hex, textContent } from '../../src/core/model/content';
import type { AiEditSession, EditEvent } from '../../src/core/model/schema';
import type { ProvenanceQuery } from '../../src/core/store/index/indexQuery';
import { rowFieldsOf } from '../../src/core/store/index/indexRow';
import { ProvenanceIndex } from '../../src/core/store/index/provenanceIndex';
import { openStore, type ProvenanceStore } from '../../src/core/store/provenanceStore';
import { loadSqlEngine } from '../../src/core/store/sqlEngine';
import { RecordValidationError } from '../../src/core/store/recordPreparer';
import { readFixture } from './helpers';

const REPO = 'a'.repeat(64);
const OTHER_REPO = 'b'.repeat(64);
const base = readFixture('records/edit.v1.json') as EditEvent;

let n = 0;
function edit(over: Partial<EditEvent> & { path?: string; repo?: string | null; lines?: [number, number] }): EditEvent {
  const { path: file = 'src/a.ts', repo = REPO, lines = [10, 12], ...rest } = over;
  n++;
  const text = 'x\n'.repeat(lines[1] - lines[0]) + 'x';
  return {
    ...base,
    id: `ed_${String(n).padStart(4, '0')}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    file: { path: file, repo: repo === null ? null : { id: repo } },
    rangeAfter: { start: { line: lines[0], character: 0 }, end: { line: lines[1], character: 1 } },
    insertedText: textContent(text),
    contentHash: sha256Hex(text),
    ...rest,
  };
}

describe('store: queries', () => {
  let home: string;
  let store: ProvenanceStore;
  beforeEach(async () => {
    home = tempHome();
    store = await openStore({ home, index: 'inProcess' });
    n = 0;
  });
  afterEach(async () => {
    await store.close();
    removeHome(home);
  });

  it('answers file provenance with the live AI ranges only (not rejected, not empty)', async () => {
    await store.append([
      edit({ lines: [1, 3] }),
      edit({ lines: [5, 5], disposition: 'rejected' }),
      edit({ lines: [7, 9], disposition: 'partially_kept' }),
      { ...edit({}), rangeAfter: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } } },
      edit({ path: 'src/b.ts' }),
      edit({ repo: OTHER_REPO }),
    ]);
    const page = await store.fileProvenance(REPO, 'src/a.ts');
    assert.deepEqual(
      page.hits.map((h) => [h.id, h.lines, h.disposition]),
      [
        ['ed_0001', { start: 1, end: 3 }, 'accepted'],
        ['ed_0003', { start: 7, end: 9 }, 'partially_kept'],
      ],
    );
    assert.equal(page.nextCursor, null);
    const everything = await store.query({ repoId: REPO, path: 'src/a.ts', live: false });
    assert.equal(everything.hits.length, 4);
  });

  it('answers which edits cover a line (0-based; a range ending at column 0 does not cover that line)', async () => {
    await store.append([
      edit({ lines: [1, 3] }),
      edit({ lines: [3, 6] }),
      { ...edit({}), rangeAfter: { start: { line: 8, character: 0 }, end: { line: 10, character: 0 } } },
    ]);
    const ids = async (line: number) => (await store.lineProvenance(REPO, 'src/a.ts', line)).hits.map((h) => h.id);
    assert.deepEqual(await ids(0), []);
    assert.deepEqual(await ids(3), ['ed_0001', 'ed_0002']);
    assert.deepEqual(await ids(6), ['ed_0002']);
    assert.deepEqual(await ids(9), ['ed_0003']);
    assert.deepEqual(await ids(10), []);
  });

  it('keeps files of different repositories (and of none) apart', async () => {
    await store.append([edit({}), edit({ repo: OTHER_REPO }), edit({ repo: null })]);
    assert.deepEqual((await store.fileProvenance(OTHER_REPO, 'src/a.ts')).hits.map((h) => h.id), ['ed_0002']);
    assert.deepEqual((await store.fileProvenance(null, 'src/a.ts')).hits.map((h) => [h.id, h.repoId]), [['ed_0003', null]]);
    assert.deepEqual((await store.repositoryRecords(REPO)).hits.map((h) => h.id), ['ed_0001']);
    assert.deepEqual((await store.fileProvenance('c'.repeat(64), 'src/a.ts')).hits, []);
  });

  it('answers by session (the session record and its edits), by tool and model, by time window in time order', async () => {
    const session: AiEditSession = { ...(readFixture('records/session.v1.json') as AiEditSession), id: 'ses_X' };
    await store.append([
      edit({ sessionId: 'ses_X', time: '2026-03-01T10:00:00.000Z' }),
      edit({ sessionId: 'ses_Y', tool: { name: 'cursor' }, model: { id: 'gpt-4.1', provider: 'openai' }, time: '2026-02-01T10:00:00.000Z' }),
      edit({ sessionId: 'ses_X', model: 'unknown', time: '2026-01-15T10:00:00.000Z' }),
      session,
    ]);
    assert.deepEqual((await store.sessionRecords('ses_X')).hits.map((h) => [h.id, h.kind]), [
      ['ed_0001', 'edit'],
      ['ed_0003', 'edit'],
      ['ses_X', 'session'],
    ]);
    assert.deepEqual((await store.recordsByTool('cursor', undefined)).hits.map((h) => h.id), ['ed_0002']);
    assert.deepEqual((await store.recordsByTool(undefined, 'gpt-4.1')).hits.map((h) => h.id), ['ed_0002']);
    assert.deepEqual((await store.recordsByTool(undefined, 'openai/gpt-4o')).hits.map((h) => h.id), ['ed_0001']);
    assert.deepEqual((await store.recordsByTool('copilot', 'unknown')).hits.map((h) => h.id), ['ed_0003']);
    const window = await store.recordsBetween('2026-01-10T00:00:00Z', '2026-03-01T10:00:00Z');
    assert.deepEqual(window.hits.map((h) => h.id), ['ed_0003', 'ed_0002'], 'time order, until excluded');
  });

  it('pages through large results with keyset cursors: every record exactly once, in order', async () => {
    const records = new EventGenerator(11).batch(1_200);
    await store.append(records);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.query({ limit: 250, ...(cursor ? { cursor } : {}) });
      seen.push(...page.hits.map((h) => h.seq));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.equal(pages, 5);
    assert.deepEqual(seen, records.map((_, i) => i + 1));
    const byTime = await store.queryAll({ since: '2000-01-01T00:00:00Z', limit: 100 });
    assert.equal(byTime.length, 1_200);
    const times = byTime.map((h) => h.time);
    assert.deepEqual(times, [...times].sort());
  });

  it('pages newest first on request (by seq, and by time in a time window): every record once, reversed', async () => {
    const records = new EventGenerator(12).batch(530);
    await store.append(records);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query({ order: 'newest', limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.hits.map((h) => h.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, records.map((_, i) => records.length - i));
    const oldestFirst = await store.queryAll({ since: '2000-01-01T00:00:00Z', limit: 70 });
    const newestFirst = await store.queryAll({ since: '2000-01-01T00:00:00Z', limit: 70, order: 'newest' });
    assert.deepEqual(newestFirst.map((h) => h.seq), oldestFirst.map((h) => h.seq).reverse());
    const edit = newestFirst.find((h) => h.kind === 'edit' && h.lines !== null && h.disposition !== 'rejected')!;
    const file = await store.fileProvenance(edit.repoId, edit.path!, { order: 'newest' });
    assert.ok(file.hits.length > 0);
    assert.deepEqual(file.hits.map((h) => h.seq), (await store.fileProvenance(edit.repoId, edit.path!)).hits.map((h) => h.seq).reverse());
    const session = await store.sessionRecords(edit.sessionId, { order: 'newest', limit: 1 });
    assert.equal(session.hits[0]!.seq, Math.max(...(await store.sessionRecords(edit.sessionId)).hits.map((h) => h.seq)));
    // A cursor is bound to its direction as well as its order.
    const oldPage = await store.query({ limit: 10 });
    await assert.rejects(store.query({ order: 'newest', cursor: oldPage.nextCursor! }), /belongs to a query with a different order/);
    const newPage = await store.query({ order: 'newest', limit: 10 });
    await assert.rejects(store.query({ cursor: newPage.nextCursor! }), /belongs to a query with a different order/);
    await assert.rejects(store.query({ order: 'latest' as 'newest' }), /invalid query: order/);
  });

  it('tells whether records exist by id without reading them, through updates and retention', async () => {
    const [a, b] = [edit({}), edit({})];
    assert.deepEqual(await store.hasRecords([a.id]), [false]);
    await store.append([a, b]);
    assert.equal(await store.hasRecord(a.id), true);
    assert.deepEqual(await store.hasRecords([b.id, 'ed_none', a.id, b.id]), [true, false, true, true]);
    assert.deepEqual(await store.hasRecords([]), []);
    await store.append([{ ...a, disposition: 'rejected' }]);
    assert.equal(await store.hasRecord(a.id), true, 'an updated record still exists once');
    await assert.rejects(store.hasRecords([1 as unknown as string]), /hasRecords takes an array of record ids/);
    await store.prune({ olderThanDays: 0, now: new Date(Date.now() + 1_000) });
    assert.deepEqual(await store.hasRecords([a.id, b.id]), [false, false], 'pruned records are gone');
  });

  it('refuses a cursor from a query with another order, and bad queries, with clear messages', async () => {
    await store.append(new EventGenerator(1).batch(5));
    const page = await store.query({ limit: 2 });
    await assert.rejects(store.query({ since: '2000-01-01T00:00:00Z', cursor: page.nextCursor! }), /invalid query cursor: it belongs to a query with a different order/);
    await assert.rejects(store.query({ cursor: 'garbage' }), /invalid query cursor/);
    await assert.rejects(store.query({ path: 'src/a.ts' }), /a path query needs repoId/);
    await assert.rejects(store.query({ limit: 0 }), /invalid query: limit: /);
  });

  it('keeps the latest put of a record id (updates replace, in call order)', async () => {
    const first = edit({ disposition: 'pending' });
    await Promise.all([store.append([first]), store.append([{ ...first, disposition: 'accepted' }]), store.append([{ ...first, disposition: 'rejected' }])]);
    const hits = (await store.query({ repoId: REPO })).hits;
    assert.deepEqual(hits.map((h) => [h.id, h.disposition, h.seq]), [['ed_0001', 'rejected', 3]]);
  });

  it('returns full records by seq or id, validated, and null for unknown ones', async () => {
    const records = [edit({}), edit({})];
    await store.append(records);
    const [bySeq, byId, missing] = await store.getRecords([1, 'ed_0002', 'ed_none']);
    assert.equal(bySeq!.id, 'ed_0001');
    assert.equal(byId!.id, 'ed_0002');
    assert.equal(missing, null);
  });

  it('refuses an invalid record before writing anything', async () => {
    await assert.rejects(store.append([edit({}), { ...edit({}), disposition: 'maybe' } as unknown as EditEvent]), (err: unknown) => {
      assert.ok(err instanceof RecordValidationError);
      assert.match(err.message, /record 1 is not a valid provenance record: disposition/);
      return true;
    });
    assert.equal((await store.stats()).records, 0);
  });
});

describe('store: privacy is applied before anything is written', () => {
  const secret = 'sk-proj-4f9Qa8Zr2LmX7wKc1VbN5tHy3JdE6uPo';
  const withSecret = (): EditEvent => {
    const text = `const apiKey = "${secret}";`;
    return {
      ...edit({}),
      insertedText: textContent(text),
      contentHash: sha256Hex(text),
      prompt: { content: textContent(`use ${secret} please`), source: 'hook' },
    };
  };
  const journalText = (home: string) => readFileSync(path.join(home, 'journal', '000001.jsonl'), 'utf8');

  for (const [level, check] of [
    ['redacted', (r: EditEvent) => assert.equal(r.insertedText.form, 'redacted')],
    ['hash', (r: EditEvent) => assert.deepEqual(r.insertedText, { form: 'hash', sha256: sha256Hex(`const apiKey = "${secret}";`) })],
    ['off', (r: EditEvent) => assert.deepEqual(r.prompt!.content, { form: 'none' })],
  ] as const) {
    it(`level ${level}: the secret never reaches the journal`, async () => {
      const home = tempHome();
      const store = await openStore({ home, index: 'inProcess', privacy: level });
      await store.append([withSecret()]);
      const [stored] = await store.getRecords([1]);
      await store.close();
      check(stored as EditEvent);
      assert.doesNotMatch(journalText(home), new RegExp(secret));
      removeHome(home);
    });
  }

  it('level full keeps the text as it is', async () => {
    const home = tempHome();
    const store = await openStore({ home, index: 'none', privacy: 'full' });
    await store.append([withSecret()]);
    await store.close();
    assert.match(journalText(home), new RegExp(secret));
    removeHome(home);
  });
});

describe('store: query plans', () => {
  it('reads every paged query in cursor order from an index, never sorting the matches', async () => {
    const SQL = await loadSqlEngine();
    const index = ProvenanceIndex.open(SQL);
    const records = new EventGenerator(3).batch(300);
    index.apply(records.map((r, i) => ({ op: 'put' as const, seq: i + 1, segment: 1, offset: i * 10, length: 9, fields: rowFieldsOf(r) })));
    const edit = records.find((r): r is EditEvent => r.kind === 'edit')!;
    const repoId = edit.file.repo!.id;
    const cursor = (await index.query({ limit: 1 })).nextCursor!;
    const plans: Record<string, ProvenanceQuery> = {
      file: { repoId, path: edit.file.path },
      line: { repoId, path: edit.file.path, line: 3 },
      session: { sessionId: edit.sessionId, cursor },
      repo: { repoId, cursor },
      time: { since: '2000-01-01T00:00:00Z', until: '2100-01-01T00:00:00Z' },
      tool: { tool: 'copilot', cursor },
      all: { cursor },
      'file, newest first': { repoId, path: edit.file.path, order: 'newest' },
      'session, newest first': { sessionId: edit.sessionId, order: 'newest' },
      'repo, newest first': { repoId, order: 'newest' },
      'time, newest first': { since: '2000-01-01T00:00:00Z', order: 'newest' },
      'all, newest first': { order: 'newest' },
    };
    for (const [name, query] of Object.entries(plans)) {
      const plan = index.plan(query).join(' | ');
      assert.doesNotMatch(plan, /TEMP B-TREE|SCAN record$/, `${name}: ${plan}`);
    }
    assert.match(index.plan(plans.file!).join(), /USING PRIMARY KEY \(file=\?/);
    index.close();
  });
});
