/**
 * `lineagelens hook-drain [--home DIR]`: records the hook payloads the launcher spooled (see
 * core/hookState/hookSpool), oldest first, one drainer at a time (a lock; a second drainer leaves at once,
 * the first one picks up its payload). Each payload is deleted once recorded; one that fails is moved to
 * `<home>/quarantine/hooks/` with the reason in the hook log, never lost. Started in the background by the
 * launcher after each spooled payload, and by the extension for leftovers; always exits 0.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isConnectorTool } from '../../core/connectors/types';
import { listSpooled, spoolDir, type SpooledPayload } from '../../core/hookState/hookSpool';
import { JournalLock } from '../../core/store/journal/journalLock';
import { resolveStoreHome } from '../../core/store/storeHome';
import { handleHookPayload } from './hook';
import { type HookLogEntry, writeHookLog } from './hookLog';
import { type HookStdin, MAX_HOOK_PAYLOAD_BYTES } from './hookStdin';

/** Enough rounds for any burst; a drainer never runs forever. */
const MAX_ROUNDS = 100;

export async function runHookDrain(args: string[]): Promise<number> {
  let home: string;
  try {
    const i = args.indexOf('--home');
    home = i >= 0 && args[i + 1] ? resolveStoreHome({ setting: args[i + 1] }) : resolveStoreHome();
  } catch {
    return 0;
  }
  // A crashed drainer is noticed by its dead pid; a live one may take long over a big backlog.
  const lock = new JournalLock(path.join(spoolDir(home), '..', 'drain.lock'), { timeoutMs: 0, staleMs: 10 * 60_000 });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let lease;
    try {
      lease = await lock.acquire();
    } catch {
      return 0; // another drainer is at work: it sees our payload before it leaves
    }
    try {
      for (let batch = listSpooled(home); batch.length > 0; batch = listSpooled(home)) {
        for (const spooled of batch) await drainOne(home, spooled);
      }
    } finally {
      await lease.release().catch(() => undefined);
    }
    // A payload spooled while we released the lock may have found it still held: look once more.
    if (listSpooled(home).length === 0) return 0;
  }
  return 0;
}

async function drainOne(home: string, spooled: SpooledPayload): Promise<void> {
  const entry: HookLogEntry = { tool: spooled.tool, outcome: 'ignored', edits: 0, prompts: 0, skipped: 0, durationMs: 0, messages: [] };
  const started = performance.now();
  let failed = false;
  try {
    if (!isConnectorTool(spooled.tool)) throw new Error(`unknown tool "${spooled.tool}" in a spooled payload`);
    await handleHookPayload(spooled.tool, readSpooled(spooled.file), home, entry);
    entry.messages.push(`spooled by the launcher ${Math.max(0, Date.now() - spooled.time)} ms earlier`);
  } catch (err) {
    failed = true;
    entry.outcome = 'failed';
    entry.messages.push(`${(err as Error).name}: ${(err as Error).message}`);
  }
  entry.durationMs = performance.now() - started;
  try {
    if (failed) {
      const aside = path.join(home, 'quarantine', 'hooks');
      mkdirSync(aside, { recursive: true });
      renameSync(spooled.file, path.join(aside, spooled.name));
      entry.messages.push(`payload kept in quarantine/hooks/${spooled.name}`);
    } else rmSync(spooled.file, { force: true });
  } catch (err) {
    entry.messages.push(`could not remove the spooled payload: ${(err as Error).message}`);
  }
  try {
    writeHookLog(home, entry);
  } catch {
    // the log is best effort
  }
}

function readSpooled(file: string): HookStdin {
  const bytes = statSync(file).size;
  if (bytes > MAX_HOOK_PAYLOAD_BYTES) return { kind: 'too_large', bytes };
  const data = readFileSync(file);
  if (data.includes(0)) return { kind: 'binary', bytes };
  return { kind: 'text', text: data.toString('utf8'), bytes };
}
