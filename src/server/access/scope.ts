/**
 * The one place that turns an authenticated principal into what it may read and do on the team server:
 * the account facts (organisation, role, teams) from the backend, the rules from
 * core/access/visibility.ts, and the result as record scopes the SQL of both backends applies
 * (scopeSql.ts). Every read endpoint, the dashboard and exports start with `scopeFor`; a new endpoint
 * (lineage, search) does the same and passes `read` (content) or `aggregate` (counts only) down.
 */
import { aggregateScope, can, type Directory, type Member, readScope, type ReadScope, type Role } from '../../core/access/visibility';
import type { ServerBackend } from '../backend/backend';
import type { Principal } from '../db/accounts';
import type { RecordScope } from './scopeSql';

export type { RecordScope } from './scopeSql';

/** What the accounts tables say about a user: read by AccountsBackend.accessOf in one query. */
export interface AccessFacts {
  userId: number;
  orgId: number;
  org: string;
  role: Role;
  /** The teams the user is in, whether they lead it, and every member of it (user ids). */
  teams: { name: string; lead: boolean; members: number[] }[];
}

export interface AccessScope {
  member: Member;
  orgId: number;
  /** Records whose content the principal may read (lists, get, search, blame, exports). */
  read: RecordScope;
  /** Records whose counts and shares the principal may see (stats, timeline, top files, repositories). */
  aggregate: RecordScope;
  canExport: boolean;
  canManage: boolean;
}

/** The scope of facts already read (pure; tests and other adapters can use it). */
export function scopeOfFacts(facts: AccessFacts): AccessScope {
  const member: Member = {
    userId: facts.userId,
    org: facts.org,
    role: facts.role,
    teams: facts.teams.map((t) => t.name),
    leads: facts.teams.filter((t) => t.lead).map((t) => t.name),
  };
  const byTeam = new Map(facts.teams.map((t) => [t.name, t.members]));
  const dir: Directory = { teamMembers: (_org, team) => byTeam.get(team) ?? [] };
  const toRecords = (s: ReadScope): RecordScope => ({ orgId: facts.orgId, userIds: s.kind === 'org' ? null : s.userIds });
  return {
    member,
    orgId: facts.orgId,
    read: toRecords(readScope(member, dir)),
    aggregate: toRecords(aggregateScope(member, dir)),
    canExport: can.export(member),
    canManage: can.manageUsers(member),
  };
}

/** The scope of an authenticated principal, read fresh (a changed role or team applies to the next request). */
export async function scopeFor(backend: ServerBackend, principal: Principal): Promise<AccessScope> {
  return scopeOfFacts(await backend.accounts.accessOf(principal.user.id));
}
