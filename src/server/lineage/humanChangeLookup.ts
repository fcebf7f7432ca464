/**
 * Finding a person's change over AI lines at a line of a commit, on the server (which has no git
 * checkout): the `human` nodes the indexer made from ledger `human-change` facts are named
 * `human:<repo>:<commit>:<path>:L<first line>` (core/lineage/lineageGraph.ts), so the changes of a
 * repository at a commit, or at every commit starting with an abbreviated id, are one range scan of the
 * nodes' primary key; the line is then looked up in their `ranges` attribute. No table of its own.
 */
import type { Pool } from 'pg';
import type { Db } from '../db/serverDb';
import { nodeId } from '../../core/lineage/lineageGraph';
import { type NodeRowIn, nodeFromRow, type StoredNode } from './lineageStore';

/** Most changes read for one question (a commit holds one per file and AI edit it changed). */
const LIMIT = 10_000;

export interface HumanChangeLookup {
  /** The human nodes of a repository at the commits whose id starts with `rev` (a full id or a prefix). */
  at(repoId: string, rev: string): Promise<StoredNode[]>;
}

/** Node ids after the prefix continue with hex digits or ':', all below '~'. */
const bounds = (repoId: string, rev: string): [string, string] => {
  const p = nodeId.humanChangePrefix(repoId, rev);
  return [p, `${p}~`];
};

export function sqliteHumanChanges(db: Db): HumanChangeLookup {
  const stmt = db.prepare<[string, string], NodeRowIn>(`SELECT id, kind, record_id, repo_id, attrs FROM lineage_nodes WHERE id >= ? AND id < ? AND kind = 'human' LIMIT ${LIMIT}`);
  return { at: async (repoId, rev) => stmt.all(...bounds(repoId, rev)).map(nodeFromRow) };
}

export function pgHumanChanges(pool: Pool): HumanChangeLookup {
  return {
    at: async (repoId, rev) => {
      const r = await pool.query<NodeRowIn>(`SELECT id, kind, record_id, repo_id, attrs FROM lineage_nodes WHERE org_id = 1 AND id >= $1 AND id < $2 AND kind = 'human' LIMIT ${LIMIT}`, bounds(repoId, rev));
      return r.rows.map(nodeFromRow);
    },
  };
}

/** Does a `ranges` attribute ("3-5,9-9") hold 1-based `line`? */
export function rangesHold(ranges: unknown, line: number): boolean {
  if (typeof ranges !== 'string') return false;
  return ranges.split(',').some((r) => {
    const [s, e] = r.split('-').map(Number);
    return s !== undefined && e !== undefined && line >= s && line <= e;
  });
}
