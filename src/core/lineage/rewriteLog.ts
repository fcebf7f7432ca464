/**
 * Rewrites the editor saw (an AI change landing inside another AI record's text) kept across restarts:
 * `<home>/lineage/rewrites.jsonl`, one `{"later":id,"earlier":id,"time":iso}` per line, appended in
 * batches off the editor's hot path. Read back when a hover asks for an ancestry. A line that does not
 * parse (a torn write at a crash) is skipped, never fatal. Ids only: nothing of prompts or code.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';

const Line = z.object({ later: z.string().min(1).max(200), earlier: z.string().min(1).max(200), time: z.string().max(40) });

/** Batches are written this long after the first rewrite noted in them. */
const FLUSH_DELAY_MS = 2_000;

export function rewriteLogFile(home: string): string {
  return path.join(home, 'lineage', 'rewrites.jsonl');
}

export class RewriteLog {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private cache: { mtimeMs: number; size: number; map: Map<string, Set<string>>; skipped: number } | null = null;

  constructor(
    private readonly home: () => string,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** Records one rewrite; written within FLUSH_DELAY_MS (or at flush()). */
  note(later: string, earlier: string, time = new Date().toISOString()): void {
    this.pending.push(`${JSON.stringify({ later, earlier, time })}\n`);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
      this.timer.unref?.();
    }
  }

  /** Writes what is pending (one append). Never throws: a failure is reported and the batch kept. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      const file = rewriteLogFile(this.home());
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, batch.join(''));
      } catch (err) {
        this.pending = [...batch, ...this.pending];
        this.onError(`could not write ${file}: ${(err as Error).message}`);
      }
    });
    return this.flushing;
  }

  /** Earlier records each of `later` ids rewrote, as written so far (re-read when the file changed). */
  async rewritesOf(later: readonly string[]): Promise<Map<string, string[]>> {
    await this.flush();
    const all = await this.load();
    return new Map(later.filter((id) => all.has(id)).map((id) => [id, [...all.get(id)!]]));
  }

  /** How many lines of the file were skipped as unreadable (for the status command and tests). */
  get skippedLines(): number {
    return this.cache?.skipped ?? 0;
  }

  private async load(): Promise<Map<string, Set<string>>> {
    const file = rewriteLogFile(this.home());
    let s;
    try {
      s = await stat(file);
    } catch {
      return new Map();
    }
    if (this.cache && this.cache.mtimeMs === s.mtimeMs && this.cache.size === s.size) return this.cache.map;
    const map = new Map<string, Set<string>>();
    let skipped = 0;
    for (const text of (await readFile(file, 'utf8')).split('\n')) {
      if (!text.trim()) continue;
      let parsed;
      try {
        parsed = Line.safeParse(JSON.parse(text));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) {
        skipped++;
        continue;
      }
      const set = map.get(parsed.data.later) ?? new Set<string>();
      set.add(parsed.data.earlier);
      map.set(parsed.data.later, set);
    }
    this.cache = { mtimeMs: s.mtimeMs, size: s.size, map, skipped };
    return map;
  }
}
