/**
 * A caller's read scope as SQL predicates, the same text on SQLite and PostgreSQL. Every record read of
 * the server puts one of these into its WHERE clause, so a record outside the scope is never read (not
 * read and then hidden), and a LIMIT counts only rows the caller may see.
 *
 * Records carry the upload chain that brought them (`uploader_id` -> uploaders.user_id); git ledger rows
 * carry the uploading user (`user_id`). User and organisation ids are integers from the server's own
 * tables, checked here, so they are written into the SQL rather than bound (one predicate, any dialect).
 */

/** Whose records a query may touch: every user of an organisation (userIds null), or the listed users of it. */
export interface RecordScope {
  orgId: number;
  userIds: readonly number[] | null;
}

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an id: ${n}`);
  return String(n);
}

/** `column` (a user id) names a user inside the scope. */
export function usersInScope(scope: RecordScope, column = 'user_id'): string {
  if (scope.userIds === null) return `${column} IN (SELECT id FROM users WHERE org_id = ${int(scope.orgId)})`;
  // Never empty in practice (a principal reads at least their own records); -1 keeps the SQL valid if it were.
  const ids = scope.userIds.length ? scope.userIds.map(int).join(', ') : '-1';
  return `${column} IN (SELECT id FROM users WHERE org_id = ${int(scope.orgId)} AND id IN (${ids}))`;
}

/** `column` (a record's upload chain) belongs to a user inside the scope. */
export function recordsInScope(scope: RecordScope, column = 'uploader_id'): string {
  // A whole organisation is most of the table: the unary plus keeps SQLite from driving the query by the
  // uploader index (time order stays the cheap plan); a few users' records are found through it.
  return `${scope.userIds === null ? '+' : ''}${column} IN (SELECT id FROM uploaders WHERE ${usersInScope(scope, 'user_id')})`;
}
