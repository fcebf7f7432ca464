/**
 * A separate writer process for the multi-process and crash tests and the crash benchmark:
 * `node out/bench/helpers/storeWriterProcess.js '<json options>'` appends generated records to a store
 * and prints one line per acknowledged append: `ack <firstSeq> <lastSeq> <id,id,...>`, then `done`.
 * Ids are only printed AFTER the append resolved, so every printed id was acknowledged.
 */
import { z } from 'zod';
import { openStore } from '../../src/core/store/provenanceStore';
import { EventGenerator } from './eventGenerator';

const Options = z.object({
  home: z.string(),
  count: z.number().int().positive(),
  batch: z.number().int().positive(),
  seed: z.number().int(),
  idPrefix: z.string(),
  /** Appends kept in flight at once (group commit gets several when > 1). */
  inFlight: z.number().int().positive().default(1),
  maxSegmentBytes: z.number().int().positive().optional(),
});

async function main(): Promise<void> {
  const options = Options.parse(JSON.parse(process.argv[2] ?? '{}'));
  const store = await openStore({ home: options.home, index: 'none', privacy: 'redacted', journal: { maxSegmentBytes: options.maxSegmentBytes } });
  const generator = new EventGenerator(options.seed, undefined, options.idPrefix);
  const pending: Promise<void>[] = [];
  for (let made = 0; made < options.count; made += options.batch) {
    const records = generator.batch(Math.min(options.batch, options.count - made));
    pending.push(
      store.append(records).then((receipt) => {
        process.stdout.write(`ack ${receipt.firstSeq} ${receipt.lastSeq} ${records.map((r) => r.id).join(',')}\n`);
      }),
    );
    if (pending.length >= options.inFlight) await pending.shift();
  }
  await Promise.all(pending);
  await store.close();
  process.stdout.write('done\n');
}

main().catch((err: Error) => {
  process.stderr.write(`storeWriterProcess: ${err.message}\n`);
  process.exit(1);
});
