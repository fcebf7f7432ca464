import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { z } from 'zod';

/** What `lineagelens export --json` prints on success. */
export const ExportSummary = z.object({
  records: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  files: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number() })),
  signature: z.string().nullable(),
});
export type ExportSummary = z.infer<typeof ExportSummary>;

export class ExportChildCancelled extends Error {
  constructor() {
    super('export cancelled; partial files removed');
    this.name = 'ExportChildCancelled';
  }
}

/** Every file an export to `out` may write (runExport.ts): removed when a run is cancelled. */
export function exportOutputs(out: string): string[] {
  return [out, `${out}.chain.jsonl`, `${out}.sig.json`, `${out}.records.jsonl`, `${out}.records.jsonl.chain.jsonl`];
}

export interface ExportChildOptions {
  /** dist/cli.js of this extension. */
  cli: string;
  /** Arguments after `export` (never secrets: they would show in the process list). */
  args: string[];
  /** The out file (for the clean-up of a cancelled run). */
  out: string;
  /** Written to the child's stdin, then closed (the signing key with --key-stdin). */
  stdin?: string;
  onProgress?: (records: number) => void;
  /** Cancelling kills the child and removes the partial output. */
  onCancel?: (listener: () => void) => void;
}

/**
 * Runs the bundled CLI's `export` in a child process (the export is synchronous and may read a big
 * journal: it must never run on the extension host thread). Resolves with the CLI's summary.
 */
export function runExportChild(options: ExportChildOptions): Promise<ExportSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.cli, 'export', ...options.args, '--json', '--progress'], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let cancelled = false;
    let stdout = '';
    let stderrTail = '';
    let pending = '';
    options.onCancel?.(() => {
      cancelled = true;
      child.kill('SIGKILL');
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const progress = /^\{"progress":(\d+)\}$/.exec(line);
        if (progress) options.onProgress?.(Number(progress[1]));
        else stderrTail = `${stderrTail}${line}\n`.slice(-4_000);
      }
    });
    child.stdin.on('error', () => undefined); // a child that exits early closes its stdin
    child.stdin.end(options.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      if (cancelled) {
        // Killed mid-write: the core's own clean-up could not run.
        for (const f of exportOutputs(options.out)) rmSync(f, { force: true });
        return reject(new ExportChildCancelled());
      }
      if (code !== 0) return reject(new Error((stderrTail + pending).trim().split('\n').filter((l) => !l.startsWith('usage:')).join(' ') || `lineagelens export exited with ${code}`));
      try {
        resolve(ExportSummary.parse(JSON.parse(stdout)));
      } catch (err) {
        reject(new Error(`lineagelens export printed no summary: ${(err as Error).message}`));
      }
    });
  });
}
