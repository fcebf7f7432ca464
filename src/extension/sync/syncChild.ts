import { spawn } from 'node:child_process';
import { z } from 'zod';

/** What `lineagelens sync --json` prints on success. */
const SyncSucceeded = z.object({
  enqueued: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});
/** ... and on a failed upload (the entries stay in the outbox). */
const SyncFailed = z.object({
  error: z.string(),
  status: z.number().int().nullable(),
  pending: z.number().int().nonnegative().nullable(),
  /** Another process (another window) is syncing this store right now. */
  busy: z.boolean().optional(),
});

export type SyncChildResult =
  | ({ ok: true } & z.infer<typeof SyncSucceeded>)
  | { ok: false; error: string; status: number | null; pending: number | null; busy?: boolean };

export interface SyncChildOptions {
  /** dist/cli.js of this extension. */
  cli: string;
  /** Arguments after `sync` (never the token: argv is visible to other users). */
  args: string[];
  token: string;
  signal?: AbortSignal;
}

/**
 * Runs one sync round (feed the outbox from the journal, upload it) with the bundled CLI in a child
 * process: reading the journal and fsyncing the outbox are synchronous, and must never run on the
 * extension host thread. The token travels in the child's environment.
 */
export function runSyncChild(options: SyncChildOptions): Promise<SyncChildResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', LINEAGELENS_TOKEN: options.token };
    delete env.LINEAGELENS_SERVER_URL;
    const child = spawn(process.execPath, [options.cli, 'sync', ...options.args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderrTail = '';
    const onAbort = () => child.kill('SIGTERM'); // the CLI stops between requests; acknowledged entries stay acknowledged
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 100_000) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderrTail = `${stderrTail}${d}`.slice(-4_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: unknown = null;
      try {
        json = JSON.parse(last);
      } catch {
        json = null;
      }
      if (code === 0) {
        const ok = SyncSucceeded.safeParse(json);
        if (ok.success) return resolve({ ok: true, ...ok.data });
      } else {
        const failed = SyncFailed.safeParse(json);
        if (failed.success) return resolve({ ok: false, ...failed.data });
      }
      // No summary: the CLI crashed or was killed. Its message (never the token; the CLI prints none) explains.
      const message = stderrTail.trim().split('\n').filter((l) => l && !l.startsWith('usage:') && !l.startsWith('  --')).pop();
      resolve({ ok: false, error: message ?? `lineagelens sync exited with ${code ?? 'a signal'}`, status: null, pending: null });
    });
  });
}
