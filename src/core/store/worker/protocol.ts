/**
 * Messages between the store client (any thread) and the store worker. Both sides are this code base;
 * only the start-up data is validated (it also configures where files go).
 */
import { z } from 'zod';
import type { StoreProblem } from '../storeErrors';
import type { PackedFoldBatch } from './foldTransport';

export const WorkerInit = z.object({
  home: z.string().min(1),
  storeId: z.string().min(1),
  wasmPath: z.string().optional(),
  snapshots: z
    .object({
      enabled: z.boolean().optional(),
      idleMs: z.number().nonnegative().optional(),
      minIntervalMs: z.number().nonnegative().optional(),
      onCloseMinEntries: z.number().nonnegative().optional(),
    })
    .optional(),
  /** How often the worker checks whether it is idle enough to snapshot. */
  tickMs: z.number().positive(),
});
export type WorkerInit = z.infer<typeof WorkerInit>;

export type IndexMethod = 'query' | 'lineage' | 'hasRecords' | 'getRecords' | 'stats' | 'snapshot' | 'catchUp' | 'close';

export type ToWorker = { type: 'call'; id: number; method: IndexMethod; arg?: unknown } | { type: 'fold'; batch: PackedFoldBatch };

export type FromWorker =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number | null; name: string; message: string }
  | { type: 'problem'; problem: StoreProblem };
