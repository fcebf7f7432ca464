/**
 * `lineagelens log [--json] [--tool T] [--file F] [--since ISO|7d|24h] [--limit N] [--home DIR]`: the
 * recorded AI edits, newest first. `--json` prints the full records as JSON lines.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { RepoInfoCache } from '../../core/git/repoInfo';
import type { EditEvent } from '../../core/model/schema';
import type { ProvenanceHit } from '../../core/store/index/indexQuery';
import { openStore, type ProvenanceStore } from '../../core/store/provenanceStore';
import { storeLayout } from '../../core/store/storeHome';
import { formatEdit } from './logFormat';
import { parseStoreArgs } from './storeArgs';

const USAGE = `usage: lineagelens log [--tool T] [--file F] [--since ISO|7d|24h] [--limit N] [--json] [--home DIR]\n`;
const DEFAULT_LIMIT = 50;
const PAGE = 5_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

const Limit = z.coerce.number().int().min(1).max(1_000_000);

export async function runLog(args: string[]): Promise<number> {
  let options;
  try {
    const parsed = parseStoreArgs(args, ['--tool', '--file', '--since', '--limit']);
    if (parsed.positional.length) throw new Error(`unexpected argument ${parsed.positional[0]}`);
    const limit = Limit.safeParse(parsed.values.get('--limit') ?? DEFAULT_LIMIT);
    if (!limit.success) throw new Error('--limit needs a whole number of 1 or more');
    const since = parsed.values.has('--since') ? parseSince(parsed.values.get('--since')!) : undefined;
    options = { ...parsed, limit: limit.data, since, tool: parsed.values.get('--tool'), file: parsed.values.get('--file') };
  } catch (err) {
    process.stderr.write(`lineagelens log: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!existsSync(storeLayout(options.home).manifest)) {
    process.stderr.write(`no LineageLens store at ${options.home}: nothing recorded yet\n`);
    return 0;
  }
  try {
    const store = await openStore({ home: options.home, index: 'inProcess', onProblem: (p) => process.stderr.write(`warning: ${p.message}\n`) });
    try {
      const edits = await newestEdits(store, options);
      if (options.json) process.stdout.write(edits.map((e) => JSON.stringify(e) + '\n').join(''));
      else if (edits.length === 0) process.stdout.write('no AI edits recorded that match\n');
      else process.stdout.write(edits.map(formatEdit).join('\n'));
    } finally {
      await store.close();
    }
  } catch (err) {
    process.stderr.write(`lineagelens log: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}

interface LogFilter {
  tool?: string;
  file?: string;
  since?: string;
  limit: number;
}

/** The `limit` latest edits matching the filter, newest first. */
async function newestEdits(store: ProvenanceStore, filter: LogFilter): Promise<EditEvent[]> {
  const where = filter.file ? await fileFilter(filter.file) : undefined;
  // A time window orders by edit time (not by when the store learned of the edit, e.g. an import of old transcripts).
  const base = { kind: 'edit' as const, since: filter.since ?? EPOCH, live: false, limit: PAGE, ...(filter.tool ? { tool: filter.tool } : {}), ...(where?.query ?? {}) };
  const latest: ProvenanceHit[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ ...base, ...(cursor ? { cursor } : {}) });
    for (const hit of page.hits) {
      if (where?.matches && !where.matches(hit)) continue;
      latest.push(hit);
      // Trimmed in bulk, so keeping the last N of a long history stays linear.
      if (latest.length >= 2 * filter.limit + PAGE) latest.splice(0, latest.length - filter.limit);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const records = await store.getRecords(latest.slice(-filter.limit).map((h) => h.seq).reverse());
  return records.filter((r): r is EditEvent => r?.kind === 'edit');
}

/**
 * A file that exists in a repository is looked up by repository and path; any other path (a deleted file,
 * a path as recorded) matches records' paths by suffix.
 */
async function fileFilter(file: string): Promise<{ query?: { repoId: string; path: string }; matches?: (hit: ProvenanceHit) => boolean }> {
  const absolute = path.resolve(file);
  const info = existsSync(absolute) ? await new RepoInfoCache().forFile(absolute) : undefined;
  if (info) {
    const relative = path.relative(info.root, absolute).split(path.sep).join('/');
    if (relative && !relative.startsWith('..')) return { query: { repoId: info.identity.id, path: relative } };
  }
  const wanted = path.posix.normalize(file.split(path.sep).join('/')).replace(/^\.\//, '');
  return { matches: (hit) => hit.path !== null && (hit.path === wanted || hit.path.endsWith(`/${wanted}`)) };
}

/** `--since`: an ISO time (a date alone means its start, UTC), or a span back from now: 30m, 24h, 7d, 2w. */
export function parseSince(value: string, now: number = Date.now()): string {
  const span = /^(\d+)\s*(m|h|d|w)$/i.exec(value.trim());
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[span[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
    return new Date(now - Number(span[1]) * unit).toISOString();
  }
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value.trim();
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new Error(`--since needs an ISO time (2026-03-01, 2026-03-01T10:00:00Z) or a span like 30m, 24h, 7d, 2w; got "${value}"`);
  return new Date(ms).toISOString();
}
