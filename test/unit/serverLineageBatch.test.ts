/**
 * The server's lineage indexer works a batch at a time (a few lookups and one write per batch); its result
 * must not depend on how records are split into batches. Property: random edit histories over a few files
 * of two repositories (lines repeated within and across edits, equal times, sessions whose attrs the edits
 * and session records merge, edits sent again with changed content), arriving out of order with resends, indexed with random batch splits and as
 * one batch, leave exactly the node, edge and line-hash rows of indexing them one record per batch — which
 * is the per-record indexer's behaviour (a batch of one sees the store plus its own rows, as before). On
 * SQLite and a real PostgreSQL.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventGenerator } from '../../bench/helpers/eventGenerator';
import { textContent } from '../../src/core/model/content';
import type { AiEditSession, EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import type { ServerBackend } from '../../src/server/backend/backend';
import { SqliteBackend } from '../../src/server/backend/sqliteBackend';
import { lineageFor, type ServerLineage } from '../../src/server/lineage/lineageFor';
import type { PgBackend } from '../../src/server/postgres/pgBackend';
import { aiEdit } from './gitHelpers';
import { backendsUnderTest, inProcessStorage } from './serverBackends';

const REPOS = ['1'.repeat(64), '2'.repeat(64)];
const PATHS = ['src/a.ts', 'src/b.ts'];
/** Distinctive lines (hashed) and two that are not (never linked). */
const LINES = [...Array.from({ length: 7 }, (_, i) => `const value${i} = compute(${i}, "x");`), '}', ''];
const SESSIONS = ['ses_p1', 'ses_p2', 'ses_p3'];
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

interface EditSpec {
  repo: number;
  file: number;
  minute: number;
  inserted: number[];
  deleted: number[];
  line: number;
  session: number;
  tool: number;
  model: number;
  prompt: number;
}

const editSpec: fc.Arbitrary<EditSpec> = fc.record({
  repo: fc.integer({ min: 0, max: 1 }),
  file: fc.integer({ min: 0, max: 1 }),
  minute: fc.integer({ min: 0, max: 5 }), // few distinct times: equal times happen
  inserted: fc.array(fc.integer({ min: 0, max: LINES.length - 1 }), { minLength: 1, maxLength: 4 }),
  deleted: fc.array(fc.integer({ min: 0, max: LINES.length - 1 }), { maxLength: 4 }),
  line: fc.integer({ min: 0, max: 6 }),
  session: fc.integer({ min: 0, max: 2 }),
  tool: fc.integer({ min: 0, max: 1 }),
  model: fc.integer({ min: 0, max: 2 }), // 2: unknown
  prompt: fc.integer({ min: 0, max: 2 }), // 2: none
});

const baseSession = new EventGenerator(5).batch(80).find((r): r is AiEditSession => r.kind === 'session')!;

function edit(s: EditSpec, i: number): EditEvent {
  const text = (lines: number[]) => `${lines.map((l) => LINES[l]).join('\n')}\n`;
  return aiEdit(REPOS[s.repo]!, PATHS[s.file]!, s.line, s.inserted.map((l) => LINES[l]!), {
    id: `ed_prop_${i}`,
    time: at(s.minute),
    tool: { name: ['claude-code', 'copilot'][s.tool]!, version: '1.0.0' },
    model: s.model === 2 ? 'unknown' : { id: ['model-a', 'model-b'][s.model]!, provider: 'test' },
    sessionId: SESSIONS[s.session]!,
    prompt: s.prompt === 2 ? null : { content: textContent(`prompt number ${s.prompt}`), source: 'hook' },
    rangeBefore: { start: { line: s.line, character: 0 }, end: { line: s.line + s.deleted.length, character: 0 } },
    deletedText: s.deleted.length === 0 ? { form: 'none' } : textContent(text(s.deleted)),
  });
}

function session(i: number, minute: number, model: number): AiEditSession {
  return { ...baseSession, id: SESSIONS[i]!, tool: { name: 'claude-code', version: '2.0.0' }, model: model === 2 ? 'unknown' : { id: ['model-a', 'model-b'][model]!, provider: 'test' }, startedAt: at(minute), endedAt: at(minute + 1), prompts: [{ ...baseSession.prompts[0]!, content: textContent(`prompt number ${model % 2}`), time: at(minute) }] } as AiEditSession;
}

const history = fc
  .record({
    edits: fc.array(editSpec, { minLength: 2, maxLength: 14 }),
    sessions: fc.array(fc.record({ i: fc.integer({ min: 0, max: 1 }), minute: fc.integer({ min: 0, max: 5 }), model: fc.integer({ min: 0, max: 2 }) }), { maxLength: 2 }),
    resends: fc.array(fc.nat(), { maxLength: 5 }),
    // An edit uploaded again with other content (the server replaces a record whose content changed).
    changed: fc.array(fc.record({ of: fc.nat(), spec: editSpec }), { maxLength: 2 }),
    order: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    cuts: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  })
  .map(({ edits, sessions, resends, changed, order, cuts }) => {
    const records: ProvenanceRecord[] = [...edits.map(edit), ...sessions.map((s) => session(s.i, s.minute, s.model)), ...changed.map((c) => edit(c.spec, c.of % edits.length))];
    // Arrival: every record once and some twice, in an order unrelated to their times.
    const arrival = [...records.keys(), ...resends.map((r) => r % records.length)].map((r, k) => ({ r, key: order[k % order.length]! * 100 + k })).sort((a, b) => a.key - b.key).map((x) => records[x.r]!);
    const batches: ProvenanceRecord[][] = [[]];
    arrival.forEach((r, k) => {
      batches[batches.length - 1]!.push(r);
      if (cuts[k % cuts.length] && k < arrival.length - 1) batches.push([]);
    });
    return { arrival, batches };
  });

for (const kind of backendsUnderTest().map((b) => b.name))
describe(`server lineage indexing per batch on ${kind}: the same graph whatever the batches`, function () {
  this.timeout(600_000);
  let backend: ServerBackend;
  let lineage: ServerLineage;
  let cleanup: () => Promise<void>;

  type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const query = async (sql: string): Promise<Row[]> => (backend instanceof SqliteBackend ? (backend.db.prepare(sql).all() as Row[]) : (await (backend as PgBackend).pool.query(sql)).rows);
  const exec = async (sql: string) => (backend instanceof SqliteBackend ? backend.db.exec(sql) : (backend as PgBackend).pool.query(sql));

  /** Every lineage row, attrs parsed (SQLite keeps JSON text), in a fixed order. */
  async function dump() {
    const parse = (rows: Row[]) => rows.map((r): Row => ({ ...r, attrs: typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs }));
    return {
      nodes: parse(await query('SELECT id, kind, record_id, repo_id, time, tool, model, path, lines, attrs FROM lineage_nodes ORDER BY id')),
      edges: parse(await query('SELECT src, kind, dst, evidence, confidence, attrs FROM lineage_edges ORDER BY src, kind, dst')),
      hashes: await query('SELECT repo_id, path, hash, side, edit_id, time, line_start, line_end FROM lineage_line_hashes ORDER BY repo_id, path, hash, side, edit_id'),
    };
  }

  async function indexed(batches: ProvenanceRecord[][]) {
    for (const t of ['lineage_nodes', 'lineage_edges', 'lineage_line_hashes']) await exec(`DELETE FROM ${t}`);
    for (const b of batches) await lineage.indexer.onRecords(b);
    return dump();
  }

  before(async () => {
    const storage = await inProcessStorage(kind, 'll-lineage-batch-');
    backend = await storage.open();
    cleanup = storage.drop;
    lineage = lineageFor(backend, async () => []);
  });
  after(async () => {
    await backend?.close();
    await cleanup?.();
  });

  it('random histories, out of order with resends: split batches and one batch give the rows of one record per batch', async () => {
    let derived = 0;
    await fc.assert(
      fc.asyncProperty(history, async ({ arrival, batches }) => {
        const alone = await indexed(arrival.map((r) => [r]));
        derived += alone.edges.filter((e) => e.kind === 'derived-from').length;
        assert.deepEqual(await indexed(batches), alone, `split into ${batches.map((b) => b.length).join('+')}`);
        assert.deepEqual(await indexed([arrival]), alone, 'one batch');
      }),
      { numRuns: kind === 'sqlite' ? 150 : 40, seed: 20261128 },
    );
    // The histories do exercise derivation (else equality would prove little).
    assert.ok(derived > 50, `derived-from edges over all runs: ${derived}`);
  });

  it('an earlier edit arriving in the same batch after the later one, with a middle edit before it: both links, as one at a time', async () => {
    // Times: first < middle < last, all writing and replacing the same line; arrival: first, last, middle.
    const line = [LINES[0]!];
    const mk = (i: number, minute: number) => aiEdit(REPOS[0]!, PATHS[0]!, 0, line, { id: `ed_mid_${i}`, time: at(minute), prompt: null, rangeBefore: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, deletedText: textContent(`${line[0]}\n`) });
    const [first, middle, last] = [mk(1, 1), mk(2, 2), mk(3, 3)];
    const alone = await indexed([[first], [last], [middle]]);
    const links = alone.edges.filter((e) => e.kind === 'derived-from').map((e) => `${e.src} -> ${e.dst}`).sort();
    // The last edit was linked to the first when it arrived, and to the middle one when that came.
    assert.deepEqual(links, ['edit:ed_mid_2 -> edit:ed_mid_1', 'edit:ed_mid_3 -> edit:ed_mid_1', 'edit:ed_mid_3 -> edit:ed_mid_2']);
    assert.deepEqual(await indexed([[first, last, middle]]), alone);
  });
});
