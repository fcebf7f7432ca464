/**
 * Lineage questions the store answers from its lineage tables (validated with zod: they cross to the
 * store worker and may come from a command line):
 *
 *   ancestry     the out-closure of some nodes (what ancestryOf reads), as a subgraph
 *   descendants  everything downstream of a session or prompt, as a subgraph (null: unknown node)
 *   impact       what a tool or model produced in a time window
 *   counts       nodes and edges held
 */
import { z } from 'zod';
import type { Impact, Subgraph } from '../../lineage/lineageQueries';

const NodeRef = z.string().min(1).max(1_000);
const Iso = z.iso.datetime({ offset: true });

export const LineageQuery = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ancestry'), nodes: z.array(NodeRef).min(1).max(10_000) }),
  z.object({ op: z.literal('descendants'), node: NodeRef }),
  z.object({ op: z.literal('impact'), tool: z.string().min(1).max(100).optional(), model: z.string().min(1).max(301).optional(), since: Iso.optional(), until: Iso.optional() }),
  z.object({ op: z.literal('counts') }),
]);
export type LineageQuery = z.infer<typeof LineageQuery>;

export type LineageAnswer<Q extends LineageQuery> = Q extends { op: 'ancestry' }
  ? Subgraph
  : Q extends { op: 'descendants' }
    ? Subgraph | null
    : Q extends { op: 'impact' }
      ? Impact
      : { nodes: number; edges: number; failures: number };
