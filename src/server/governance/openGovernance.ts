/** The governance store of a backend (SQLite file or PostgreSQL pool). */
import type { ServerBackend } from '../backend/backend';
import type { SqliteBackend } from '../backend/sqliteBackend';
import type { PgBackend } from '../postgres/pgBackend';
import type { GovernanceStore } from './governanceStore';
import { PgGovernance } from './pgGovernance';
import { SqliteGovernance } from './sqliteGovernance';

export function governanceStoreFor(backend: ServerBackend): GovernanceStore {
  return backend.kind === 'sqlite' ? new SqliteGovernance((backend as SqliteBackend).db) : new PgGovernance((backend as PgBackend).pool);
}
