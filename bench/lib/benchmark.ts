// What a benchmark is to the runner: a name for --only, a title for the table, and a run that starts its own
// servers and processes, measures, cleans up and returns rows and notes.
import type { Row } from '../report.js';

export interface BenchContext {
  /** Small sizes and short rounds: a smoke run for CI, not a measurement. */
  quick: boolean;
  /** Scratch space of this bench run (bundle, secrets files, profiles). */
  tempDir: string;
  /** The workflow bundle, built on first use and shared by every benchmark of the run. */
  workflowBundle(): Promise<string>;
  /** When set, every process under test runs with `--cpu-prof` into this directory. */
  cpuProfileDir?: string;
  log(message: string): void;
}

export interface BenchmarkOutcome {
  rows: Row[];
  notes: string[];
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchmarkOutcome>;
}
