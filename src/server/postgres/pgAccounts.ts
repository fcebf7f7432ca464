/** Users and API tokens on PostgreSQL: the same rules and messages as db/accounts.ts (SQLite). */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { AccessFacts } from '../access/scope';
import { AccountError, checkLeadRole, checkName, DEFAULT_ORG, groupTeamInfo, groupTeams, hashToken, type IssuedToken, type Org, type Principal, type Role, ROLES, type TeamInfo, type TokenInfo, type User } from '../db/accounts';
import type { AccountsBackend } from '../backend/backend';
import { inTransaction } from './pgClient';

const TOKEN_PREFIX = 'llt_';
const BOOTSTRAP_LOCK = 0x4c4c_4144_4d4e; // "LLADMN"
const ORG_LOCK = 0x4c4c_4f52_4753; // "LLORGS"
const USER_COLUMNS = 'u.id, u.name, u.role, o.name AS org FROM users u JOIN orgs o ON o.id = u.org_id';

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

  async addUser(name: string, role: Role, org: string = DEFAULT_ORG): Promise<User> {
    checkName('user', name);
    if (!ROLES.includes(role)) throw new AccountError(`a role is one of ${ROLES.join(', ')}`, 400);
    const o = await this.org(org);
    const rows = (await this.pool.query<{ id: number }>('INSERT INTO users (org_id, name, role, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (name) DO NOTHING RETURNING id', [o.id, name, role])).rows;
    if (rows.length === 0) throw new AccountError(`user "${name}" already exists`, 409);
    return { id: rows[0]!.id, name, role, org: o.name };
  }

  async findUser(name: string): Promise<User | null> {
    return (await this.pool.query<User>(`SELECT ${USER_COLUMNS} WHERE u.name = $1`, [clean(name)])).rows[0] ?? null;
  }

  async listUsers(org?: string): Promise<User[]> {
    if (org === undefined) return (await this.pool.query<User>(`SELECT ${USER_COLUMNS} ORDER BY u.id`)).rows;
    return (await this.pool.query<User>(`SELECT ${USER_COLUMNS} WHERE o.name = $1 ORDER BY u.id`, [clean(org)])).rows;
  }

  async setRole(name: string, role: Role): Promise<User> {
    if (!ROLES.includes(role)) throw new AccountError(`a role is one of ${ROLES.join(', ')}`, 400);
    const user = await this.findUser(name);
    if (!user) throw new AccountError(`no user "${name}"`, 404);
    await this.pool.query('UPDATE users SET role = $1 WHERE id = $2', [role, user.id]);
    return { ...user, role };
  }

  async createOrg(name: string): Promise<Org> {
    checkName('organisation', name);
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [ORG_LOCK]);
      const rows = (await c.query<Org>('INSERT INTO orgs (id, name) SELECT coalesce(max(id), 0) + 1, $1 FROM orgs ON CONFLICT (name) DO NOTHING RETURNING id, name', [name])).rows;
      if (rows.length === 0) throw new AccountError(`organisation "${name}" already exists`, 409);
      return rows[0]!;
    });
  }

  async listOrgs(): Promise<Org[]> {
    return (await this.pool.query<Org>('SELECT id, name FROM orgs ORDER BY id')).rows;
  }

  private async org(name: string): Promise<Org> {
    const o = (await this.pool.query<Org>('SELECT id, name FROM orgs WHERE name = $1', [clean(name)])).rows[0];
    if (!o) throw new AccountError(`no organisation "${name}"`, 404);
    return o;
  }

  private async team(org: string, name: string): Promise<{ id: number }> {
    const t = (await this.pool.query<{ id: number }>('SELECT t.id FROM teams t JOIN orgs o ON o.id = t.org_id WHERE o.name = $1 AND t.name = $2', [clean(org), clean(name)])).rows[0];
    if (!t) throw new AccountError(`no team "${name}" in organisation "${org}"`, 404);
    return t;
  }

  async createTeam(org: string, name: string): Promise<TeamInfo> {
    checkName('team', name);
    const o = await this.org(org);
    const rows = (await this.pool.query('INSERT INTO teams (org_id, name) VALUES ($1, $2) ON CONFLICT (org_id, name) DO NOTHING RETURNING id', [o.id, name])).rows;
    if (rows.length === 0) throw new AccountError(`team "${name}" already exists in organisation "${org}"`, 409);
    return { org: o.name, name, members: [] };
  }

  async listTeams(org?: string): Promise<TeamInfo[]> {
    const rows = (
      await this.pool.query<{ org: string; team: string; user: string | null; lead: boolean | null }>(
        `SELECT o.name AS org, t.name AS team, u.name AS user, m.lead FROM teams t JOIN orgs o ON o.id = t.org_id
         LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
         ${org === undefined ? '' : 'WHERE o.name = $1'} ORDER BY o.id, t.name COLLATE "C", u.name COLLATE "C"`,
        org === undefined ? [] : [clean(org)],
      )
    ).rows;
    return groupTeamInfo(rows);
  }

  async addTeamMember(org: string, team: string, userName: string, lead: boolean): Promise<void> {
    const t = await this.team(org, team);
    const user = await this.findUser(userName);
    if (!user) throw new AccountError(`no user "${userName}"`, 404);
    if (user.org !== org) throw new AccountError(`user "${userName}" is not in organisation "${org}"`, 400);
    checkLeadRole(user, lead);
    await this.pool.query('INSERT INTO team_members (team_id, user_id, lead) VALUES ($1, $2, $3) ON CONFLICT (team_id, user_id) DO UPDATE SET lead = excluded.lead', [t.id, user.id, lead]);
  }

  async removeTeamMember(org: string, team: string, userName: string): Promise<boolean> {
    const t = await this.team(org, team);
    const user = await this.findUser(userName);
    if (!user) throw new AccountError(`no user "${userName}"`, 404);
    return ((await this.pool.query('DELETE FROM team_members WHERE team_id = $1 AND user_id = $2', [t.id, user.id])).rowCount ?? 0) > 0;
  }

  async accessOf(userId: number): Promise<AccessFacts> {
    const u = (await this.pool.query<{ role: Role; org_id: number; org: string }>('SELECT u.role, u.org_id, o.name AS org FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1', [userId])).rows[0];
    if (!u) throw new AccountError(`no user with id ${userId}`, 404);
    const rows = (
      await this.pool.query<{ team: string; lead: boolean; member: number }>(
        `SELECT t.name AS team, mine.lead, other.user_id AS member FROM team_members mine JOIN teams t ON t.id = mine.team_id
         JOIN team_members other ON other.team_id = mine.team_id WHERE mine.user_id = $1 ORDER BY t.name COLLATE "C", other.user_id`,
        [userId],
      )
    ).rows;
    return { userId, orgId: u.org_id, org: u.org, role: u.role, teams: groupTeams(rows) };
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
      await this.pool.query<{ token_id: number; revoked_at: Date | null; user_id: number; name: string; role: Role; org: string }>(
        'SELECT t.id AS token_id, t.revoked_at, u.id AS user_id, u.name, u.role, o.name AS org FROM tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id WHERE t.hash = $1',
        [hashToken(token)],
      )
    ).rows[0];
    if (!row) return 'invalid';
    if (row.revoked_at) return 'revoked';
    return { tokenId: row.token_id, user: { id: row.user_id, name: row.name, role: row.role, org: row.org } };
  }
}

/** PostgreSQL text cannot hold NUL; such input can match nothing stored, so it is replaced, not refused. */
export function clean(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}
