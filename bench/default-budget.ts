// Benchmark 8: a fleet at the project's default budgets. TWIN_API_RATE_LIMIT_PER_SECOND (20/s) exists to protect
// the real Twin, so it must count calls to Twin and nothing else: twinflow's own bookkeeping (lane permits,
// liveness checks, trigger evaluation) runs on an internal queue without a budget. The figure is the fleet's
// throughput in steps/s beside the bound the budget sets (20 / Twin activities per step); the same fleet with
// the budgets raised is the baseline, so the row shows what the default budget costs and nothing else.
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { agentsFor, measureFleet } from './lib/fleet.js';
import { sequentialPipeline } from './lib/pipelines.js';
import {
  describeWorkerSettings,
  startStack,
  UNLIMITED_TWIN_BUDGET,
  type WorkerSettings,
} from './lib/stack.js';
import { formatNumber, type Row } from './report.js';

const STEPS = 3;
/** Twin calls a step makes on the budgeted queue: the start, then the run's events and its record (output). */
const TWIN_ACTIVITIES_PER_STEP = 2;
const DEFAULT_TWIN_BUDGET = 20;

interface Fleet {
  stepsPerSecond: number;
  lost: number;
  duplicates: number;
  settings: string;
}

async function fleet(ctx: BenchContext, pipelines: number, worker: WorkerSettings): Promise<Fleet> {
  const perAgent = 20;
  const stack = await startStack(ctx, { agents: Math.ceil(pipelines / perAgent), worker });
  try {
    const definition = sequentialPipeline('bench-budget', STEPS);
    const deadlineMs = (ctx.quick ? 3 : 20) * 60_000;
    const measured = await measureFleet(stack, definition, STEPS, agentsFor(stack, pipelines), deadlineMs);
    return {
      stepsPerSecond: (pipelines * STEPS) / (measured.run.wallMs / 1000),
      lost: measured.audit.lost,
      duplicates: measured.audit.duplicates,
      settings: describeWorkerSettings(stack),
    };
  } finally {
    await stack.close();
  }
}

export const defaultBudget: Benchmark = {
  name: 'default-budget',
  title: '8. A fleet at the default Twin budget',
  async run(ctx) {
    const pipelines = ctx.quick ? 10 : 200;
    const concurrency: WorkerSettings = { AGENT_CONCURRENCY_DEFAULT: 20 };
    ctx.log(`default-budget: ${pipelines} × ${STEPS}-step pipelines at the default budgets, then raised`);
    const defaults = await fleet(ctx, pipelines, concurrency);
    const raised = await fleet(ctx, pipelines, { ...concurrency, ...UNLIMITED_TWIN_BUDGET });
    const bound = DEFAULT_TWIN_BUDGET / TWIN_ACTIVITIES_PER_STEP;
    const clean = defaults.lost + defaults.duplicates + raised.lost + raised.duplicates === 0;
    const rows: Row[] = [
      {
        figure: `${pipelines} × ${STEPS}-step fleet at the default budgets: steps/s (baseline: budgets raised)`,
        value: formatNumber(defaults.stepsPerSecond, 1),
        baseline: formatNumber(raised.stepsPerSecond, 1),
        ratio: defaults.stepsPerSecond / raised.stepsPerSecond,
        goal: `≥ 0.8 × min(baseline, ${bound} = ${DEFAULT_TWIN_BUDGET} Twin calls/s ÷ ${TWIN_ACTIVITIES_PER_STEP} per step)`,
        pass: clean && defaults.stepsPerSecond >= 0.8 * Math.min(raised.stepsPerSecond, bound),
      },
    ];
    return {
      rows,
      notes: [
        `Both fleets start ${pipelines} pipelines of ${STEPS} instant steps at once on a fresh stack each; lost / duplicate runs: ${defaults.lost} / ${defaults.duplicates} at the defaults, ${raised.lost} / ${raised.duplicates} raised.`,
        `A step calls Twin from ${TWIN_ACTIVITIES_PER_STEP} activities on the budgeted queue (start, output read); permits, liveness checks and trigger evaluation run on the internal queue, polls on the poll queue with their own budget. Before the internal queue (issue 16), every activity on the main queue counted, and the same fleet at the defaults ran at about 6.7 steps/s.`,
        `At the defaults: ${defaults.settings}`,
        `Raised: ${raised.settings}`,
      ],
    };
  },
};
