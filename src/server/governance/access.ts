/**
 * Who may do what with governance. The ONE place these decisions are made, so the roles that team
 * visibility adds (auditor, team lead, developer) change a line here, not every route.
 */
import type { Principal } from '../db/accounts';

/** Publish policies, run a purge. */
export function canManagePolicy(principal: Principal | null): boolean {
  return principal?.user.role === 'admin';
}

/** Read the audit log, findings and purge records: admins, and auditors once that role exists. */
export function canAudit(principal: Principal | null): boolean {
  const role: string | undefined = principal?.user.role;
  return role === 'admin' || role === 'auditor';
}
