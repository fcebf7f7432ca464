/**
 * `lineagelens store stats [--home DIR] [--json]`: what the local store holds.
 * `lineagelens store prune --older-than-days N [--home DIR] [--json]`: retention, recorded in the chain.
 * Both open the store in this process (no worker) and close it before exiting.
 */
import { openStore } from '../../core/store/provenanceStore';
import { StoreFormatError } from '../../core/store/storeErrors';
import { DaysArg, parseStoreArgs } from './storeArgs';

const USAGE = `usage: lineagelens store stats [--home DIR] [--json]
       lineagelens store prune --older-than-days N [--home DIR] [--json]
`;

export async function runStore(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseStoreArgs(rest, ['--older-than-days']);
  } catch (err) {
    process.stderr.write(`lineagelens store: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (sub !== 'stats' && sub !== 'prune') {
    process.stderr.write(USAGE);
    return 2;
  }
  const days = DaysArg.safeParse(parsed.values.get('--older-than-days'));
  if (sub === 'prune' && !days.success) {
    process.stderr.write(`lineagelens store prune: --older-than-days needs a number of days (0 or more)\n${USAGE}`);
    return 2;
  }
  try {
    const store = await openStore({
      home: parsed.home,
      index: 'inProcess',
      onProblem: (p) => process.stderr.write(`warning: ${p.message}\n`),
    });
    try {
      const out = sub === 'stats' ? await store.stats() : await store.prune({ olderThanDays: days.data! });
      process.stdout.write(parsed.json ? `${JSON.stringify(out, null, 2)}\n` : `${describe(sub, out)}\n`);
    } finally {
      await store.close();
    }
  } catch (err) {
    const message = err instanceof StoreFormatError ? err.message : (err as Error).message;
    process.stderr.write(`lineagelens store ${sub}: ${message}\n`);
    return 2;
  }
  return 0;
}

function describe(sub: 'stats' | 'prune', out: object): string {
  const o = out as Record<string, unknown>;
  if (sub === 'prune') {
    return o.removed === 0
      ? `nothing older than ${o.cutoff} to remove`
      : `removed ${o.removed} entries (${o.fromSeq}..${o.toSeq}) appended before ${o.cutoff}; recorded as entry ${o.pruneSeq}; ` +
          `${o.segmentsDeleted} segment(s) deleted, ${o.segmentsRewritten} rewritten`;
  }
  return [
    `store: ${o.home} (privacy: ${o.privacy})`,
    `records: ${o.records} (${o.edits} edits, ${o.sessions} sessions) in ${o.repositories} repositories, ${o.files} files`,
    `chain: last entry ${o.lastSeq}; index ${(Number(o.bytes) / 1e6).toFixed(1)} MB, loaded from ${o.loadedFrom}`,
  ].join('\n');
}
