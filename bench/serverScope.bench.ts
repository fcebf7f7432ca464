/**
 * The caller's read scope on PostgreSQL (Plus), at 1,000,000 records (--quick: 100,000) of 60 upload
 * chains: one developer holds 0.1% of the records, another 1%, the rest are spread evenly.
 * - server.pg_scoped_page_p95_ms: p95 of the reads that answer a page in a scope (the newest records,
 *   the newest of one tool, the export's newest position) for two developers, a lead of five and an admin,
 *   with the scope as the list of upload chains resolved first (postgres/pgScope.ts; the resolving query
 *   included); baseline: the same reads with the scope as a subquery (access/scopeSql.ts, what SQLite
 *   uses). Reads that aggregate the scope's records (stats, repositories) are logged, not in the figure.
 * The records are written with one INSERT ... SELECT from generate_series (the ingest path is measured by
 * serverPostgres.bench.ts); only their columns matter here. Needs a PostgreSQL that may create databases
 * ($LINEAGELENS_TEST_POSTGRES_URL or scripts/test-postgres.sh, as .ci/run does).
 */
import pg from 'pg';
import type { BenchResult, Benchmark } from './types';
import { type RecordScope, recordsInScope } from '../src/server/access/scopeSql';
import { openPgBackend } from '../src/server/postgres/pgBackend';
import { partitionFor } from '../src/server/postgres/partitions';
import { uploadersInScope } from '../src/server/postgres/pgScope';
import { createTestDatabase } from '../test/unit/serverBackends';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

/** `page`: a read that returns a few rows whatever the scope holds (the figure); the others aggregate the scope's records (logged). */
const READS: { name: string; page: boolean; sql: (scope: string) => string }[] = [
  { name: 'newest page', page: true, sql: (s) => `SELECT rid, time, json FROM records WHERE org_id = 1 AND ${s} ORDER BY time DESC, rid DESC LIMIT 51` },
  { name: 'newest page of a tool', page: true, sql: (s) => `SELECT rid, time, json FROM records WHERE org_id = 1 AND tool = 'tool3' AND ${s} ORDER BY time DESC, rid DESC LIMIT 51` },
  { name: 'stats', page: false, sql: (s) => `SELECT count(*), count(DISTINCT repo_id), sum(lines) FROM records WHERE org_id = 1 AND ${s}` },
  { name: 'repositories', page: false, sql: (s) => `SELECT repo_id, count(*), sum(lines) FROM records WHERE org_id = 1 AND kind = 'edit' AND repo_id IS NOT NULL AND ${s} GROUP BY repo_id ORDER BY 2 DESC LIMIT 200` },
  { name: 'export position', page: true, sql: (s) => `SELECT max(rid) FROM records WHERE org_id = 1 AND ${s}` },
];

const ROLES: { name: string; scope: RecordScope }[] = [
  { name: 'developer (0.1%)', scope: { orgId: 1, userIds: [1] } },
  { name: 'developer (1%)', scope: { orgId: 1, userIds: [2] } },
  { name: 'lead of five', scope: { orgId: 1, userIds: [1, 2, 3, 4, 5] } },
  { name: 'admin', scope: { orgId: 1, userIds: null } },
];

const scopeBench: Benchmark = async (ctx) => {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const rounds = ctx.quick ? 3 : 5;
  const db = await createTestDatabase();
  try {
    await (await openPgBackend(db.url)).backend.close(); // the schema, as the server migrates it
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      let t = performance.now();
      for (let m = 0; m < 24; m++) {
        const p = partitionFor(`${2024 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`);
        await client.query(`CREATE TABLE ${p.name} PARTITION OF records FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
      }
      await client.query(`INSERT INTO users (id, org_id, name, role, created_at) SELECT g, 1, 'u' || g, 'developer', now() FROM generate_series(1, 60) g`);
      await client.query(`INSERT INTO uploaders (org_id, id, user_id, source, head_hash) SELECT 1, g, g, 'editor', '' FROM generate_series(1, 60) g`);
      // Two years of records, one every ~62 s at 1M; uploader 1 holds every 1000th, uploader 2 every 100th.
      const step = Math.round((2 * 365 * 86400) / total);
      await client.query(
        `INSERT INTO records (org_id, time, rid, id, kind, repo_id, path, session_id, tool, model, author, line_start, line_end, lines, disposition, uploader_id, json, search)
         SELECT 1, timestamptz '2024-01-01' + (g * ${step} * interval '1 second'), g, 'ed_' || g, CASE WHEN g % 20 = 0 THEN 'session' ELSE 'edit' END,
                'repo' || (g % 40), 'src/f' || (g % 500) || '.ts', 'ses_' || (g / 20), 'tool' || (g % 7), 'model' || (g % 15), 'dev', 1, 5, 5, 'accepted',
                CASE WHEN g % 1000 = 7 THEN 1 WHEN g % 100 = 3 THEN 2 ELSE 3 + (g % 58) END, '{"id":"ed_' || g || '"}', ''::tsvector
         FROM generate_series(1, ${total}) g`,
      );
      await client.query('ANALYZE');
      ctx.log(`wrote ${total} records of 60 upload chains in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const timings = { list: [] as number[], subquery: [] as number[] };
      const worst: string[] = [];
      for (const role of ROLES) {
        for (const read of READS) {
          const per = { list: [] as number[], subquery: [] as number[] };
          for (let round = 0; round < rounds; round++) {
            t = performance.now();
            await client.query(read.sql(await uploadersInScope(client, role.scope)));
            per.list.push(performance.now() - t);
            t = performance.now();
            await client.query(read.sql(recordsInScope(role.scope)));
            per.subquery.push(performance.now() - t);
          }
          if (read.page) {
            timings.list.push(...per.list);
            timings.subquery.push(...per.subquery);
          }
          worst.push(`${role.name}, ${read.name}: ${percentile(per.list, 0.5).toFixed(1)} ms (subquery ${percentile(per.subquery, 0.5).toFixed(1)} ms)`);
        }
      }
      for (const line of worst) ctx.log(line);
      const value = Math.round(percentile(timings.list, 0.95) * 100) / 100;
      return [
        {
          name: 'server.pg_scoped_page_p95_ms',
          value,
          unit: 'ms',
          goal: null,
          better: 'lower',
          baseline: { label: 'scope as a subquery, p95', value: Math.round(percentile(timings.subquery, 0.95) * 100) / 100 },
          note: `${total} records, 60 upload chains; ${READS.filter((r) => r.page).length} page reads x ${ROLES.length} roles x ${rounds} rounds${ctx.quick ? ' (quick)' : ''}`,
        },
      ] satisfies BenchResult[];
    } finally {
      await client.end();
    }
  } finally {
    await db.drop();
  }
};

export default scopeBench;
