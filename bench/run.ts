// `npm run bench`: runs the benchmarks one after another (each starts and stops its own Temporal dev server
// and processes) and writes docs/benchmarks.md. `--quick` is a smoke run small enough for CI: it never
// overwrites the committed report, it prints the table and writes to --out (default: a temp file).
// `--only=a,b` runs some benchmarks (the report then goes to --out too); `--cpu-prof` profiles every process
// under test into the bench run's temp directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../services/shared/project-paths.js';
import { cluster } from './cluster.js';
import { defaultBudget } from './default-budget.js';
import { handoffLatency } from './handoff-latency.js';
import { peers } from './peers.js';
import type { BenchContext, Benchmark, BenchmarkOutcome } from './lib/benchmark.js';
import { lazyWorkflowBundle } from './lib/bundle.js';
import { stopChildrenOnSignal } from './lib/processes.js';
import { receiverEndToEnd } from './receiver-e2e.js';
import { receiverVerification } from './receiver-verify.js';
import { describeMachine, loadAverage, renderReport, renderTable, type BenchmarkResult } from './report.js';
import { scale } from './scale.js';
import { stepCost } from './step-cost.js';

export const BENCHMARKS: readonly Benchmark[] = [
  receiverVerification,
  receiverEndToEnd,
  handoffLatency,
  scale,
  stepCost,
  cluster,
  peers,
  defaultBudget,
];
export const COMMITTED_REPORT = path.join(PROJECT_ROOT, 'docs/benchmarks.md');

interface Flags {
  quick: boolean;
  only?: string[];
  out?: string;
  cpuProf: boolean;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
  return { quick: values.quick, only, out: values.out, cpuProf: values['cpu-prof'] };
}

function failedOutcome(error: unknown): BenchmarkOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    rows: [
      { figure: 'benchmark did not complete', value: 'error', baseline: '—', goal: 'completes', pass: false },
    ],
    notes: [`Error: ${message}`],
  };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  stopChildrenOnSignal();
  const selected = BENCHMARKS.filter((b) => !flags.only || flags.only.includes(b.name));
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'twinflow-bench-'));
  const ctx: BenchContext = {
    quick: flags.quick,
    tempDir,
    workflowBundle: lazyWorkflowBundle(tempDir),
    cpuProfileDir: flags.cpuProf ? path.join(tempDir, 'profiles') : undefined,
    log,
  };
  const machine = describeMachine();
  log(
    `${selected.length} benchmark(s), ${flags.quick ? 'quick' : 'full'} mode; load average ${machine.loadBefore}`,
  );
  const results: BenchmarkResult[] = [];
  let failures = 0;
  for (const benchmark of selected) {
    const loadAtStart = loadAverage();
    log(`${benchmark.name}: starting (load average ${loadAtStart})`);
    const t0 = performance.now();
    const outcome = await benchmark.run(ctx).catch((error: unknown) => {
      // One broken benchmark must not throw away the others' figures: it shows as a failed row.
      failures++;
      log(
        `${benchmark.name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return failedOutcome(error);
    });
    results.push({
      name: benchmark.name,
      title: benchmark.title,
      ...outcome,
      durationMs: performance.now() - t0,
      loadAtStart,
    });
    log(`${benchmark.name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  machine.loadAfter = loadAverage();

  const full = !flags.quick && !flags.only;
  const args = process.argv.slice(2);
  const command = args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`;
  const report = renderReport({ machine, results, quick: flags.quick, command });
  const target =
    flags.out ?? (full ? COMMITTED_REPORT : path.join(os.tmpdir(), `twinflow-benchmarks-${Date.now()}.md`));
  await writeFile(target, report);
  process.stdout.write(`${renderTable(results)}\n\nreport written to ${target}\n`);
  if (ctx.cpuProfileDir) log(`CPU profiles in ${ctx.cpuProfileDir}`);
  else await rm(tempDir, { recursive: true, force: true });
  if (failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
