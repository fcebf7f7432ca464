/**
 * After an upload burst: how long the server's lineage indexing takes to catch up. The uploads were
 * answered before their lineage was built (server/lineage/indexRunner.ts); a lineage read waits for the
 * outbox to empty, so the time of one read is the catch-up time.
 */
import { api } from '../../test/unit/serverHarness';
import type { BenchResult } from '../types';

export async function lineageCatchUp(url: string, token: string, records: number): Promise<{ seconds: number; recordsPerSecond: number; pendingAfter: number }> {
  const t = performance.now();
  let pendingAfter = 0;
  // A read waits up to a minute, then answers with the uploads still pending named in a header: ask again.
  for (let i = 0; i < 60; i++) {
    const res = await api(url, token, '/api/v1/lineage?tool=copilot');
    if (res.status !== 200) throw new Error(`lineage read failed: ${res.status} ${res.text.slice(0, 300)}`);
    pendingAfter = Number(res.headers.get('x-lineagelens-lineage-pending') ?? 0);
    if (pendingAfter === 0) break;
  }
  const seconds = (performance.now() - t) / 1000;
  return { seconds, recordsPerSecond: Math.round(records / seconds), pendingAfter };
}

/** The figure both server benches report next to their ingest: records until the graph holds them too. */
export function ingestWithLineage(name: string, big: { records: number; ms: number }, lineage: { seconds: number; recordsPerSecond: number; pendingAfter: number }): BenchResult {
  return {
    name,
    value: Math.round(big.records / (big.ms / 1000 + lineage.seconds)),
    unit: 'records/s',
    goal: null,
    better: 'higher',
    baseline: { label: 'lineage catch-up alone after the last answer', value: lineage.recordsPerSecond },
    note: `the same ${big.records} records until the lineage graph holds them too: indexing runs once uploads pause (server/lineage/indexRunner.ts), ${lineage.seconds.toFixed(1)} s after the last answer${lineage.pendingAfter ? `; ${lineage.pendingAfter} uploads still pending` : ''}`,
  };
}
