/**
 * The team-visibility migration on existing data, on a real SQLite file and a real PostgreSQL database:
 * a server from before it (roles admin / member, no organisations) is migrated in place; every user lands
 * in the default organisation, a member becomes a developer, and their tokens and upload chains keep
 * working (SQLite rebuilds the users table, so the references to it are checked too).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { openSqliteBackend } from '../../src/server/backend/sqliteBackend';
import { hashToken } from '../../src/server/db/accounts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/server/db/serverDb';
import { MIGRATIONS as PG_MIGRATIONS, migrate } from '../../src/server/postgres/migrations';
import { openPgBackend } from '../../src/server/postgres/pgBackend';
import { createPool } from '../../src/server/postgres/pgClient';
import { backendsUnderTest, createTestDatabase } from './serverBackends';
import { removeDir, tempDir } from './serverHarness';

const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
const TOKEN = 'llt_migration_test_token_of_the_member_user_000000000';

describe('team visibility migration of existing data', function () {
  this.timeout(60_000);

  it('SQLite: members become developers in the default organisation; tokens and uploads still resolve', async () => {
    const dir = tempDir('ll-vis-mig-');
    try {
      const file = path.join(dir, 'lite.db');
      const before = SQLITE_MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE orgs'));
      assert.ok(before > 0);
      const old = new Database(file);
      for (const m of SQLITE_MIGRATIONS.slice(0, before)) old.exec(m);
      old.pragma(`user_version = ${before}`);
      old.prepare(`INSERT INTO users (id, name, role, created_at) VALUES (1, 'admin', 'admin', 'x'), (2, 'mia', 'member', 'x')`).run();
      old.prepare(`INSERT INTO tokens (user_id, label, hash, created_at) VALUES (2, 'laptop', ?, 'x')`).run(hashToken(TOKEN));
      old.prepare(`INSERT INTO uploaders (user_id, source, head_seq, head_hash) VALUES (2, 'laptop-1', 0, 'h')`).run();
      old.close();

      const backend = openSqliteBackend(file);
      try {
        assert.deepEqual(await backend.accounts.listUsers(), [
          { id: 1, name: 'admin', role: 'admin', org: 'default' },
          { id: 2, name: 'mia', role: 'developer', org: 'default' },
        ]);
        const who = await backend.accounts.authenticate(TOKEN);
        assert.ok(typeof who === 'object' && who.user.name === 'mia' && who.user.role === 'developer');
        assert.deepEqual(backend.db.pragma('foreign_key_check'), []);
        assert.equal((backend.db.pragma('foreign_keys', { simple: true }) as number), 1, 'foreign keys are on again after migrating');
        const facts = await backend.accounts.accessOf(2);
        assert.deepEqual(facts, { userId: 2, orgId: 1, org: 'default', role: 'developer', teams: [] });
        // The old role is refused by the new constraint.
        assert.throws(() => backend.db.prepare(`INSERT INTO users (name, role, created_at) VALUES ('x', 'member', 'x')`).run(), /CHECK/);
      } finally {
        await backend.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  if (backendsUnderTest().some((b) => b.name === 'postgres'))
    it('PostgreSQL: the same, by migration 4', async () => {
      const db = await createTestDatabase();
      try {
        const pool = createPool(db.url, 2);
        const client = await pool.connect();
        try {
          await migrate(client, PG_MIGRATIONS.filter((m) => m.version < 4));
          await client.query(`INSERT INTO users (name, role, created_at) VALUES ('admin', 'admin', now()), ('mia', 'member', now())`);
          await client.query(`INSERT INTO tokens (user_id, label, hash, created_at) SELECT id, 'laptop', $1, now() FROM users WHERE name = 'mia'`, [hashToken(TOKEN)]);
        } finally {
          client.release();
          await pool.end();
        }
        const { backend, migration } = await openPgBackend(db.url, { poolSize: 2 });
        try {
          assert.ok(migration.applied.some((m) => m.version === 4));
          assert.deepEqual(
            (await backend.accounts.listUsers()).map((u) => [u.name, u.role, u.org]),
            [
              ['admin', 'admin', 'default'],
              ['mia', 'developer', 'default'],
            ],
          );
          const who = await backend.accounts.authenticate(TOKEN);
          assert.ok(typeof who === 'object' && who.user.role === 'developer');
          await assert.rejects(backend.pool.query(`INSERT INTO users (name, role, created_at) VALUES ('x', 'member', now())`), /users_role_check/);
        } finally {
          await backend.close();
        }
      } finally {
        await db.drop();
      }
    });
});
