/** Users and API tokens on PostgreSQL: the same rules and messages as db/accounts.ts (SQLite). */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { AccountError, hashToken, type IssuedToken, type Principal, type Role, type TokenInfo, type User } from '../db/accounts';
import type { AccountsBackend } from '../backend/backend';
import { inTransaction } from './pgClient';

const TOKEN_PREFIX = 'llt_';
const BOOTSTRAP_LOCK = 0x4c4c_4144_4d4e; // "LLADMN"

export class PgAccounts implements AccountsBackend {
  constructor(private readonly pool: Pool) {}

  async userCount(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);
  }

  async bootstrapAdmin(): Promise<IssuedToken | null> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n) > 0) return null;
      await c.query(`INSERT INTO users (name, role, created_at) VALUES ('admin', 'admin', now())`);
      return this.issue(c, 'admin', 'first start');
    });
  }

  async addUser(name: string, role: Role): Promise<User> {
    if (!/^[A-Za-z0-9._@-]{1,100}$/.test(name)) throw new AccountError('a user name is 1-100 letters, digits, ".", "_", "@" or "-"', 400);
    const rows = (await this.pool.query<User>('INSERT INTO users (name, role, created_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING RETURNING id, name, role', [name, role])).rows;
    if (rows.length === 0) throw new AccountError(`user "${name}" already exists`, 409);
    return rows[0]!;
  }

  async findUser(name: string): Promise<User | null> {
    return (await this.pool.query<User>('SELECT id, name, role FROM users WHERE name = $1', [clean(name)])).rows[0] ?? null;
  }

  async listUsers(): Promise<User[]> {
    return (await this.pool.query<User>('SELECT id, name, role FROM users ORDER BY id')).rows;
  }

  async createToken(userName: string, label: string): Promise<IssuedToken> {
    return this.issue(this.pool, userName, label);
  }

  private async issue(q: Pick<Pool, 'query'>, userName: string, label: string): Promise<IssuedToken> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const rows = (
      await q.query<{ id: number }>('INSERT INTO tokens (user_id, label, hash, created_at) SELECT id, $2, $3, now() FROM users WHERE name = $1 RETURNING id', [
        clean(userName),
        clean(label.slice(0, 200)),
        hashToken(token),
      ])
    ).rows;
    if (rows.length === 0) throw new AccountError(`no user "${userName}"`, 404);
    return { id: rows[0]!.id, token };
  }

  async revokeToken(idOrToken: number | string): Promise<boolean> {
    const res =
      typeof idOrToken === 'number'
        ? Number.isSafeInteger(idOrToken) && Math.abs(idOrToken) < 2 ** 31
          ? await this.pool.query('UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [idOrToken])
          : { rowCount: 0 }
        : await this.pool.query('UPDATE tokens SET revoked_at = now() WHERE hash = $1 AND revoked_at IS NULL', [hashToken(idOrToken)]);
    return (res.rowCount ?? 0) > 0;
  }

  async listTokens(): Promise<TokenInfo[]> {
    const rows = (await this.pool.query<{ id: number; user_id: number; label: string; created_at: Date; revoked_at: Date | null }>('SELECT id, user_id, label, created_at, revoked_at FROM tokens ORDER BY id')).rows;
    return rows.map((t) => ({ id: t.id, userId: t.user_id, label: t.label, createdAt: t.created_at.toISOString(), revokedAt: t.revoked_at?.toISOString() ?? null }));
  }

  async authenticate(token: string): Promise<Principal | 'invalid' | 'revoked'> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return 'invalid';
    const row = (
      await this.pool.query<{ token_id: number; revoked_at: Date | null; user_id: number; name: string; role: Role }>(
        'SELECT t.id AS token_id, t.revoked_at, u.id AS user_id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1',
        [hashToken(token)],
      )
    ).rows[0];
    if (!row) return 'invalid';
    if (row.revoked_at) return 'revoked';
    return { tokenId: row.token_id, user: { id: row.user_id, name: row.name, role: row.role } };
  }
}

/** PostgreSQL text cannot hold NUL; such input can match nothing stored, so it is replaced, not refused. */
export function clean(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}
