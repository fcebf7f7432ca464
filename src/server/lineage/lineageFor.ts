/** The lineage indexer and queries of a server backend (SQLite or PostgreSQL tables). */
import type { ServerBackend } from '../backend/backend';
import { SqliteBackend } from '../backend/sqliteBackend';
import type { PgBackend } from '../postgres/pgBackend';
import type { PrFact } from '../../core/reviews/prEvents';
import { pgHumanChanges, sqliteHumanChanges } from './humanChangeLookup';
import { LineageIndexRunner } from './indexRunner';
import { LineageIndexer } from './lineageIndexer';
import { LineageService } from './lineageService';
import type { LineageStore } from './lineageStore';
import { PgLineage } from './pgLineage';
import { PgOutbox } from './pgOutbox';
import { SqliteLineage } from './sqliteLineage';
import { SqliteOutbox } from './sqliteOutbox';

export interface ServerLineage {
  indexer: LineageIndexer;
  /** What the ingest routes use: uploads go to the outbox and are indexed after the answer (indexRunner.ts). */
  queue: LineageIndexRunner;
  service: LineageService;
}

export function lineageFor(backend: ServerBackend, prFactsOf: (repoId: string) => Promise<readonly PrFact[]>, log?: (message: string) => void): ServerLineage {
  const sqlite = backend instanceof SqliteBackend;
  const store: LineageStore = sqlite ? new SqliteLineage(backend.db) : new PgLineage((backend as PgBackend).pool);
  const outbox = sqlite ? new SqliteOutbox(backend.db) : new PgOutbox((backend as PgBackend).pool);
  const humans = sqlite ? sqliteHumanChanges(backend.db) : pgHumanChanges((backend as PgBackend).pool);
  const indexer = new LineageIndexer(store);
  return { indexer, queue: new LineageIndexRunner(outbox, indexer, prFactsOf, { log }), service: new LineageService(store, humans) };
}
