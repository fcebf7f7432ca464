import { execFile } from 'node:child_process';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { debounce } from '../../core/util/debounce';
import type { Log } from '../log';
import type { StoreService } from '../store/storeService';

/** First run after start-up: late, so it never competes with the editor starting. */
const FIRST_RUN_DELAY_MS = 30_000;

/**
 * Where tools keep this workspace's session files, READ-ONLY for us: Copilot's `chatSessions` (and
 * `chatEditingSessions`) beside this extension's own workspace storage folder, and Cursor's `state.vscdb`
 * there when the editor is Cursor. `lineagelens enrich` (a child process: parsing and the store stay off
 * the extension host) adds their prompts and models to the records the editor made of the same edits.
 */
export class SessionFileEnricher implements vscode.Disposable {
  private readonly watchers: FSWatcher[] = [];
  private readonly timer: NodeJS.Timeout;
  private running: Promise<number> | undefined;
  private readonly scheduled = debounce(() => void this.run(), 5_000, 60_000);

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: StoreService,
    private readonly log: Log,
  ) {
    this.timer = setTimeout(() => {
      void this.run();
      this.watch();
    }, FIRST_RUN_DELAY_MS);
  }

  /** Session files of this workspace, per tool. */
  sources(): { tool: 'copilot' | 'cursor'; paths: string[] }[] {
    const storage = this.context.storageUri;
    if (!storage || storage.scheme !== 'file') return [];
    const workspaceStorage = path.dirname(storage.fsPath);
    const out: { tool: 'copilot' | 'cursor'; paths: string[] }[] = [];
    const copilot = ['chatSessions', 'chatEditingSessions'].map((d) => path.join(workspaceStorage, d)).filter((p) => existsSync(p));
    if (copilot.length > 0) out.push({ tool: 'copilot', paths: copilot });
    const stateDb = path.join(workspaceStorage, 'state.vscdb');
    if (/cursor/i.test(vscode.env.appName) && existsSync(stateDb)) out.push({ tool: 'cursor', paths: [stateDb] });
    return out;
  }

  /** Runs enrich for every source; resolves with the number of records enriched. One run at a time. */
  run(): Promise<number> {
    this.running ??= this.runNow().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runNow(): Promise<number> {
    let total = 0;
    for (const source of this.sources()) {
      try {
        total += await this.enrich(source.tool, source.paths);
      } catch (err) {
        this.log.warn(`reading ${source.tool} session files failed: ${(err as Error).message}`);
      }
    }
    if (total > 0) this.log.info(`added prompt and model from agent session files to ${total} records`);
    return total;
  }

  private enrich(tool: string, paths: string[]): Promise<number> {
    const cli = path.join(this.context.extensionPath, 'dist', 'cli.js');
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, 'enrich', tool, ...paths, '--home', this.store.home, '--json'],
        { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout) => {
          const last = stdout.trim().split('\n').at(-1) ?? '';
          try {
            const summary = (JSON.parse(last) as { summary?: { enriched?: number } }).summary;
            if (typeof summary?.enriched === 'number') return resolve(summary.enriched);
          } catch {
            // fall through to the error
          }
          reject(err ?? new Error('lineagelens enrich printed no summary'));
        },
      );
    });
  }

  private watch(): void {
    for (const source of this.sources()) {
      for (const p of source.paths) {
        try {
          const w = watch(p, { persistent: false }, () => this.scheduled());
          w.on('error', () => w.close());
          this.watchers.push(w);
        } catch (err) {
          this.log.warn(`cannot watch ${source.tool} session files: ${(err as Error).message}`);
        }
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.scheduled.cancel();
    for (const w of this.watchers) w.close();
  }
}
