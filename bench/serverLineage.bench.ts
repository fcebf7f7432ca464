/**
 * The server's lineage graph on PostgreSQL 15 (Max):
 *   lineage.line_ancestry_p95_ms  the ancestry of a random line at a revision, as GET /api/v1/lineage
 *                                 answers it (the ledger's binding of the line, as server blame finds it, one
 *                                 recursive CTE over the edges, nodes, core's ancestry), at 1,000,000 AI
 *                                 edits and 5,000,000 edges (--quick: 20,000 / 100,000); goal <= 50 ms.
 *     baseline: the same walk done hop by hop from the application (one query per node reached).
 *
 * The graph is generated inside PostgreSQL (INSERT ... SELECT FROM generate_series): edits in sessions of
 * 20, each landed in a commit (5 edits per commit, half of the commits rewritten by a rebase, a quarter
 * of those reviewed in a PR), chains of derived-from (each edit rewrote the one before it in its chain of
 * 8, and one three back), a quarter moved to another file; one ledger binding per edit (1,000 files).
 * The records table itself is not filled: a line's ancestry never reads it.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark } from './types';
import { UPSTREAM_SQL } from '../src/server/lineage/pgLineage';
import { LineageService } from '../src/server/lineage/lineageService';
import { PgLineage } from '../src/server/lineage/pgLineage';
import { openPgBackend } from '../src/server/postgres/pgBackend';
import { createTestDatabase } from '../test/unit/serverBackends';

const REPO = 'bench-repo';
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

/** Generates `n` edits, their nodes, edges and ledger bindings server-side. */
async function generate(q: (sql: string) => Promise<unknown>, n: number): Promise<void> {
  const sha = (expr: string) => `lpad(to_hex(${expr}), 40, '0')`;
  const newSha = (expr: string) => `'e' || lpad(to_hex(${expr}), 39, '0')`;
  await q(`INSERT INTO lineage_nodes (id, kind, record_id, repo_id, time, tool, model, path, lines, attrs)
    SELECT 'edit:e' || i, 'edit', 'e' || i, '${REPO}', to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      (ARRAY['copilot','claude-code','cursor','codex'])[1 + i % 4], (ARRAY['gpt-4o','claude-sonnet-4-5','gpt-5','gpt-5-codex'])[1 + i % 4], 'src/f' || (i % 1000) || '.ts', 3,
      jsonb_build_object('tool', (ARRAY['copilot','claude-code','cursor','codex'])[1 + i % 4], 'model', (ARRAY['gpt-4o','claude-sonnet-4-5','gpt-5','gpt-5-codex'])[1 + i % 4],
        'time', to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'path', 'src/f' || (i % 1000) || '.ts', 'line', 1 + (i % 5) * 3, 'lines', 3, 'disposition', 'accepted')
    FROM generate_series(0, ${n - 1}) i`);
  await q(`INSERT INTO lineage_nodes (id, kind, record_id, attrs) SELECT 'session:s' || s, 'session', 's' || s, jsonb_build_object('tool', 'copilot') FROM generate_series(0, ${Math.ceil(n / 20) - 1}) s`);
  await q(`INSERT INTO lineage_nodes (id, kind, record_id, attrs) SELECT 'prompt:s' || s, 'prompt', 's' || s, jsonb_build_object('source', 'hook') FROM generate_series(0, ${Math.ceil(n / 20) - 1}) s`);
  await q(`INSERT INTO lineage_nodes (id, kind, repo_id, attrs) SELECT 'commit:' || ${sha('c')}, 'commit', '${REPO}', jsonb_build_object('sha', ${sha('c')}) FROM generate_series(0, ${Math.ceil(n / 5) - 1}) c
           UNION ALL SELECT 'commit:' || (${newSha('c')}), 'commit', '${REPO}', jsonb_build_object('sha', ${newSha('c')}) FROM generate_series(0, ${Math.ceil(n / 5) - 1}, 2) c
           UNION ALL SELECT 'pr:' || p, 'pr', '${REPO}', jsonb_build_object('number', p, 'status', 'reviewed') FROM generate_series(0, ${Math.ceil(n / 40)}) p
           UNION ALL SELECT 'file:f' || f, 'file', '${REPO}', jsonb_build_object('path', 'moved/f' || f || '.ts') FROM generate_series(0, 999) f`);
  const edge = (select: string) => q(`INSERT INTO lineage_edges (src, kind, dst, evidence, confidence, attrs) ${select} ON CONFLICT DO NOTHING`);
  await edge(`SELECT 'edit:e' || i, 'part-of', 'session:s' || (i / 20), 'session-id', 1, NULL FROM generate_series(0, ${n - 1}) i`);
  await edge(`SELECT 'session:s' || s, 'prompted-by', 'prompt:s' || s, 'record', 1, NULL FROM generate_series(0, ${Math.ceil(n / 20) - 1}) s`);
  await edge(`SELECT 'edit:e' || i, 'landed-in', 'commit:' || ${sha('i / 5')}, 'binding', 1, jsonb_build_object('path', 'src/f' || (i % 1000) || '.ts') FROM generate_series(0, ${n - 1}) i`);
  await edge(`SELECT 'edit:e' || i, 'landed-in', 'commit:' || (${newSha('i / 5')}), 'binding', 1, jsonb_build_object('path', 'src/f' || (i % 1000) || '.ts', 'via', 'rewrite') FROM generate_series(0, ${n - 1}) i WHERE (i / 5) % 2 = 0`);
  await edge(`SELECT 'commit:' || ${sha('c')}, 'rewritten-as', 'commit:' || (${newSha('c')}), 'rewrite', 1, NULL FROM generate_series(0, ${Math.ceil(n / 5) - 1}, 2) c`);
  await edge(`SELECT 'commit:' || (${newSha('c')}), 'reviewed-in', 'pr:' || (c / 8), 'webhook', 1, NULL FROM generate_series(0, ${Math.ceil(n / 5) - 1}, 2) c`);
  await edge(`SELECT 'edit:e' || i, 'derived-from', 'edit:e' || (i - 1), 'content-hash', 0.8, NULL FROM generate_series(1, ${n - 1}) i WHERE i % 8 <> 0`);
  await edge(`SELECT 'edit:e' || i, 'derived-from', 'edit:e' || (i - 3), 'content-hash', 0.3, NULL FROM generate_series(3, ${n - 1}) i WHERE i % 8 >= 3`);
  await edge(`SELECT 'edit:e' || i, 'derived-from', 'edit:e' || (i - 5), 'content-hash', 0.2, NULL FROM generate_series(5, ${n - 1}) i WHERE i % 8 >= 5`);
  await edge(`SELECT 'edit:e' || i, 'moved-to', 'file:f' || (i % 1000), 'content-hash', 1, NULL FROM generate_series(0, ${n - 1}, 4) i`);
  // Fill up to 5 edges per edit with a second session link per edit (an edit seen in a resumed session).
  await edge(`SELECT 'edit:e' || i, 'part-of', 'session:s' || ((i / 20 + 1) % ${Math.ceil(n / 20)}), 'session-id', 0.5, NULL FROM generate_series(0, ${n - 1}) i WHERE i % 8 < 3`);
  // One ledger binding per edit: what turns (repo, path, line, rev) into an edit.
  await q(`INSERT INTO git_bindings (id, repo_id, commit_id, path, edit_id, session_id, edit_time, via, user_id, json)
    SELECT 'b' || i, '${REPO}', ${sha('i / 5')}, 'src/f' || (i % 1000) || '.ts', 'e' || i, 's' || (i / 20), '2026-01-01T00:00:00.000Z', 'commit', 1,
      json_build_object('schema', 'lineagelens.git/1', 'kind', 'binding', 'id', 'b' || i, 'time', '2026-01-01T00:00:00.000Z', 'repoId', '${REPO}', 'commit', ${sha('i / 5')},
        'path', 'src/f' || (i % 1000) || '.ts', 'via', 'commit',
        'edit', json_build_object('id', 'e' || i, 'sessionId', 's' || (i / 20), 'tool', 'copilot', 'model', 'openai/gpt-4o', 'time', '2026-01-01T00:00:00.000Z', 'disposition', 'accepted', 'acceptor', NULL),
        'ranges', json_build_array(json_build_object('start', 1 + (i % 5) * 3, 'end', 3 + (i % 5) * 3, 'sha256', repeat('a', 64), 'lines', json_build_array('0000000000000001', '0000000000000002', '0000000000000003'))))::text
    FROM generate_series(0, ${n - 1}) i`);
}

const bench: Benchmark = async (ctx) => {
  const n = ctx.quick ? 20_000 : 1_000_000;
  const db = await createTestDatabase();
  const { backend } = await openPgBackend(db.url, { poolSize: 2 });
  try {
    const started = performance.now();
    const q = (sql: string) => backend.pool.query(sql);
    await generate(q, n);
    await q('VACUUM ANALYZE lineage_nodes');
    await q('VACUUM ANALYZE lineage_edges');
    await q('VACUUM ANALYZE git_bindings');
    const edges = Number((await backend.pool.query<{ n: number }>('SELECT count(*) AS n FROM lineage_edges')).rows[0]!.n);
    ctx.log(`generated ${n} edits and ${edges} edges in PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const service = new LineageService(new PgLineage(backend.pool));
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lines = Array.from({ length: ctx.quick ? 100 : 300 }, () => {
      const i = Math.floor(rnd() * n);
      return { i, repo: REPO, path: `src/f${i % 1000}.ts`, line: 1 + (i % 5) * 3 + 1, rev: Math.floor(i / 5).toString(16).padStart(40, '0') };
    });
    for (const l of lines.slice(0, 20)) await service.lineAncestry(l); // warm the caches
    const times: number[] = [];
    let steps = 0;
    for (const l of lines) {
      const t = performance.now();
      const a = await service.lineAncestry(l);
      times.push(performance.now() - t);
      if (a.origin !== 'ai' || a.editId !== `e${l.i}`) throw new Error(`line ${JSON.stringify(l)} resolved to ${a.editId}`);
      steps += a.ancestry!.chain.length;
    }
    // Baseline: the same walk, one query per node reached, from the application.
    const base: number[] = [];
    for (const l of lines) {
      const t = performance.now();
      const seen = new Set<string>([`edit:e${l.i}`]);
      let frontier = [`edit:e${l.i}`];
      let first = true;
      while (frontier.length > 0) {
        const next: string[] = [];
        for (const id of frontier) {
          const kinds = first ? ['landed-in', 'moved-to', 'derived-from', 'part-of', 'prompted-by', 'rewritten-as', 'reviewed-in'] : ['derived-from', 'part-of', 'prompted-by', 'rewritten-as', 'reviewed-in'];
          const r = await backend.pool.query<{ dst: string }>('SELECT dst FROM lineage_edges WHERE org_id = 1 AND src = $1 AND kind = ANY($2::text[])', [id, kinds]);
          for (const row of r.rows) {
            if (seen.has(row.dst)) continue;
            seen.add(row.dst);
            next.push(row.dst);
          }
        }
        first = false;
        frontier = next;
      }
      base.push(performance.now() - t);
    }
    const plan = (await backend.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${UPSTREAM_SQL.replace('$1', `'edit:e${lines[0]!.i}'`)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    if (/Seq Scan on lineage_edges/.test(plan)) ctx.log(`warning: the ancestry walk scans lineage_edges:\n${plan}`);
    return [
      {
        name: 'lineage.line_ancestry_p95_ms',
        value: Math.round(p95(times) * 100) / 100,
        unit: 'ms',
        goal: 50,
        better: 'lower',
        baseline: { label: 'the same walk hop by hop (one query per node)', value: Math.round(p95(base) * 100) / 100 },
        note: `${n} edits, ${edges} edges on PostgreSQL; ${lines.length} random lines, ${(steps / lines.length).toFixed(1)} chain steps on average (binding lookup + recursive CTE + nodes + core ancestry)${ctx.quick ? ' (quick: small graph)' : ''}`,
      },
    ];
  } finally {
    await backend.close();
    await db.drop();
  }
};

export default bench;
