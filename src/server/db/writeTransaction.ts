/**
 * Every write transaction of the Lite server takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE).
 *
 * Another connection may hold that lock for a moment: the WAL checkpoint thread
 * (threads/walCheckpointer.ts) while it starts the WAL over, or a CLI account command. BEGIN IMMEDIATE
 * waits for it (busy_timeout). A plain (deferred) transaction that reads first and then writes cannot
 * wait: SQLite refuses to upgrade its read to a write with SQLITE_BUSY at once, because the snapshot it
 * read may be stale, and the request would fail with "database is locked".
 */
import type { Db } from './serverDb';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function writeTransaction<F extends (...args: any[]) => any>(db: Db, fn: F): F {
  return db.transaction(fn).immediate as unknown as F;
}
