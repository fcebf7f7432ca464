/**
 * The Lite team server, as a separate process on SQLite:
 * - server.ingest_records_per_s: batches of 500 realistic records uploaded over HTTP by a separate load
 *   process (chained, validated, verified, stored and indexed for full-text search); baseline: batches
 *   of 1 record.
 * - server.search_p95_ms: full-text searches over HTTP with 1,000,000 stored records (--quick: 50,000);
 *   baseline: the same searches as a LIKE scan of the stored JSON.
 * - server.blame_p95_ms: GET /api/v1/blame over HTTP for files of commits with AI lines, in the same
 *   database (1,000,000 records; --quick: 50,000) plus one binding per 5 edits (commits of 20 bindings);
 *   baseline: the same lookups by scanning every binding of the repository.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult, Benchmark } from './types';
import { EventGenerator } from './helpers/eventGenerator';
import { removeHome, tempHome } from './helpers/tempStore';
import { canonicalJson } from '../src/core/chain/canonicalJson';
import type { Binding } from '../src/core/git/gitRecords';
import { benchBinding } from './helpers/benchBindings';
import { ingestWithLineage, lineageCatchUp } from './helpers/lineageCatchUp';
import { GENESIS_HASH, makeUploadEntry } from '../src/core/sync/uploadChain';
import { Accounts } from '../src/server/db/accounts';
import { BindingStore } from '../src/server/db/bindings';
import { Ingestor } from '../src/server/db/ingest';
import { verifyEntries } from '../src/server/db/entryContent';
import { openServerDb } from '../src/server/db/serverDb';
import { api, startServerProcess } from '../test/unit/serverHarness';

const run = promisify(execFile);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

async function load(root: string, url: string, token: string, records: number, batch: number, seed: number, idPrefix: string) {
  const script = path.join(root, 'out', 'bench', 'helpers', 'serverLoadProcess.js');
  const { stdout } = await run(process.execPath, [script, JSON.stringify({ url, token, records, batch, sources: 2, seed, idPrefix })], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim()) as { records: number; ms: number; accepted: number; duplicate: number; failed: number };
}

const serverBench: Benchmark = async (ctx) => {
  const results: BenchResult[] = [];

  // Ingest over HTTP.
  const data = tempHome('ll-bench-server-');
  try {
    const server = await startServerProcess(data, ['--rate-limit', '1000000']);
    try {
      const total = ctx.quick ? 20_000 : 200_000;
      await load(ctx.root, server.url, server.token!, 2_000, 500, 1, 'warm'); // JIT and SQLite warm-up
      const big = await load(ctx.root, server.url, server.token!, total, 500, 2, 'b');
      const lineage = await lineageCatchUp(server.url, server.token!, big.records);
      const small = await load(ctx.root, server.url, server.token!, ctx.quick ? 500 : 2_000, 1, 3, 's');
      if (big.failed || big.accepted !== big.records) throw new Error(`ingest failed: ${JSON.stringify(big)}`);
      ctx.log(`uploaded ${big.records} records in ${(big.ms / 1000).toFixed(1)} s (2 chains in parallel, batches of 500)`);
      results.push({
        name: 'server.ingest_records_per_s',
        value: Math.round(big.records / (big.ms / 1000)),
        unit: 'records/s',
        goal: 20_000,
        better: 'higher',
        baseline: { label: 'batches of 1 record', value: Math.round(small.records / (small.ms / 1000)) },
        note: `${big.records} records over HTTP from a separate process; zod validation, chain verification, SQLite (WAL) + FTS5${ctx.quick ? ' (quick: fewer records)' : ''}`,
      });
      results.push(ingestWithLineage('server.ingest_with_lineage_records_per_s', big, lineage));
    } finally {
      await server.stop();
    }
  } finally {
    removeHome(data);
  }

  // Search at scale: the database is filled directly through the server's ingest code (same path as
  // the API minus HTTP, which the figure above covers), then searched over HTTP.
  const stored = ctx.quick ? 50_000 : 1_000_000;
  const data2 = tempHome('ll-bench-search-');
  try {
    const dbFile = path.join(data2, 'lite.db');
    const db = openServerDb(dbFile);
    const accounts = new Accounts(db);
    const user = accounts.addUser('bench', 'admin');
    const token = accounts.createToken(user.name, 'bench').token;
    const ingestor = new Ingestor(db);
    const bindingStore = new BindingStore(db);
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
      ingestor.ingest(user.id, 'fill', verifyEntries(entries, entries), entries);
      const bindings: Binding[] = [];
      for (const r of batch) if (r.kind === 'edit' && edits++ % 5 === 0) bindings.push(benchBinding(r, Math.floor(edits / 100)));
      await bindingStore.ingest(user.id, bindings.map((b) => ({ record: b, json: canonicalJson(b) })));
      if (bindings[0]) blameTargets.push({ repo: bindings[0].repoId, path: bindings[0].path, commit: bindings[0].commit });
      if (done % 200_000 === 0 && done > 0) ctx.log(`stored ${done} records`);
    }
    const bindingCount = (db.prepare('SELECT count(*) AS n FROM git_bindings').get() as { n: number }).n;
    db.close();
    ctx.log(`filled ${stored} records in ${((performance.now() - t0) / 1000).toFixed(0)} s; database ${(statSync(dbFile).size / 1048576).toFixed(0)} MiB`);

    const server = await startServerProcess(data2, ['--rate-limit', '1000000']);
    try {
      // Common words, pairs and triples, prefixes (word*) and a word that never occurs.
      const queries = ['return', 'config', 'await result', 'user error', 'filt*', 'respo*', 'reduce count map', 'throw new', 'async', 'zebracorn', 'catch error', 'options data', 'index', 'value items', 'str*'];
      for (const q of queries) await api(server.url, token, `/api/v1/search?q=${encodeURIComponent(q)}`); // warm the page cache
      const times: number[] = [];
      for (let i = 0; i < (ctx.quick ? 150 : 300); i++) {
        const q = queries[i % queries.length]!;
        const t = performance.now();
        const res = await api(server.url, token, `/api/v1/search?q=${encodeURIComponent(q)}&limit=50`);
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`search failed: ${res.text}`);
      }
      // Baseline: a LIKE scan of the stored JSON for the same words (first word), a few of them.
      const raw = openServerDb(dbFile);
      const likeTimes: number[] = [];
      for (const q of queries.slice(0, 6)) {
        const t = performance.now();
        raw.prepare(`SELECT rid FROM records WHERE json LIKE ? ORDER BY rid DESC LIMIT 50`).all(`%${q.split(' ')[0]!.replace('*', '')}%`);
        likeTimes.push(performance.now() - t);
      }
      const rare = performance.now();
      raw.prepare(`SELECT rid FROM records WHERE json LIKE ? LIMIT 50`).all('%zebracorn%');
      likeTimes.push(performance.now() - rare);
      raw.close();
      results.push({
        name: 'server.search_p95_ms',
        value: percentile(times, 0.95),
        unit: 'ms',
        goal: 100,
        better: 'lower',
        baseline: { label: 'LIKE scan p95', value: percentile(likeTimes, 0.95) },
        note: `${stored} stored records${ctx.quick ? ' (quick: fewer than the goal\'s 1,000,000)' : ''}; over HTTP, 50 hits newest first; median ${percentile(times, 0.5).toFixed(1)} ms`,
      });
      // Blame: files of commits with AI lines, spread over the whole history.
      const step = Math.max(1, Math.floor(blameTargets.length / 300));
      const targets = blameTargets.filter((_, i) => i % step === 0);
      const blameTimes: number[] = [];
      let aiLines = 0;
      for (const [i, t] of targets.entries()) {
        const start = performance.now();
        const res = await api(server.url, token, `/api/v1/blame?repo=${t.repo}&path=${encodeURIComponent(t.path)}&commit=${t.commit}`);
        if (i >= 10) blameTimes.push(performance.now() - start); // the first few warm the page cache
        if (res.status !== 200) throw new Error(`blame failed: ${res.text}`);
        aiLines += (res.json.lines as unknown[]).length;
      }
      if (aiLines === 0) throw new Error('blame found no AI lines: the bench measures nothing');
      // Baseline: without the (repo, commit, path) index, every binding of the repository is read.
      const raw2 = openServerDb(dbFile);
      const scanTimes: number[] = [];
      for (const t of targets.slice(0, 20)) {
        const start = performance.now();
        const rows = raw2.prepare('SELECT json FROM git_bindings NOT INDEXED WHERE repo_id = ?').all(t.repo) as { json: string }[];
        rows.map((r) => JSON.parse(r.json) as Binding).filter((b) => b.commit === t.commit && b.path === t.path);
        scanTimes.push(performance.now() - start);
      }
      raw2.close();
      results.push({
        name: 'server.blame_p95_ms',
        value: percentile(blameTimes, 0.95),
        unit: 'ms',
        goal: 20,
        better: 'lower',
        baseline: { label: 'scan of the repository\'s bindings p95', value: percentile(scanTimes, 0.95) },
        note: `${stored} stored records, ${bindingCount} bindings${ctx.quick ? ' (quick: fewer than the goal\'s 1,000,000 records)' : ''}; over HTTP, ${blameTimes.length} files, ${(aiLines / targets.length).toFixed(1)} AI lines per answer; median ${percentile(blameTimes, 0.5).toFixed(1)} ms`,
      });
    } finally {
      await server.stop();
    }
  } finally {
    removeHome(data2);
  }
  return results;
};

export default serverBench;
