/**
 * The local provenance store against 1,000,000 generated events (50,000 with --quick):
 * ingest rate, file and line query latency, the calling thread's longest stall during a snapshot,
 * memory and snapshot size, reopen time, and events lost to a kill -9 in the middle of a burst.
 * Everything goes through the store API as the extension uses it (index in the worker thread).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as os from 'node:os';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchContext, BenchResult, Benchmark } from './types';
import { EventGenerator } from './helpers/eventGenerator';
import { removeHome, tempHome } from './helpers/tempStore';
import { ProvenanceRecord } from '../src/core/model/schema';
import { applyPrivacy } from '../src/core/privacy/privacyLevel';
import type { SnapshotResult } from '../src/core/store/index/indexService';
import { type AppendOptions, openStore, type ProvenanceStore } from '../src/core/store/provenanceStore';
import { prepareRecord } from '../src/core/store/recordPreparer';
import { storeLayout } from '../src/core/store/storeHome';
import { verifyStore } from '../src/core/store/verifyStore';
import { threadCpuMs } from '../src/core/util/threadCpu';

const SEED = 42;
const BATCH = 1_000;
const IN_FLIGHT = 4;
const CHUNK = 50_000; // generated between timed stretches, so the generator's memory stays small

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const mb = (bytes: number) => bytes / (1024 * 1024);

const storeBench: Benchmark = async (ctx) => {
  const total = ctx.quick ? 50_000 : 1_000_000;
  const home = tempHome('ll-bench-store-');
  const results: BenchResult[] = [];
  try {
    // No idle snapshots: the snapshot is measured explicitly below.
    const store = await openStore({ home, privacy: 'full', snapshots: { idleMs: 1e12, onCloseMinEntries: 1e12 } });
    const generator = new EventGenerator(SEED);
    await store.stats(); // the worker has started and loaded SQLite: measure the steady state

    // Ingest as an import does it: records parsed with the zod schema on the way in (not timed: that is
    // the importer reading its input), appended with alreadyValidated; batches of 1,000, 4 in flight;
    // timed until acknowledged (fdatasync) AND folded into the index in the worker.
    let ingestMs = 0;
    let ackedMs = 0;
    let ingestCpuUs = 0;
    let mainCpuMs = 0;
    let workerCpuMs = 0;
    let generateMs = 0;
    let firstSession: string | undefined;
    const loadBefore = loadavg()[0]!;
    for (let done = 0; done < total; done += CHUNK) {
      let t = performance.now();
      const events = generator.batch(Math.min(CHUNK, total - done)).map((e) => ProvenanceRecord.parse(e));
      generateMs += performance.now() - t;
      const first = events[0]!;
      firstSession ??= first.kind === 'edit' ? first.sessionId : first.id;
      const workerBefore = (await store.stats()).threadCpuMs ?? NaN;
      const mainBefore = threadCpuMs() ?? NaN;
      t = performance.now();
      const cpu = process.cpuUsage();
      ackedMs += await ingest(store, events, { alreadyValidated: true });
      const used = process.cpuUsage(cpu); // every thread: this one, the worker, GC helpers, libuv's fdatasync
      ingestMs += performance.now() - t;
      mainCpuMs += (threadCpuMs() ?? NaN) - mainBefore;
      workerCpuMs += ((await store.stats()).threadCpuMs ?? NaN) - workerBefore;
      ingestCpuUs += used.user + used.system;
      if ((done / CHUNK) % 4 === 3) ctx.log(`ingested ${done + events.length} events`);
    }
    const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)} on ${availableCores()} cores`;
    ctx.log(`generated and parsed ${total} events in ${(generateMs / 1000).toFixed(1)} s (not counted); ingested in ${(ingestMs / 1000).toFixed(1)} s (last append acknowledged after ${(ackedMs / 1000).toFixed(1)} s); ${load}`);
    const mainUs = (mainCpuMs * 1000) / total;
    const workerUs = (workerCpuMs * 1000) / total;
    // The ingest was a bulk load: the secondary indexes were deferred. The first query needing them (a
    // session query) builds them; timed here, so the ingest figure is not read without its deferred cost.
    const deferred = (await store.stats()).secondaryIndexes;
    const buildCpuBefore = (await store.stats()).threadCpuMs ?? NaN;
    const t = performance.now();
    await store.sessionRecords(firstSession!);
    const buildMs = performance.now() - t;
    const buildCpuMs = ((await store.stats()).threadCpuMs ?? NaN) - buildCpuBefore;
    ctx.log(`secondary indexes ${deferred} after the ingest; the first session query took ${(buildMs / 1000).toFixed(2)} s (worker CPU ${(buildCpuMs / 1000).toFixed(2)} s)`);
    const oneByOne = await ingestOneByOne(ctx.quick ? 300 : 1_000);
    results.push({
      name: 'store.ingest_events_per_s',
      value: Math.round(total / (ingestMs / 1000)),
      unit: 'events/s',
      goal: 50_000,
      better: 'higher',
      baseline: { label: 'one append per event', value: Math.round(oneByOne) },
      note: `store path: pre-validated records, privacy "full"; canonical JSON, hash chain, group-committed fdatasync, indexed in the worker; wall clock, ${load}`,
    });
    results.push({
      name: 'store.ingest_with_index_build_events_per_s',
      value: Math.round(total / ((ingestMs + buildMs) / 1000)),
      unit: 'events/s',
      goal: null,
      better: 'higher',
      note: `the same ingest plus the build of the secondary indexes it deferred (${deferred === 'deferred' ? `${(buildMs / 1000).toFixed(1)} s, by the first session query` : 'none were deferred'})`,
    });
    results.push({
      name: 'store.deferred_index_build_ms',
      value: buildMs,
      unit: 'ms',
      goal: null,
      better: 'lower',
      note: `first session query after the bulk load, which builds the 4 secondary indexes over ${total} rows (worker CPU ${buildCpuMs.toFixed(0)} ms); file and line queries never wait for it`,
    });
    results.push({
      name: 'store.ingest_acked_events_per_s',
      value: Math.round(total / (ackedMs / 1000)),
      unit: 'events/s',
      goal: null,
      better: 'higher',
      note: 'the same run, timed until the last append was acknowledged (durable), not until the index had folded it',
    });
    if (Number.isFinite(mainUs) && Number.isFinite(workerUs)) {
      results.push({
        name: 'store.ingest_thread_cpu_us_per_event',
        value: Math.max(mainUs, workerUs),
        unit: 'us/event',
        goal: null,
        better: 'lower',
        note: `CPU per event of the busier of the two threads the ingest pipelines over: calling thread ${mainUs.toFixed(1)} us, store worker ${workerUs.toFixed(1)} us (from /proc/thread-self/stat); with two free cores the rate is bounded by 1e6 / this = ${Math.round(1e6 / Math.max(mainUs, workerUs))} events/s`,
      });
    }
    results.push({
      name: 'store.ingest_cpu_us_per_event',
      value: ingestCpuUs / total,
      unit: 'us/event',
      goal: null,
      better: 'lower',
      note: 'CPU of both threads per ingested event (steady on a busy machine; 2 idle cores give at most 2e6 / this events/s)',
    });
    results.push(await defaultPipeline(ctx));

    results.push(...(await queryLatency(store, generator, ctx)));
    results.push(...(await snapshotStall(store, ctx)));
    await store.close();

    const snapshotBytes = statSync(storeLayout(home).snapshotFile).size;
    results.push({ name: 'store.snapshot_mb', value: mb(snapshotBytes) * (1_000_000 / total), unit: 'MB per 1M events', goal: null, better: 'lower', note: `${mb(snapshotBytes).toFixed(1)} MB for ${total} events` });
    results.push(...(await reopenFootprint(home, total, ctx)));
    results.push(...(await crashBurst(home, ctx)));
  } finally {
    removeHome(home);
  }
  return results;
};

/** Appends `events` in batches; resolves, once the index has folded them all, with the ms until the last acknowledgement. */
async function ingest(store: ProvenanceStore, events: ProvenanceRecord[], options: AppendOptions = {}): Promise<number> {
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    pending.push(store.append(events.slice(i, i + BATCH), options));
    if (pending.length >= IN_FLIGHT) await pending.shift();
  }
  await Promise.all(pending);
  const ackedMs = performance.now() - started;
  await store.stats(); // returns after the worker folded everything before it
  return ackedMs;
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * The whole default pipeline (zod validation + secret redaction + the store path), on a fresh store,
 * with the CPU each stage costs per event measured alone, so the figure can be read.
 */
async function defaultPipeline(ctx: BenchContext): Promise<BenchResult> {
  const count = ctx.quick ? 20_000 : 100_000;
  const events = new EventGenerator(SEED + 4, undefined, 'default-').batch(count);
  const sample = events.slice(0, 5_000);
  // CPU time, not wall time: on a shared machine it is the steadier measure of the work itself.
  const cost = (work: (e: ProvenanceRecord) => unknown) => {
    for (const e of sample.slice(0, 500)) work(e); // warm up
    const before = process.cpuUsage();
    for (const e of sample) work(e);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / sample.length;
  };
  const zodUs = cost((e) => ProvenanceRecord.parse(e));
  const redactUs = cost((e) => applyPrivacy(e, 'redacted')) - cost((e) => applyPrivacy(e, 'full'));
  const prepareUs = cost((e) => prepareRecord(e, 'full', 0, true));
  ctx.log(`CPU per event, measured alone: zod validation ${zodUs.toFixed(1)} us, secret redaction ${redactUs.toFixed(1)} us, canonical JSON + index fields ${prepareUs.toFixed(1)} us`);
  const home = tempHome('ll-bench-default-');
  try {
    const store = await openStore({ home, snapshots: { enabled: false } });
    const t = performance.now();
    await ingest(store, events);
    const rate = count / ((performance.now() - t) / 1000);
    await store.close();
    return {
      name: 'store.ingest_default_pipeline_events_per_s',
      value: Math.round(rate),
      unit: 'events/s',
      goal: null,
      better: 'higher',
      note: `${count} events, default settings: + zod validation (${zodUs.toFixed(0)} us/event) + secret redaction (${redactUs.toFixed(0)} us/event) on the calling thread`,
    };
  } finally {
    removeHome(home);
  }
}

/** The naive way, for comparison: each event its own append (its own lock, write and fdatasync). */
async function ingestOneByOne(count: number): Promise<number> {
  const home = tempHome('ll-bench-one-');
  try {
    const store = await openStore({ home, privacy: 'full', snapshots: { enabled: false } });
    const events = new EventGenerator(SEED + 1).batch(count).map((e) => ProvenanceRecord.parse(e));
    const t = performance.now();
    for (const event of events) await store.append([event], { alreadyValidated: true });
    await store.stats();
    const rate = count / ((performance.now() - t) / 1000);
    await store.close();
    return rate;
  } finally {
    removeHome(home);
  }
}

/** File and line queries as the gutter makes them: a file someone is editing, then lines of it. */
async function queryLatency(store: ProvenanceStore, generator: EventGenerator, ctx: BenchContext): Promise<BenchResult[]> {
  const repos = generator.repoIds();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = () => ({ repo: repos[Math.floor(random() * repos.length)]!, path: EventGenerator.filePath(Math.floor(random() * 500)) });
  for (let i = 0; i < 200; i++) await store.fileProvenance(pick().repo, pick().path); // warm up
  const file: number[] = [];
  const line: number[] = [];
  let hits = 0;
  for (let i = 0; i < 2_000; i++) {
    const target = pick();
    let t = performance.now();
    hits += (await store.fileProvenance(target.repo, target.path)).hits.length;
    file.push(performance.now() - t);
    t = performance.now();
    await store.lineProvenance(target.repo, target.path, Math.floor(random() * 600));
    line.push(performance.now() - t);
  }
  ctx.log(`file queries returned ${(hits / 2_000).toFixed(1)} live ranges on average (p50 ${percentile(file, 0.5).toFixed(3)} ms)`);
  return [
    { name: 'store.file_query_p95_ms', value: percentile(file, 0.95), unit: 'ms', goal: 2, better: 'lower', baseline: { label: 'p50', value: percentile(file, 0.5) }, note: '2,000 random files, round trip to the worker included' },
    { name: 'store.line_query_p95_ms', value: percentile(line, 0.95), unit: 'ms', goal: 1, better: 'lower', baseline: { label: 'p50', value: percentile(line, 0.5) }, note: '2,000 random lines of those files' },
  ];
}

/**
 * The longest event-loop delay of this (the calling) thread while the worker snapshots the whole
 * index, with an editor-like trickle of appends going on; the baseline is the same trickle without a
 * snapshot.
 */
async function snapshotStall(store: ProvenanceStore, ctx: BenchContext): Promise<BenchResult[]> {
  const generator = new EventGenerator(SEED + 2, undefined, 'stall-');
  const measure = async (during: () => Promise<unknown>) => {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let running = true;
    const trickle = (async () => {
      while (running) {
        await store.append(generator.batch(5));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    histogram.enable();
    const started = performance.now();
    await during();
    const ms = performance.now() - started;
    histogram.disable();
    running = false;
    await trickle;
    return { maxMs: histogram.max / 1e6, ms };
  };
  let written: SnapshotResult | undefined;
  const snapshot = await measure(async () => (written = await store.snapshot()));
  const idle = await measure(() => new Promise((resolve) => setTimeout(resolve, Math.max(500, snapshot.ms))));
  ctx.log(`snapshot took ${(snapshot.ms / 1000).toFixed(2)} s: export from SQLite ${((written?.exportMs ?? NaN) / 1000).toFixed(2)} s in the store worker, hash + write + fsync ${(((written?.ms ?? NaN) - (written?.exportMs ?? NaN)) / 1000).toFixed(2)} s in the nice-19 writer thread`);
  return [
    {
      name: 'store.max_stall_ms',
      value: snapshot.maxMs,
      unit: 'ms',
      goal: 20,
      better: 'lower',
      baseline: { label: 'same appends, no snapshot', value: idle.maxMs },
      note: `longest event-loop delay of the calling thread during a ${(snapshot.ms / 1000).toFixed(1)} s snapshot, appending 5 events every 20 ms`,
    },
  ];
}

/** Memory of an open store and how long opening takes, in a fresh process (nothing else in its heap). */
async function reopenFootprint(home: string, total: number, ctx: BenchContext): Promise<BenchResult[]> {
  const script = `
    const { openStore } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'core', 'store', 'provenanceStore.js'))});
    (async () => {
      const before = process.memoryUsage().rss;
      const t = performance.now();
      const store = await openStore({ home: ${JSON.stringify(home)}, snapshots: { enabled: false } });
      const stats = await store.stats();
      const openMs = performance.now() - t;
      await store.query({ limit: 1 });
      const rss = process.memoryUsage().rss - before;
      await store.close();
      process.stdout.write(JSON.stringify({ openMs, rss, records: stats.records, from: stats.loadedFrom }));
    })();`;
  const out = await runNode(['-e', script]);
  const { openMs, rss, records, from } = JSON.parse(out.stdout) as { openMs: number; rss: number; records: number; from: string };
  ctx.log(`reopened ${records} records from the ${from} in ${(openMs / 1000).toFixed(2)} s`);
  return [
    { name: 'store.worker_rss_mb', value: mb(rss) * (1_000_000 / total), unit: 'MB per 1M events', goal: null, better: 'lower', note: `RSS an open store adds to a fresh process (worker + sql.js index): ${mb(rss).toFixed(0)} MB for ${total} events` },
    { name: 'store.reopen_ms', value: openMs, unit: 'ms', goal: null, better: 'lower', note: `open + load the snapshot + first answer, ${total} events` },
  ];
}

/** kill -9 a writer in the middle of a 10,000-event burst; count acknowledged events that are gone. */
async function crashBurst(home: string, ctx: BenchContext): Promise<BenchResult[]> {
  const writer = path.join(__dirname, 'helpers', 'storeWriterProcess.js');
  const options = { home, count: 10_000, batch: 100, seed: SEED + 3, idPrefix: 'crash-', inFlight: 4 };
  const acked: string[] = [];
  const child = spawn(process.execPath, [writer, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('ack ')) acked.push(...line.split(' ')[3]!.split(','));
    if (acked.length >= 3_000) child.kill('SIGKILL');
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  const store = await openStore({ home, snapshots: { enabled: false } });
  const found = await store.getRecords(acked);
  await store.close();
  const lost = found.filter((r) => r === null).length;
  const t = performance.now();
  const verdict = verifyStore(storeLayout(home), store.manifest.storeId);
  ctx.log(`crash: killed by ${signal} after ${acked.length} acknowledged events; verify walked ${verdict.entries} entries in ${((performance.now() - t) / 1000).toFixed(1)} s: ${verdict.ok ? 'intact' : `BROKEN (${verdict.firstBreak?.message})`}`);
  return [
    { name: 'store.crash_lost_events', value: lost, unit: 'events', goal: 0, better: 'lower', note: `kill -9 after ${acked.length} of 10,000 events were acknowledged; store reopened` },
    { name: 'store.crash_chain_breaks', value: verdict.breaks, unit: 'links', goal: 0, better: 'lower', note: `lineagelens verify over all ${verdict.entries} entries after the crash` },
  ];
}

function runNode(args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('exit', (code) => (code === 0 ? resolve({ stdout }) : reject(new Error(`child exited with ${code}`))));
  });
}

export default storeBench;
