/** The lineage indexer and queries of a server backend (SQLite or PostgreSQL tables). */
import type { ServerBackend } from '../backend/backend';
import { SqliteBackend } from '../backend/sqliteBackend';
import type { PgBackend } from '../postgres/pgBackend';
import { pgHumanChanges, sqliteHumanChanges } from './humanChangeLookup';
import { LineageIndexQueue } from './indexQueue';
import { LineageIndexer } from './lineageIndexer';
import { LineageService } from './lineageService';
import type { LineageStore } from './lineageStore';
import { PgLineage } from './pgLineage';
import { SqliteLineage } from './sqliteLineage';

export interface ServerLineage {
  indexer: LineageIndexer;
  /** What the ingest routes use: indexing after the upload is answered (indexQueue.ts). */
  queue: LineageIndexQueue;
  service: LineageService;
}

export function lineageFor(backend: ServerBackend): ServerLineage {
  const sqlite = backend instanceof SqliteBackend;
  const store: LineageStore = sqlite ? new SqliteLineage(backend.db) : new PgLineage((backend as PgBackend).pool);
  const humans = sqlite ? sqliteHumanChanges(backend.db) : pgHumanChanges((backend as PgBackend).pool);
  const indexer = new LineageIndexer(store);
  return { indexer, queue: new LineageIndexQueue(indexer), service: new LineageService(store, humans) };
}
