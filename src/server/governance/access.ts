/**
 * Who may do what with governance: the ONE place these decisions are made. Admins manage policies and
 * purges; auditors read everything governance records but change nothing; leads and developers neither.
 */
import type { Principal } from '../db/accounts';

/** Publish policies, run a purge. */
export function canManagePolicy(principal: Principal | null): boolean {
  return principal?.user.role === 'admin';
}

/** Read the audit log, findings and purge records: admins and auditors. */
export function canAudit(principal: Principal | null): boolean {
  const role: string | undefined = principal?.user.role;
  return role === 'admin' || role === 'auditor';
}
