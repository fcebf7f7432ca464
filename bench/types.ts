/**
 * The benchmark contract. Each bench/*.bench.ts exports a default Benchmark; scripts/bench.mjs compiles,
 * runs them all in one process (or the ones named on the command line), computes `met`, prints a table
 * and writes bench/results.json. Figures are printed and compared, never asserted in tests.
 */
export interface BenchResult {
  /** Dotted id, e.g. `store.ingest_events_per_s`. */
  name: string;
  value: number;
  unit: string;
  /** The target, or null when the figure is only reported. */
  goal: number | null;
  better: 'lower' | 'higher';
  /** A comparison measured in the same run (e.g. the naive approach, or an empty extension). */
  baseline?: { label: string; value: number };
  note?: string;
}

export interface BenchContext {
  /** `--quick`: reduced sizes for a CI smoke run; figures are then indicative only. */
  quick: boolean;
  /** Repository root. */
  root: string;
  log(message: string): void;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchResult[]>;
