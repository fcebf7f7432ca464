/**
 * `lineagelens server user add|list`, `server token create|revoke|list` and `server migrate`: account
 * management and schema migration on the server's storage directly — the SQLite file in the data folder
 * (safe while the server runs: WAL with a busy timeout), or PostgreSQL with `--postgres URL` or
 * $LINEAGELENS_POSTGRES_URL.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerBackend } from '../../server/backend/backend';
import { openBackend, resolvePostgresUrl } from '../../server/backend/openBackend';
import { AccountError } from '../../server/db/accounts';
import { DB_FILE, openServerDb, resolveDataDir, schemaVersion } from '../../server/db/serverDb';
import { GOVERNANCE_USAGE, runAuditVerify, runGovernanceCommand } from './serverGovernance';

const WHERE = '[--data DIR | --postgres URL]';
const USAGE = `usage:
  lineagelens server user add <name> [--admin] ${WHERE}
  lineagelens server user list ${WHERE}
  lineagelens server token create <user> [--label TEXT] ${WHERE}
  lineagelens server token revoke <token-id|token> ${WHERE}
  lineagelens server token list ${WHERE}
  lineagelens server migrate ${WHERE}
${GOVERNANCE_USAGE} ${WHERE}`;

export async function runServerAdmin(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, postgres: { type: 'string' }, admin: { type: 'boolean' }, label: { type: 'string' }, by: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  } catch (err) {
    process.stderr.write(`lineagelens server: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [area, action, arg] = parsed.positionals;
  const { values } = parsed;
  if (area === 'migrate' && !action) return migrateCommand(values);
  if (area === 'audit' && action === 'verify') return runAuditVerify(arg, values.json ?? false);
  const governance = (area === 'policy' && ['show', 'history'].includes(action ?? '')) || (area === 'policy' && action === 'set' && arg) || (area === 'purge' && !action) || (area === 'audit' && action === 'export');
  const key = `${area} ${action}`;
  if (!governance && (!['user add', 'user list', 'token create', 'token revoke', 'token list'].includes(key) || (!arg && !key.endsWith('list')))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let backend: ServerBackend;
  try {
    backend = await openBackend({ postgres: values.postgres, data: values.data });
  } catch (err) {
    process.stderr.write(`lineagelens server: ${(err as Error).message}\n`);
    return 1;
  }
  if (governance) {
    try {
      return await runGovernanceCommand(backend, area!, action, arg, values);
    } catch (err) {
      process.stderr.write(`lineagelens server ${area}: ${(err as Error).message}\n`);
      return 1;
    } finally {
      await backend.close();
    }
  }
  const accounts = backend.accounts;
  try {
    switch (key) {
      case 'user add': {
        const user = await accounts.addUser(arg!, values.admin ? 'admin' : 'member');
        const issued = await accounts.createToken(user.name, values.label ?? 'created with the user');
        process.stdout.write(`added ${user.role} "${user.name}". Token (id ${issued.id}), shown only this once:\n${issued.token}\n`);
        return 0;
      }
      case 'user list':
        for (const u of await accounts.listUsers()) process.stdout.write(`${u.id}\t${u.name}\t${u.role}\n`);
        return 0;
      case 'token create': {
        const issued = await accounts.createToken(arg!, values.label ?? '');
        process.stdout.write(`token id ${issued.id} for "${arg}", shown only this once:\n${issued.token}\n`);
        return 0;
      }
      case 'token revoke': {
        const target = /^\d+$/.test(arg!) ? Number(arg) : arg!;
        if (!(await accounts.revokeToken(target))) {
          process.stderr.write(`lineagelens server: no live token ${typeof target === 'number' ? `with id ${target}` : 'like that'}\n`);
          return 1;
        }
        process.stdout.write(`revoked\n`);
        return 0;
      }
      default:
        for (const t of await accounts.listTokens()) process.stdout.write(`${t.id}\tuser ${t.userId}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'live'}\t${t.label}\n`);
        return 0;
    }
  } catch (err) {
    if (err instanceof AccountError) {
      process.stderr.write(`lineagelens server: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await backend.close();
  }
}

/** Applies pending schema migrations and says what it did; a database from a newer version is refused. */
async function migrateCommand(values: { data?: string; postgres?: string }): Promise<number> {
  try {
    const url = resolvePostgresUrl(values.postgres);
    if (url) {
      const { openPgBackend } = await import('../../server/postgres/pgBackend');
      const { backend, migration } = await openPgBackend(url, { poolSize: 1 });
      await backend.close();
      for (const m of migration.applied) process.stdout.write(`applied migration ${m.version}: ${m.name}\n`);
      process.stdout.write(`PostgreSQL ${backend.description}: schema version ${migration.to}${migration.applied.length ? '' : ' (up to date)'}\n`);
      return 0;
    }
    const file = path.join(resolveDataDir(values.data), DB_FILE);
    const db = openServerDb(file); // migrates on open
    const version = schemaVersion(db);
    db.close();
    process.stdout.write(`SQLite ${file}: schema version ${version}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens server migrate: ${(err as Error).message}\n`);
    return 1;
  }
}
