/**
 * Users and API tokens. A token is 32 random bytes (base64url, prefixed `llt_`); only its SHA-256 is
 * stored, so a copy of the database does not hand out working tokens. A slow password hash is not
 * needed: the token has 256 bits of entropy, nothing to guess.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../core/access/visibility';
import type { AccessFacts } from '../access/scope';
import type { Db } from './serverDb';
import { writeTransaction } from './writeTransaction';

export type { Role } from '../../core/access/visibility';
export const ROLES: readonly Role[] = ['admin', 'auditor', 'lead', 'developer'];
/** Every user, team and record belongs to an organisation; a server starts with this one. */
export const DEFAULT_ORG = 'default';

export interface User {
  id: number;
  name: string;
  role: Role;
  org: string;
}

export interface Org {
  id: number;
  name: string;
}

export interface TeamInfo {
  org: string;
  name: string;
  members: { user: string; lead: boolean }[];
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

const NAME = /^[A-Za-z0-9._@-]{1,100}$/;

export function checkName(kind: 'user' | 'team' | 'organisation', name: string): void {
  if (!NAME.test(name)) throw new AccountError(`a ${kind} name is 1-100 letters, digits, ".", "_", "@" or "-"`, 400);
}

/** A lead's team membership only widens what they read when their role is lead: say so instead of storing a flag that does nothing. */
export function checkLeadRole(user: User, lead: boolean): void {
  if (lead && user.role !== 'lead') throw new AccountError(`"${user.name}" has the ${user.role} role: give them the lead role first to make them a team lead`, 400);
}

/** Rows of (team, lead, member) of a user's teams, grouped as AccessFacts.teams. */
export function groupTeams(rows: { team: string; lead: boolean | number; member: number }[]): AccessFacts['teams'] {
  const teams = new Map<string, AccessFacts['teams'][number]>();
  for (const r of rows) {
    let t = teams.get(r.team);
    if (!t) teams.set(r.team, (t = { name: r.team, lead: Boolean(r.lead), members: [] }));
    t.members.push(r.member);
  }
  return [...teams.values()];
}

/** Rows of (org, team, user, lead) as TeamInfo, in the order given. */
export function groupTeamInfo(rows: { org: string; team: string; user: string | null; lead: boolean | number | null }[]): TeamInfo[] {
  const out = new Map<string, TeamInfo>();
  for (const r of rows) {
    const key = `${r.org}\0${r.team}`;
    let t = out.get(key);
    if (!t) out.set(key, (t = { org: r.org, name: r.team, members: [] }));
    if (r.user !== null) t.members.push({ user: r.user, lead: Boolean(r.lead) });
  }
  return [...out.values()];
}

const USER_COLUMNS = 'u.id, u.name, u.role, o.name AS org FROM users u JOIN orgs o ON o.id = u.org_id';

export class Accounts {
  private readonly byHash;

  constructor(private readonly db: Db) {
    this.byHash = db.prepare<[string], { token_id: number; revoked_at: string | null; user_id: number; name: string; role: Role; org: string }>(
      `SELECT t.id AS token_id, t.revoked_at, u.id AS user_id, u.name, u.role, o.name AS org FROM tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id WHERE t.hash = ?`,
    );
  }

  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  /** First start: when there is no user at all, creates `admin` and returns its one-time token. */
  bootstrapAdmin(): IssuedToken | null {
    return writeTransaction(this.db, () => {
      if (this.userCount() > 0) return null;
      const user = this.addUser('admin', 'admin');
      return this.createToken(user.name, 'first start');
    })();
  }

  addUser(name: string, role: Role, org: string = DEFAULT_ORG): User {
    checkName('user', name);
    if (!ROLES.includes(role)) throw new AccountError(`a role is one of ${ROLES.join(', ')}`, 400);
    const o = this.org(org);
    if (this.findUser(name)) throw new AccountError(`user "${name}" already exists`, 409);
    const info = this.db.prepare('INSERT INTO users (org_id, name, role, created_at) VALUES (?, ?, ?, ?)').run(o.id, name, role, new Date().toISOString());
    return { id: Number(info.lastInsertRowid), name, role, org: o.name };
  }

  findUser(name: string): User | null {
    return (this.db.prepare(`SELECT ${USER_COLUMNS} WHERE u.name = ?`).get(name) as User | undefined) ?? null;
  }

  listUsers(org?: string): User[] {
    if (org === undefined) return this.db.prepare(`SELECT ${USER_COLUMNS} ORDER BY u.id`).all() as User[];
    return this.db.prepare(`SELECT ${USER_COLUMNS} WHERE o.name = ? ORDER BY u.id`).all(org) as User[];
  }

  setRole(name: string, role: Role): User {
    if (!ROLES.includes(role)) throw new AccountError(`a role is one of ${ROLES.join(', ')}`, 400);
    const user = this.findUser(name);
    if (!user) throw new AccountError(`no user "${name}"`, 404);
    this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, user.id);
    return { ...user, role };
  }

  createOrg(name: string): Org {
    checkName('organisation', name);
    if (this.db.prepare('SELECT 1 FROM orgs WHERE name = ?').get(name)) throw new AccountError(`organisation "${name}" already exists`, 409);
    const info = this.db.prepare('INSERT INTO orgs (name, created_at) VALUES (?, ?)').run(name, new Date().toISOString());
    return { id: Number(info.lastInsertRowid), name };
  }

  listOrgs(): Org[] {
    return this.db.prepare('SELECT id, name FROM orgs ORDER BY id').all() as Org[];
  }

  private org(name: string): Org {
    const o = this.db.prepare('SELECT id, name FROM orgs WHERE name = ?').get(name) as Org | undefined;
    if (!o) throw new AccountError(`no organisation "${name}"`, 404);
    return o;
  }

  private team(org: string, name: string): { id: number } {
    const t = this.db.prepare('SELECT t.id FROM teams t JOIN orgs o ON o.id = t.org_id WHERE o.name = ? AND t.name = ?').get(org, name) as { id: number } | undefined;
    if (!t) throw new AccountError(`no team "${name}" in organisation "${org}"`, 404);
    return t;
  }

  createTeam(org: string, name: string): TeamInfo {
    checkName('team', name);
    const o = this.org(org);
    if (this.db.prepare('SELECT 1 FROM teams WHERE org_id = ? AND name = ?').get(o.id, name)) throw new AccountError(`team "${name}" already exists in organisation "${org}"`, 409);
    this.db.prepare('INSERT INTO teams (org_id, name, created_at) VALUES (?, ?, ?)').run(o.id, name, new Date().toISOString());
    return { org: o.name, name, members: [] };
  }

  listTeams(org?: string): TeamInfo[] {
    const rows = this.db
      .prepare(
        `SELECT o.name AS org, t.name AS team, u.name AS user, m.lead FROM teams t JOIN orgs o ON o.id = t.org_id
         LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
         ${org === undefined ? '' : 'WHERE o.name = ?'} ORDER BY o.id, t.name, u.name`,
      )
      .all(...(org === undefined ? [] : [org])) as { org: string; team: string; user: string | null; lead: number | null }[];
    return groupTeamInfo(rows);
  }

  /** Adds a user to a team (or changes whether they lead it). The user must be of the team's organisation. */
  addTeamMember(org: string, team: string, userName: string, lead: boolean): void {
    const t = this.team(org, team);
    const user = this.findUser(userName);
    if (!user) throw new AccountError(`no user "${userName}"`, 404);
    if (user.org !== org) throw new AccountError(`user "${userName}" is not in organisation "${org}"`, 400);
    checkLeadRole(user, lead);
    this.db.prepare('INSERT INTO team_members (team_id, user_id, lead) VALUES (?, ?, ?) ON CONFLICT (team_id, user_id) DO UPDATE SET lead = excluded.lead').run(t.id, user.id, lead ? 1 : 0);
  }

  /** False when the user was not in the team. */
  removeTeamMember(org: string, team: string, userName: string): boolean {
    const t = this.team(org, team);
    const user = this.findUser(userName);
    if (!user) throw new AccountError(`no user "${userName}"`, 404);
    return this.db.prepare('DELETE FROM team_members WHERE team_id = ? AND user_id = ?').run(t.id, user.id).changes > 0;
  }

  /** The organisation, role and teams (with their members) of a user: what scopeFor needs, in two reads. */
  accessOf(userId: number): AccessFacts {
    const u = this.db.prepare('SELECT u.role, u.org_id, o.name AS org FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?').get(userId) as { role: Role; org_id: number; org: string } | undefined;
    if (!u) throw new AccountError(`no user with id ${userId}`, 404);
    const rows = this.db
      .prepare(
        `SELECT t.name AS team, mine.lead, other.user_id AS member FROM team_members mine JOIN teams t ON t.id = mine.team_id
         JOIN team_members other ON other.team_id = mine.team_id WHERE mine.user_id = ? ORDER BY t.name, other.user_id`,
      )
      .all(userId) as { team: string; lead: number; member: number }[];
    return { userId, orgId: u.org_id, org: u.org, role: u.role, teams: groupTeams(rows) };
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
    return { tokenId: row.token_id, user: { id: row.user_id, name: row.name, role: row.role, org: row.org } };
  }
}
