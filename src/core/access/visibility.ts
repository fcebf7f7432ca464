/**
 * Who may read what on a team server. Records belong to the user who uploaded them; users belong to
 * teams; teams and users belong to an organisation. Roles:
 *
 *   admin      everything in the org, and manages it
 *   auditor    reads every record of the org and exports it; manages nothing
 *   lead       reads the records of the members of the teams they lead (and their own)
 *   developer  reads their own records; sees aggregates (counts, shares) of their teams
 *
 * The server turns a scope into a filter on every query and export (list, get, search, blame, stats,
 * lineage), so a record outside the scope is never read, not read and then hidden. Pure: the directory
 * is passed in.
 */
export type Role = 'admin' | 'auditor' | 'lead' | 'developer';

export interface Member {
  userId: number;
  org: string;
  role: Role;
  /** Teams the user belongs to, and (for leads) the ones they lead. */
  teams: readonly string[];
  leads: readonly string[];
}

export interface Directory {
  /** Members of a team (user ids). */
  teamMembers(org: string, team: string): readonly number[];
}

/** The records a principal may read: all of an org, or those uploaded by a set of users. */
export type ReadScope = { kind: 'org'; org: string } | { kind: 'users'; org: string; userIds: readonly number[] };

export function readScope(m: Member, dir: Directory): ReadScope {
  if (m.role === 'admin' || m.role === 'auditor') return { kind: 'org', org: m.org };
  const ids = new Set<number>([m.userId]);
  if (m.role === 'lead') for (const t of m.leads) for (const id of dir.teamMembers(m.org, t)) ids.add(id);
  return { kind: 'users', org: m.org, userIds: [...ids].sort((a, b) => a - b) };
}

/** The records whose aggregates (counts and shares, never content) a principal may see. */
export function aggregateScope(m: Member, dir: Directory): ReadScope {
  if (m.role === 'admin' || m.role === 'auditor') return { kind: 'org', org: m.org };
  const own = readScope(m, dir);
  const ids = new Set<number>(own.kind === 'users' ? own.userIds : []);
  for (const t of m.teams) for (const id of dir.teamMembers(m.org, t)) ids.add(id);
  return { kind: 'users', org: m.org, userIds: [...ids].sort((a, b) => a - b) };
}

export function canRead(scope: ReadScope, record: { org: string; uploaderUserId: number }): boolean {
  if (record.org !== scope.org) return false;
  return scope.kind === 'org' || scope.userIds.includes(record.uploaderUserId);
}

export const can = {
  export: (m: Member) => m.role === 'admin' || m.role === 'auditor' || m.role === 'lead',
  manageUsers: (m: Member) => m.role === 'admin',
  managePolicies: (m: Member) => m.role === 'admin',
  readAuditLog: (m: Member) => m.role === 'admin' || m.role === 'auditor',
};

/** What a lineage path shows for a node the viewer may not read: that it exists, nothing of it. */
export interface RedactedNode {
  id: string;
  kind: 'redacted';
  reason: 'outside your access';
}

export function redactedNode(id: string): RedactedNode {
  return { id, kind: 'redacted', reason: 'outside your access' };
}
