/**
 * A caller's read scope on PostgreSQL, for queries that scan records (lists, stats, search, exports):
 * the upload chains the scope may read are looked up first (a small indexed query) and written into the
 * statement as a constant list, `uploader_id = ANY('{..}'::int[])`.
 *
 * Why not the subquery of access/scopeSql.ts, which SQLite uses: PostgreSQL plans a subquery as a
 * semi-join and cannot tell how many records it lets through, while for a constant list it reads the
 * column's statistics. Measured on 1,000,000 records of 60 upload chains (bench/serverScope.bench.ts,
 * docs/server.md "Scope on PostgreSQL"): the newest page of one tool for a developer holding 0.1% of
 * them 32 -> 4.7 ms, the export's newest position for a lead of five 136 -> 4.8 ms, for an admin 191 -> 6.8 ms.
 * Point lookups (one record by id) keep the subquery: there is nothing to estimate and no extra round trip.
 */
import type { ClientBase, Pool } from 'pg';
import { type RecordScope, usersInScope } from '../access/scopeSql';

/** `column` (a record's upload chain) is one of the chains of users inside the scope, as a constant list. */
export async function uploadersInScope(db: Pool | ClientBase, scope: RecordScope, column = 'uploader_id'): Promise<string> {
  const { rows } = await db.query<{ id: number }>(`SELECT id FROM uploaders WHERE ${usersInScope(scope, 'user_id')} ORDER BY id`);
  // Integers from the server's own table, written as a literal: the planner sees the values.
  return `${column} = ANY('{${rows.map((r) => int(r.id)).join(',')}}'::int[])`;
}

function int(n: number | string): string {
  const v = Number(n);
  if (!Number.isSafeInteger(v)) throw new Error(`not an uploader id: ${n}`);
  return String(v);
}
