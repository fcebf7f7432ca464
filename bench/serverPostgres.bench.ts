/**
 * The team server on PostgreSQL 15 (Plus), as a separate process:
 * - server.pg_ingest_records_per_s: batches of 500 realistic records uploaded over HTTP by a separate
 *   load process, 4 chains in parallel (validated, chain-verified, stored in monthly partitions and
 *   indexed for full-text search); baseline: batches of 1 record.
 * - server.pg_search_p95_ms: ranked full-text searches over HTTP with 1,000,000 stored records
 *   (--quick: 20,000), filled through the backend's own ingest; words in most records, in a few
 *   percent, and in none; baseline: the same searches as an ILIKE scan of the stored JSON.
 * - server.pg_blame_p95_ms: GET /api/v1/blame over HTTP for files of commits with AI lines, in the same
 *   database, with one binding per 5 edits (commits of 20 bindings), uploaded through the backend's git
 *   ingest; baseline: the same lookups by reading every binding of the repository.
 * Needs a PostgreSQL that may create databases: $LINEAGELENS_TEST_POSTGRES_URL, or the local cluster
 * made ready by scripts/test-postgres.sh (.ci/run does both). Each run uses fresh databases, dropped after.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { BenchResult, Benchmark } from './types';
import { EventGenerator } from './helpers/eventGenerator';
import { benchBinding } from './helpers/benchBindings';
import { ingestWithLineage, lineageCatchUp } from './helpers/lineageCatchUp';
import { canonicalJson } from '../src/core/chain/canonicalJson';
import type { Binding } from '../src/core/git/gitRecords';
import { GENESIS_HASH, makeUploadEntry } from '../src/core/sync/uploadChain';
import { verifyEntries } from '../src/server/db/entryContent';
import { openPgBackend } from '../src/server/postgres/pgBackend';
import { createTestDatabase } from '../test/unit/serverBackends';
import { api, removeDir, startServerProcess, tempDir } from '../test/unit/serverHarness';

const run = promisify(execFile);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

async function load(root: string, url: string, token: string, records: number, batch: number, sources: number, seed: number, idPrefix: string) {
  const script = path.join(root, 'out', 'bench', 'helpers', 'serverLoadProcess.js');
  const { stdout } = await run(process.execPath, [script, JSON.stringify({ url, token, records, batch, sources, seed, idPrefix })], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim()) as { records: number; ms: number; accepted: number; duplicate: number; failed: number };
}

const pgBench: Benchmark = async (ctx) => {
  const results: BenchResult[] = [];

  // Ingest over HTTP.
  const db = await createTestDatabase();
  const data = tempDir('ll-bench-pg-');
  try {
    const server = await startServerProcess(data, ['--rate-limit', '1000000', '--postgres', db.url]);
    try {
      const total = ctx.quick ? 20_000 : 200_000;
      await load(ctx.root, server.url, server.token!, 2_000, 500, 4, 1, 'warm');
      const big = await load(ctx.root, server.url, server.token!, total, 500, 4, 2, 'b');
      const lineage = await lineageCatchUp(server.url, server.token!, big.records);
      const small = await load(ctx.root, server.url, server.token!, ctx.quick ? 500 : 2_000, 1, 1, 3, 's');
      if (big.failed || big.accepted !== big.records) throw new Error(`ingest failed: ${JSON.stringify(big)}`);
      ctx.log(`uploaded ${big.records} records to PostgreSQL in ${(big.ms / 1000).toFixed(1)} s (4 chains in parallel, batches of 500)`);
      results.push({
        name: 'server.pg_ingest_records_per_s',
        value: Math.round(big.records / (big.ms / 1000)),
        unit: 'records/s',
        goal: 30_000,
        better: 'higher',
        baseline: { label: 'batches of 1 record', value: Math.round(small.records / (small.ms / 1000)) },
        note: `${big.records} records over HTTP from a separate process; zod, chain verification, unnest inserts into monthly partitions + GIN tsvector${ctx.quick ? ' (quick: fewer records)' : ''}`,
      });
      results.push(ingestWithLineage('server.pg_ingest_with_lineage_records_per_s', big, lineage));
    } finally {
      await server.stop();
    }
  } finally {
    removeDir(data);
    await db.drop();
  }

  // Search at scale: filled through the backend's ingest in-process (the same code as over HTTP).
  const stored = ctx.quick ? 20_000 : 1_000_000;
  const db2 = await createTestDatabase();
  const data2 = tempDir('ll-bench-pg-search-');
  try {
    const { backend } = await openPgBackend(db2.url);
    const user = await backend.accounts.addUser('bench', 'admin');
    const token = (await backend.accounts.createToken(user.name, 'bench')).token;
    const gen = new EventGenerator(4);
    let head = { seq: 0, hash: GENESIS_HASH };
    const blameTargets: { repo: string; path: string; commit: string }[] = [];
    let edits = 0;
    const t0 = performance.now();
    for (let done = 0; done < stored; done += 1_000) {
      const batch = gen.batch(Math.min(1_000, stored - done));
      const entries = batch.map((r) => {
        const e = makeUploadEntry(head.seq + 1, head.hash, r);
        head = { seq: e.seq, hash: e.hash };
        return e;
      });
      await backend.ingest.ingest(user.id, 'fill', verifyEntries(entries, entries), entries);
      const bindings: Binding[] = [];
      for (const r of batch) if (r.kind === 'edit' && edits++ % 5 === 0) bindings.push(benchBinding(r, Math.floor(edits / 100)));
      await backend.git.ingest(user.id, bindings.map((b) => ({ record: b, json: canonicalJson(b) })));
      if (bindings[0]) blameTargets.push({ repo: bindings[0].repoId, path: bindings[0].path, commit: bindings[0].commit });
      if (done % 100_000 === 0 && done > 0) ctx.log(`stored ${done} records`);
    }
    const bindingCount = Number((await backend.pool.query('SELECT count(*) AS n FROM git_bindings')).rows[0].n);
    await backend.pool.query('VACUUM ANALYZE');
    await backend.close();
    ctx.log(`filled ${stored} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    const server = await startServerProcess(data2, ['--rate-limit', '1000000', '--postgres', db2.url]);
    try {
      const queries = ['return', 'config', 'await result', 'user error', 'filt*', 'respo*', 'reduce count map', 'throw new', 'async', 'zebracorn', 'catch error', 'options data', 'index', 'value items', 'str*', 'billing', 'handler store'];
      for (const q of queries) await api(server.url, token, `/api/v1/search?q=${encodeURIComponent(q)}`);
      const times: number[] = [];
      for (let i = 0; i < (ctx.quick ? 60 : 300); i++) {
        const q = queries[i % queries.length]!;
        const t = performance.now();
        const res = await api(server.url, token, `/api/v1/search?q=${encodeURIComponent(q)}&limit=50`);
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`search failed: ${res.text}`);
      }
      const raw = new pg.Client({ connectionString: db2.url });
      await raw.connect();
      const likeTimes: number[] = [];
      for (const q of [...queries.slice(0, 4), 'zebracorn']) {
        const t = performance.now();
        await raw.query('SELECT rid FROM records WHERE json ILIKE $1 ORDER BY rid DESC LIMIT 50', [`%${q.split(' ')[0]!.replace('*', '')}%`]);
        likeTimes.push(performance.now() - t);
      }
      await raw.end();
      results.push({
        name: 'server.pg_search_p95_ms',
        value: percentile(times, 0.95),
        unit: 'ms',
        goal: 100,
        better: 'lower',
        baseline: { label: 'ILIKE scan p95', value: percentile(likeTimes, 0.95) },
        note: `${stored} stored records${ctx.quick ? ' (quick)' : ''}; over HTTP, 50 hits ranked (ts_rank over the newest 2,000 matches of any word and of every word; 2 of the 17 queries are words in a few percent of the records); median ${percentile(times, 0.5).toFixed(1)} ms`,
      });

      // Blame: files of commits with AI lines, spread over the whole history.
      const step = Math.max(1, Math.floor(blameTargets.length / 300));
      const targets = blameTargets.filter((_, i) => i % step === 0);
      const blameTimes: number[] = [];
      let aiLines = 0;
      for (const [i, t] of targets.entries()) {
        const start = performance.now();
        const res = await api(server.url, token, `/api/v1/blame?repo=${t.repo}&path=${encodeURIComponent(t.path)}&commit=${t.commit}`);
        if (i >= 10) blameTimes.push(performance.now() - start); // the first few warm the caches
        if (res.status !== 200) throw new Error(`blame failed: ${res.text}`);
        aiLines += (res.json.lines as unknown[]).length;
      }
      if (aiLines === 0) throw new Error('blame found no AI lines: the bench measures nothing');
      // Baseline: without the (repo, commit, path) index, every binding of the repository is read.
      const scan = new pg.Client({ connectionString: db2.url });
      await scan.connect();
      const scanTimes: number[] = [];
      for (const t of targets.slice(0, 20)) {
        const start = performance.now();
        const { rows } = await scan.query<{ json: string }>('SELECT json FROM git_bindings WHERE org_id + 0 = 1 AND repo_id || \'\' = $1', [t.repo]);
        rows.map((r) => JSON.parse(r.json) as Binding).filter((b) => b.commit === t.commit && b.path === t.path);
        scanTimes.push(performance.now() - start);
      }
      await scan.end();
      results.push({
        name: 'server.pg_blame_p95_ms',
        value: percentile(blameTimes, 0.95),
        unit: 'ms',
        goal: 20,
        better: 'lower',
        baseline: { label: "scan of the repository's bindings p95", value: percentile(scanTimes, 0.95) },
        note: `${stored} stored records, ${bindingCount} bindings${ctx.quick ? " (quick: fewer than the goal's 1,000,000 records)" : ''}; over HTTP, ${blameTimes.length} files, ${(aiLines / targets.length).toFixed(1)} AI lines per answer; median ${percentile(blameTimes, 0.5).toFixed(1)} ms`,
      });
    } finally {
      await server.stop();
    }
  } finally {
    removeDir(data2);
    await db2.drop();
  }
  return results;
};

export default pgBench;
