/**
 * The load generator for the server ingest benchmark, as a process of its own (so its CPU is not the
 * server's): `node out/bench/helpers/serverLoadProcess.js '<json options>'`. It generates and chains all
 * batches first (not timed), then uploads them — one chain per source, `sources` chains in parallel —
 * and prints one JSON line: {records, ms, accepted, duplicate, failed}.
 */
import { z } from 'zod';
import { GENESIS_HASH, uploadEntryJson } from '../../src/core/sync/uploadChain';
import { EventGenerator } from './eventGenerator';

const Options = z.object({
  url: z.string(),
  token: z.string(),
  records: z.number().int().positive(),
  batch: z.number().int().positive(),
  sources: z.number().int().positive(),
  seed: z.number().int(),
  idPrefix: z.string(),
});

async function main(): Promise<void> {
  const o = Options.parse(JSON.parse(process.argv[2] ?? '{}'));
  const gen = new EventGenerator(o.seed, undefined, o.idPrefix);
  const perSource = Math.ceil(o.records / o.sources);
  const bodies: string[][] = [];
  for (let s = 0; s < o.sources; s++) {
    const list: string[] = [];
    let head = { seq: 0, hash: GENESIS_HASH };
    for (let done = 0; done < perSource; done += o.batch) {
      // As the sync client sends them: records in canonical form.
      const entries = gen.batch(Math.min(o.batch, perSource - done)).map((r) => {
        const e = uploadEntryJson(head.seq + 1, head.hash, r);
        head = { seq: head.seq + 1, hash: e.hash };
        return e.json;
      });
      list.push(`{"source":"${o.idPrefix}load-${s}","entries":[${entries.join(',')}]}`);
    }
    bodies.push(list);
  }
  let accepted = 0;
  let duplicate = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    bodies.map(async (list) => {
      for (const body of list) {
        const res = await fetch(`${o.url}/api/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' }, body });
        const reply = (await res.json()) as { accepted?: number; duplicate?: number };
        if (res.status !== 200) failed++;
        accepted += reply.accepted ?? 0;
        duplicate += reply.duplicate ?? 0;
      }
    }),
  );
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ records: perSource * o.sources, ms, accepted, duplicate, failed })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
