/**
 * Organisation administration over /api/v1 (admins only, within their own organisation; a server
 * operator manages every organisation with `lineagelens server ...` on the storage directly):
 *
 *   GET    /api/v1/me                          the caller's role, teams and what they read
 *   GET    /api/v1/users                       users of the organisation
 *   POST   /api/v1/users/{name}/role           change a user's role
 *   GET    /api/v1/teams                       teams with their members and leads
 *   POST   /api/v1/teams                       create a team
 *   POST   /api/v1/teams/{team}/members        add a member or lead (or change which)
 *   DELETE /api/v1/teams/{team}/members/{user} remove a member
 *
 * (POST /api/v1/users and the token endpoints are in apiRoutes.ts.)
 */
import type { Role } from '../../core/access/visibility';
import { type AccessScope, scopeFor } from '../access/scope';
import { AccountError, type Principal } from '../db/accounts';
import type { Handler, ServerContext } from '../context';
import { parseJsonBody, readBody } from '../http/body';
import { HttpError, sendJson } from '../http/respond';
import { RoleSet, TeamCreate, TeamMemberAdd } from './apiSchemas';
import { parseBody } from './params';

/** 'member' (the name before team visibility) is a developer. */
export function roleOf(input: Role | 'member'): Role {
  return input === 'member' ? 'developer' : input;
}

/** The caller's scope, refusing anyone who may not manage accounts. */
export async function adminScope(ctx: ServerContext, principal: Principal | null): Promise<AccessScope> {
  const scope = await scopeFor(ctx.backend, principal!);
  if (!scope.canManage) throw new HttpError(403, 'only an admin may manage users, teams and tokens');
  return scope;
}

export async function accountsCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AccountError) throw new HttpError(err.status, err.message);
    throw err;
  }
}

/** A user of the admin's organisation, or 404 (a user of another organisation is not confirmed). */
async function userOfOrg(ctx: ServerContext, scope: AccessScope, name: string) {
  const user = await ctx.backend.accounts.findUser(name);
  if (!user || user.org !== scope.member.org) throw new HttpError(404, `no user "${name.slice(0, 100)}"`);
  return user;
}

const body = async (r: Parameters<Handler>[1]) => parseJsonBody(r.req, await readBody(r.req, 64 * 1024));

export const me: Handler = async (ctx, { res, principal }) => {
  const scope = await scopeFor(ctx.backend, principal!);
  const names = new Map((await ctx.backend.accounts.listUsers(scope.member.org)).map((u) => [u.id, u.name]));
  const named = (ids: readonly number[] | null) => (ids === null ? undefined : ids.map((id) => names.get(id) ?? String(id)));
  sendJson(res, 200, {
    user: principal!.user.name,
    org: scope.member.org,
    role: scope.member.role,
    teams: scope.member.teams,
    leads: scope.member.leads,
    reads: scope.read.userIds === null ? 'organisation' : 'users',
    ...(scope.read.userIds === null ? {} : { readUsers: named(scope.read.userIds) }),
    ...(scope.aggregate.userIds === null ? {} : { aggregateUsers: named(scope.aggregate.userIds) }),
    canExport: scope.canExport,
    canManage: scope.canManage,
  });
};

export const listUsers: Handler = async (ctx, { res, principal }) => {
  const scope = await adminScope(ctx, principal);
  sendJson(res, 200, { users: await ctx.backend.accounts.listUsers(scope.member.org) });
};

export const setRole: Handler = async (ctx, r) => {
  const scope = await adminScope(ctx, r.principal);
  const { role } = parseBody(RoleSet, await body(r));
  const user = await userOfOrg(ctx, scope, r.params[0]!);
  sendJson(r.res, 200, await accountsCall(() => ctx.backend.accounts.setRole(user.name, roleOf(role))));
};

export const listTeams: Handler = async (ctx, { res, principal }) => {
  const scope = await adminScope(ctx, principal);
  sendJson(res, 200, { teams: await ctx.backend.accounts.listTeams(scope.member.org) });
};

export const createTeam: Handler = async (ctx, r) => {
  const scope = await adminScope(ctx, r.principal);
  const { name } = parseBody(TeamCreate, await body(r));
  sendJson(r.res, 201, await accountsCall(() => ctx.backend.accounts.createTeam(scope.member.org, name)));
};

export const addTeamMember: Handler = async (ctx, r) => {
  const scope = await adminScope(ctx, r.principal);
  const { user, lead } = parseBody(TeamMemberAdd, await body(r));
  await userOfOrg(ctx, scope, user);
  await accountsCall(() => ctx.backend.accounts.addTeamMember(scope.member.org, r.params[0]!, user, lead));
  sendJson(r.res, 200, { team: r.params[0], user, lead });
};

export const removeTeamMember: Handler = async (ctx, r) => {
  const scope = await adminScope(ctx, r.principal);
  await userOfOrg(ctx, scope, r.params[1]!);
  const removed = await accountsCall(() => ctx.backend.accounts.removeTeamMember(scope.member.org, r.params[0]!, r.params[1]!));
  if (!removed) throw new HttpError(404, `"${r.params[1]!.slice(0, 100)}" is not in team "${r.params[0]!.slice(0, 100)}"`);
  sendJson(r.res, 200, { team: r.params[0], removed: r.params[1] });
};
