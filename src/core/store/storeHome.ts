/**
 * Where the local provenance store lives, and the files inside it. One store per user serves every
 * workspace (records carry their repository identity), so the default is in the home directory.
 */
import { homedir } from 'node:os';
import * as path from 'node:path';

export const STORE_HOME_ENV = 'LINEAGELENS_HOME';
export const DEFAULT_STORE_DIR = '.lineagelens';

export interface ResolveStoreHomeOptions {
  /** The `lineagelens.storePath` setting; empty means unset. */
  setting?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The setting, else `$LINEAGELENS_HOME`, else `~/.lineagelens`; `~` is expanded, the result is absolute. */
export function resolveStoreHome(options: ResolveStoreHomeOptions = {}): string {
  const home = options.home ?? homedir();
  const env = options.env ?? process.env;
  const chosen = [options.setting, env[STORE_HOME_ENV]].map((v) => v?.trim()).find((v) => v) ?? path.join(home, DEFAULT_STORE_DIR);
  const expanded = chosen === '~' ? home : chosen.startsWith('~/') || chosen.startsWith('~\\') ? path.join(home, chosen.slice(2)) : chosen;
  return path.resolve(expanded);
}

/** Every path the store uses, derived from its home. */
export interface StoreLayout {
  home: string;
  /** `store.json`: format id and version; read before anything else is touched. */
  manifest: string;
  /** Append-only JSONL segments: the source of truth. */
  journalDir: string;
  /** Inter-process lock serialising appends to the journal. */
  lockFile: string;
  /** The sql.js index, saved with a header naming the journal position it covers. */
  snapshotFile: string;
  /** Copies of journal lines that could not be read, for a human to look at. */
  quarantineDir: string;
}

export function storeLayout(home: string): StoreLayout {
  return {
    home,
    manifest: path.join(home, 'store.json'),
    journalDir: path.join(home, 'journal'),
    lockFile: path.join(home, 'journal.lock'),
    snapshotFile: path.join(home, 'index.snapshot'),
    quarantineDir: path.join(home, 'quarantine'),
  };
}
