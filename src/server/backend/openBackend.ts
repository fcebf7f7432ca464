/**
 * Which storage a server (or a CLI account command) uses: PostgreSQL when a URL is given by
 * `--postgres` or $LINEAGELENS_POSTGRES_URL, else the SQLite file in the data folder (the default).
 * The PostgreSQL code (and the `pg` package) is loaded only when asked for.
 */
import * as path from 'node:path';
import { DATA_ENV, DB_FILE, resolveDataDir } from '../db/serverDb';
import type { ServerBackend } from './backend';
import { openSqliteBackend } from './sqliteBackend';

export const POSTGRES_ENV = 'LINEAGELENS_POSTGRES_URL';

export function resolvePostgresUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag?.trim() || env[POSTGRES_ENV]?.trim() || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error(`a PostgreSQL URL starts with postgres:// or postgresql:// (got "${url.slice(0, 40)}")`);
  // A URL captured from a script's output can carry a note before or after it on another line.
  if (url && /\s/.test(url)) throw new Error('a PostgreSQL URL is one line without spaces (this one has a line break or space in it)');
  return url;
}

export interface BackendChoice {
  postgres?: string;
  data?: string;
  /** For a server: open Plus search too (the embedding queue starts; PostgreSQL only). */
  search?: boolean;
  /** For a server on SQLite: WAL checkpoints in a background thread, with this log for its problems. */
  backgroundCheckpoints?: { log: (message: string) => void };
}

export async function openBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): Promise<ServerBackend> {
  const url = resolvePostgresUrl(choice.postgres, env);
  if (url) {
    const { openPgBackend } = await import('../postgres/pgBackend');
    // The data folder still holds the export signing key when one is named (--data or $LINEAGELENS_SERVER_DATA);
    // else the key lives as long as the process.
    const named = choice.data?.trim() || env[DATA_ENV]?.trim();
    return (await openPgBackend(url, { keyDir: named ? resolveDataDir(choice.data, env) : null, search: choice.search, env })).backend;
  }
  return openSqliteBackend(path.join(resolveDataDir(choice.data, env), DB_FILE), { backgroundCheckpoints: choice.backgroundCheckpoints });
}
