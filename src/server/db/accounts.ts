/**
 * Users and API tokens. A token is 32 random bytes (base64url, prefixed `llt_`); only its SHA-256 is
 * stored, so a copy of the database does not hand out working tokens. A slow password hash is not
 * needed: the token has 256 bits of entropy, nothing to guess.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './serverDb';

export type Role = 'admin' | 'member';

export interface User {
  id: number;
  name: string;
  role: Role;
}

export interface TokenInfo {
  id: number;
  userId: number;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface Principal {
  tokenId: number;
  user: User;
}

export interface IssuedToken {
  id: number;
  token: string;
}

const TOKEN_PREFIX = 'llt_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AccountError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export class Accounts {
  private readonly byHash;

  constructor(private readonly db: Db) {
    this.byHash = db.prepare<[string], { token_id: number; revoked_at: string | null; user_id: number; name: string; role: Role }>(
      `SELECT t.id AS token_id, t.revoked_at, u.id AS user_id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`,
    );
  }

  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  /** First start: when there is no user at all, creates `admin` and returns its one-time token. */
  bootstrapAdmin(): IssuedToken | null {
    return this.db.transaction(() => {
      if (this.userCount() > 0) return null;
      const user = this.addUser('admin', 'admin');
      return this.createToken(user.name, 'first start');
    })();
  }

  addUser(name: string, role: Role): User {
    if (!/^[A-Za-z0-9._@-]{1,100}$/.test(name)) throw new AccountError('a user name is 1-100 letters, digits, ".", "_", "@" or "-"', 400);
    if (this.findUser(name)) throw new AccountError(`user "${name}" already exists`, 409);
    const info = this.db.prepare('INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)').run(name, role, new Date().toISOString());
    return { id: Number(info.lastInsertRowid), name, role };
  }

  findUser(name: string): User | null {
    return (this.db.prepare('SELECT id, name, role FROM users WHERE name = ?').get(name) as User | undefined) ?? null;
  }

  listUsers(): User[] {
    return this.db.prepare('SELECT id, name, role FROM users ORDER BY id').all() as User[];
  }

  createToken(userName: string, label: string): IssuedToken {
    const user = this.findUser(userName);
    if (!user) throw new AccountError(`no user "${userName}"`, 404);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const info = this.db
      .prepare('INSERT INTO tokens (user_id, label, hash, created_at) VALUES (?, ?, ?, ?)')
      .run(user.id, label.slice(0, 200), hashToken(token), new Date().toISOString());
    return { id: Number(info.lastInsertRowid), token };
  }

  /** Revokes by token id, or by the token itself. Returns false when there was no such live token. */
  revokeToken(idOrToken: number | string): boolean {
    const now = new Date().toISOString();
    const info =
      typeof idOrToken === 'number'
        ? this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, idOrToken)
        : this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(now, hashToken(idOrToken));
    return info.changes > 0;
  }

  listTokens(): TokenInfo[] {
    return (
      this.db.prepare('SELECT id, user_id, label, created_at, revoked_at FROM tokens ORDER BY id').all() as {
        id: number;
        user_id: number;
        label: string;
        created_at: string;
        revoked_at: string | null;
      }[]
    ).map((t) => ({ id: t.id, userId: t.user_id, label: t.label, createdAt: t.created_at, revokedAt: t.revoked_at }));
  }

  /** The principal a presented token stands for, or why not. Never throws on odd input. */
  authenticate(token: string): Principal | 'invalid' | 'revoked' {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return 'invalid';
    const row = this.byHash.get(hashToken(token));
    if (!row) return 'invalid';
    if (row.revoked_at) return 'revoked';
    return { tokenId: row.token_id, user: { id: row.user_id, name: row.name, role: row.role } };
  }
}
