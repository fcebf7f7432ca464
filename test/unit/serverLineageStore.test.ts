/**
 * The server's lineage tables and queries on each backend (SQLite in a file, a real PostgreSQL database),
 * driven in process through the indexer: derived-from by content in either arrival order, idempotent
 * re-ingest, ancestry / descendants / impact, PROV-JSON, and role filtering: a node the caller may not
 * read stays on the path as a redacted node.
 */
import * as assert from 'node:assert/strict';
import { nodeId } from '../../src/core/lineage/lineageGraph';
import { textContent } from '../../src/core/model/content';
import type { ServerBackend } from '../../src/server/backend/backend';
import { SqliteBackend } from '../../src/server/backend/sqliteBackend';
import { lineageFor, type ServerLineage } from '../../src/server/lineage/lineageFor';
import { provOf } from '../../src/server/lineage/lineageService';
import type { PgBackend } from '../../src/server/postgres/pgBackend';
import { aiEdit } from './gitHelpers';
import { backendsUnderTest, inProcessStorage } from './serverBackends';

const REPO = 'a'.repeat(64);
const squareV1 = ['export function areaOfSquare(side: number) {', '  return side * side;', '}'];
const squareV2 = ['export function areaOfSquare(side: number): number {', '  if (side < 0) throw new RangeError("negative side");', '  return side * side;', '}'];

function history() {
  const copilot = aiEdit(REPO, 'area.ts', 2, squareV1, { tool: { name: 'copilot' }, model: { id: 'gpt-4o', provider: 'openai' }, sessionId: 'ses_c', prompt: { content: textContent('square helper'), source: 'transcript' } });
  const claude = aiEdit(REPO, 'area.ts', 2, squareV2, {
    time: new Date(Date.parse(copilot.time) + 60_000).toISOString(),
    sessionId: 'ses_s',
    rangeBefore: { start: { line: 2, character: 0 }, end: { line: 5, character: 0 } },
    deletedText: textContent(`${squareV1.join('\n')}\n`),
  });
  // A third edit in another file with the same lines: not derived (another file).
  const other = aiEdit(REPO, 'other.ts', 0, ['const unrelatedConstant = 1;'], { time: new Date(Date.parse(copilot.time) + 120_000).toISOString(), sessionId: 'ses_s', deletedText: textContent(`${squareV1.join('\n')}\n`) });
  return { copilot, claude, other };
}

for (const kind of backendsUnderTest().map((b) => b.name))
describe(`server lineage tables and queries on ${kind}`, function () {
  this.timeout(60_000);
  let backend: ServerBackend;
  let lineage: ServerLineage;
  let cleanup: () => Promise<void>;
  const h = history();

  /** Rows of the three lineage tables, straight from the database. */
  async function rowCount(): Promise<number> {
    const sql = "SELECT (SELECT count(*) FROM lineage_nodes) + (SELECT count(*) FROM lineage_edges) + (SELECT count(*) FROM lineage_line_hashes) AS n";
    if (backend instanceof SqliteBackend) return (backend.db.prepare(sql).get() as { n: number }).n;
    return Number((await (backend as PgBackend).pool.query<{ n: string }>(sql)).rows[0]!.n);
  }

  before(async () => {
    const storage = await inProcessStorage(kind, 'll-lineage-store-');
    backend = await storage.open();
    cleanup = storage.drop;
    lineage = lineageFor(backend, async () => []);
    // The later edit first: the earlier one, arriving second, must still be linked.
    await lineage.indexer.onRecords([h.claude, h.other]);
    await lineage.indexer.onRecords([h.copilot]);
  });
  after(async () => {
    await backend?.close();
    await cleanup?.();
  });

  it('links a rewrite to the edit whose lines it replaced, whichever arrived first; not across files', async () => {
    const a = (await lineage.service.nodeAncestry(nodeId.edit(h.claude.id)))!;
    assert.deepEqual(a.chain.map((s) => s.node.id), [nodeId.edit(h.copilot.id), nodeId.edit(h.claude.id)]);
    assert.deepEqual(a.chain[1]!.via, { evidence: 'content-hash', confidence: 1 });
    const edge = a.graph.edges.find((e) => e.kind === 'derived-from')!;
    assert.deepEqual(edge.attrs, { lines: 2, of: 2, rangeOverlap: 1 }, 'two distinctive lines replaced, ranges overlap');
    assert.equal(a.chain[0]!.session?.id, nodeId.session('ses_c'));
    assert.equal(a.chain[0]!.prompts.length, 1);
    const other = (await lineage.service.nodeAncestry(nodeId.edit(h.other.id)))!;
    assert.equal(other.chain.length, 1, 'same lines in another file are not a rewrite');
  });

  it('re-ingesting changes nothing', async () => {
    const before = await rowCount();
    await lineage.indexer.onRecords([h.copilot, h.claude, h.other]);
    assert.equal(await rowCount(), before);
    // Nodes: 3 edits, 2 sessions, 3 prompts. Edges: 3 part-of, 3 prompted-by, 1 derived-from. Distinctive
    // line hashes: inserted 2 + 3 + 1, deleted 2 (Claude) + 2 (the other file's edit).
    assert.equal(before, 8 + 7 + 10);
  });

  it('redacts a node the caller may not read, keeping the path through it', async () => {
    const canRead = async () => (recordId: string) => recordId !== h.copilot.id;
    const a = (await lineage.service.nodeAncestry(nodeId.edit(h.claude.id), canRead))!;
    assert.deepEqual(a.chain[0]!.node, { id: nodeId.edit(h.copilot.id), kind: 'redacted', reason: 'outside your access' });
    assert.equal(a.chain[1]!.node.kind, 'edit');
    assert.equal(a.chain.length, 2, 'the path is not dropped');
    // The edit and the prompt its record carried; the session (its own id) is readable.
    const redactedInGraph = a.graph.nodes.filter((n) => n.kind === 'redacted');
    assert.deepEqual(redactedInGraph.map((n) => n.id).sort(), [nodeId.edit(h.copilot.id), a.graph.nodes.find((n) => n.id.startsWith('prompt:ses_c:'))!.id].sort());
    assert.equal(a.chain[0]!.session?.kind, 'session');
    assert.ok(!JSON.stringify(a).includes('gpt-4o'), 'nothing of the redacted edit shows');
    const down = (await lineage.service.descendants(nodeId.session('ses_c'), canRead))!;
    assert.ok(down.nodes.some((n) => n.kind === 'redacted' && n.id === nodeId.edit(h.copilot.id)));
    assert.ok(down.nodes.some((n) => n.id === nodeId.edit(h.claude.id) && n.kind === 'edit'), 'what was derived from it is still reached');
    const prov = provOf(a.graph);
    assert.ok(JSON.stringify(prov).includes('outside your access'));
    // The same question with every record readable shows it all.
    assert.equal((await lineage.service.nodeAncestry(nodeId.edit(h.claude.id)))!.chain[0]!.node.kind, 'edit');
  });

  it("a commit's reviewed-in follows the PR that decides its review: an earlier PR's edge is dropped", async () => {
    const sha = 'c'.repeat(40);
    const repo = { id: REPO, remote: 'github.com/acme/area' };
    const pr = (number: number, state: 'open' | 'merged', time: string) => ({
      kind: 'pull-request' as const, provider: 'github' as const, repo, number, url: `https://github.com/acme/area/pull/${number}`, title: 'area', author: 'ann', state,
      headRef: `topic-${number}`, headSha: sha, mergeCommitSha: null, mergedAt: state === 'merged' ? time : null, mergedBy: state === 'merged' ? 'bob' : null, time,
    });
    const reviewedIn = async (): Promise<string[]> => {
      const sql = "SELECT dst FROM lineage_edges WHERE src = $1 AND kind = 'reviewed-in' ORDER BY dst";
      const src = nodeId.commit(REPO, sha);
      if (backend instanceof SqliteBackend) return (backend.db.prepare(sql.replace('$1', '?')).all(src) as { dst: string }[]).map((r) => r.dst);
      return (await (backend as PgBackend).pool.query<{ dst: string }>(sql, [src])).rows.map((r) => r.dst);
    };
    const first = [pr(7, 'open', '2026-03-01T10:00:00Z')];
    await lineage.indexer.onPrFacts(REPO, first);
    assert.deepEqual(await reviewedIn(), [nodeId.pr('github', REPO, 7)]);
    // The branch is reopened as PR 8, which merges the same commit: the merged PR decides.
    await lineage.indexer.onPrFacts(REPO, [...first, pr(8, 'merged', '2026-03-02T10:00:00Z')]);
    assert.deepEqual(await reviewedIn(), [nodeId.pr('github', REPO, 8)]);
    // Re-deriving from the same facts changes nothing.
    await lineage.indexer.onPrFacts(REPO, [...first, pr(8, 'merged', '2026-03-02T10:00:00Z')]);
    assert.deepEqual(await reviewedIn(), [nodeId.pr('github', REPO, 8)]);
  });

  it('impact of a model and of a tool over a time window', async () => {
    assert.deepEqual(await lineage.service.impact({ model: 'gpt-4o' }), { edits: 1, lines: 3, sessions: 1, commits: 0, rewrittenBy: 1, files: 1 });
    assert.equal((await lineage.service.impact({ tool: 'claude-code' })).edits, 2);
    assert.equal((await lineage.service.impact({ tool: 'claude-code', since: '2030-01-01T00:00:00Z' })).edits, 0);
    const overview = await lineage.service.overview({ tool: 'copilot' }, 10);
    assert.ok(overview.nodes.some((n) => n.id === nodeId.edit(h.claude.id)), 'the overview reaches the edit that rewrote it');
  });
});
