/**
 * `lineagelens server user add|list` and `server token create|revoke|list`: account management on the
 * server's database file directly (safe while the server runs: SQLite WAL with a busy timeout).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AccountError, Accounts } from '../../server/db/accounts';
import { DB_FILE, openServerDb, resolveDataDir } from '../../server/db/serverDb';

const USAGE = `usage:
  lineagelens server user add <name> [--admin] [--data DIR]
  lineagelens server user list [--data DIR]
  lineagelens server token create <user> [--label TEXT] [--data DIR]
  lineagelens server token revoke <token-id|token> [--data DIR]
  lineagelens server token list [--data DIR]`;

export async function runServerAdmin(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, admin: { type: 'boolean' }, label: { type: 'string' } }, strict: true });
  } catch (err) {
    process.stderr.write(`lineagelens server: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [area, action, arg] = parsed.positionals;
  const { values } = parsed;
  const key = `${area} ${action}`;
  if (!['user add', 'user list', 'token create', 'token revoke', 'token list'].includes(key) || (!arg && !key.endsWith('list'))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const db = openServerDb(path.join(resolveDataDir(values.data), DB_FILE));
  const accounts = new Accounts(db);
  try {
    switch (key) {
      case 'user add': {
        const user = accounts.addUser(arg!, values.admin ? 'admin' : 'member');
        const issued = accounts.createToken(user.name, values.label ?? 'created with the user');
        process.stdout.write(`added ${user.role} "${user.name}". Token (id ${issued.id}), shown only this once:\n${issued.token}\n`);
        return 0;
      }
      case 'user list':
        for (const u of accounts.listUsers()) process.stdout.write(`${u.id}\t${u.name}\t${u.role}\n`);
        return 0;
      case 'token create': {
        const issued = accounts.createToken(arg!, values.label ?? '');
        process.stdout.write(`token id ${issued.id} for "${arg}", shown only this once:\n${issued.token}\n`);
        return 0;
      }
      case 'token revoke': {
        const target = /^\d+$/.test(arg!) ? Number(arg) : arg!;
        if (!accounts.revokeToken(target)) {
          process.stderr.write(`lineagelens server: no live token ${typeof target === 'number' ? `with id ${target}` : 'like that'}\n`);
          return 1;
        }
        process.stdout.write(`revoked\n`);
        return 0;
      }
      default:
        for (const t of accounts.listTokens()) process.stdout.write(`${t.id}\tuser ${t.userId}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'live'}\t${t.label}\n`);
        return 0;
    }
  } catch (err) {
    if (err instanceof AccountError) {
      process.stderr.write(`lineagelens server: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    db.close();
  }
}
