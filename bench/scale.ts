// Benchmark 4: many pipelines at once against the emulator. (a) A fleet of concurrent 3-step pipelines: wall
// time, pipelines/s (beside one pipeline alone), peak RSS of worker and receiver (beside their RSS once warm),
// and the two counts that must be zero: pipelines lost and Twin runs started twice. (b) The same number of
// 3-step and 50-step pipelines: the time per step must not grow with the length of a pipeline.
import os from 'node:os';
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { agentsFor, cpuShares, measureFleet, peakRss } from './lib/fleet.js';
import { fetchHistories } from './lib/history.js';
import { mapLimit } from '../services/shared/map-limit.js';
import { runFleet, sequentialPipeline, succeeded, type FleetRun } from './lib/pipelines.js';
import {
  describeWorkerSettings,
  startStack,
  UNLIMITED_TWIN_BUDGET,
  type WorkerSettings,
} from './lib/stack.js';
import { formatBytes, formatNumber, type Row } from './report.js';
import { median } from './stats.js';

const FLAT_GOAL = 1.2;

interface Sizes {
  fleet: number;
  flat: number;
  longSteps: number;
  pipelinesPerAgent: number;
  singleRounds: number;
  deadlineMs: number;
}

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { fleet: 20, flat: 10, longSteps: 6, pipelinesPerAgent: 10, singleRounds: 1, deadlineMs: 3 * 60_000 }
    : {
        fleet: 1000,
        flat: 100,
        longSteps: 50,
        pipelinesPerAgent: 20,
        singleRounds: 3,
        deadlineMs: 30 * 60_000,
      };
}

function fleetSettings(s: Sizes): WorkerSettings {
  return { ...UNLIMITED_TWIN_BUDGET, AGENT_CONCURRENCY_DEFAULT: s.pipelinesPerAgent };
}

async function fleetScale(ctx: BenchContext, s: Sizes): Promise<{ rows: Row[]; notes: string[] }> {
  const agents = Math.ceil(s.fleet / s.pipelinesPerAgent);
  const stack = await startStack(ctx, { agents, worker: fleetSettings(s) });
  try {
    const definition = sequentialPipeline('bench-scale', 3);
    ctx.log(`scale: one pipeline alone (${s.singleRounds + 1} times, the first a warm-up)`);
    const singles: number[] = [];
    for (let i = 0; i <= s.singleRounds; i++) {
      const single = await runFleet(stack, definition, [stack.agentIds[0] as string], s.deadlineMs);
      if (i > 0) singles.push(single.wallMs);
    }
    const warmRss = await peakRss(stack);
    ctx.log(`scale: ${s.fleet} concurrent 3-step pipelines on ${agents} agents`);
    const measured = await measureFleet(stack, definition, 3, agentsFor(stack, s.fleet), s.deadlineMs);
    const { run: fleet, cpuBefore, cpuAfter } = measured;
    const { lost, duplicates, runs } = measured.audit;
    const singleWall = median(singles);
    const rate = s.fleet / (fleet.wallMs / 1000);
    const singleRate = 1 / (singleWall / 1000);
    const rssRow = (name: 'worker' | 'receiver'): Row => ({
      figure: `${name} peak RSS (baseline: warm, before the fleet)`,
      value: formatBytes(measured.peakRss[name] ?? Number.NaN),
      baseline: formatBytes(warmRss[name] ?? Number.NaN),
      ratio: (measured.peakRss[name] ?? Number.NaN) / (warmRss[name] ?? Number.NaN),
      goal: '—',
    });
    return {
      rows: [
        {
          figure: `${s.fleet} concurrent 3-step pipelines: wall time (s) (baseline: one pipeline alone)`,
          value: formatNumber(fleet.wallMs / 1000, 1),
          baseline: formatNumber(singleWall / 1000, 2),
          ratio: fleet.wallMs / singleWall,
          goal: '—',
        },
        {
          figure: 'pipelines/s (baseline: one pipeline alone)',
          value: formatNumber(rate, 2),
          baseline: formatNumber(singleRate, 2),
          ratio: rate / singleRate,
          goal: '—',
        },
        rssRow('worker'),
        rssRow('receiver'),
        {
          figure: 'lost pipelines (no successful result)',
          value: String(lost),
          baseline: '—',
          goal: '= 0',
          pass: lost === 0,
        },
        {
          figure: 'duplicate Twin runs',
          value: String(duplicates),
          baseline: '—',
          goal: '= 0',
          pass: duplicates === 0,
        },
      ],
      notes: [
        `${s.fleet} pipelines of 3 sequential agent steps started at once through startPipeline (${agents} agents, ${s.pipelinesPerAgent} pipelines and ${s.pipelinesPerAgent} lane permits per agent), runs complete instantly, every run's webhooks go through the receiver; ${runs} Twin runs were started for ${s.fleet * 3} steps.`,
        `Wall time is from the first start request to the last result; the baseline is the median of ${s.singleRounds} lone pipelines on the same stack after a warm-up. Peak RSS is the kernel's VmHWM of each process.`,
        describeWorkerSettings(stack),
        `CPU cores kept busy during the fleet (the machine has ${os.availableParallelism()}, shared with other jobs): ${cpuShares(cpuBefore, cpuAfter, fleet.wallMs)}. A process near 1.00 is saturated and bounds the fleet; the sum near the core count means the machine is. The Temporal dev server persists everything through one SQLite database with a single writer (one history shard); a production cluster spreads histories over shards and hosts.`,
        'At the project defaults the fleet would measure the Twin budgets instead: every activity on the main queue counts against TWIN_API_RATE_LIMIT_PER_SECOND (20/s), whether or not it calls Twin, and a step makes several (benchmark 5 counts them), so all pipelines together are capped at 20 / (main-queue activities per step) steps/s whatever the machine.',
      ],
    };
  } finally {
    await stack.close();
  }
}

function flatAgents(s: Sizes): number {
  return Math.ceil(s.flat / s.pipelinesPerAgent);
}

interface FlatFleet {
  run: FleetRun;
  cpuCores: string;
  largestHistory: number;
  historiesSampled: number;
  continuedAsNew: number;
  workerSettings: string;
}

/**
 * One fleet of `steps`-step pipelines on a stack of its own. A fleet leaves work behind (thousands of run
 * trackers lingering for late webhooks, a larger database), so a fleet run after it on the same server would
 * pay for its predecessor: each side gets a fresh server instead.
 */
async function flatFleet(ctx: BenchContext, s: Sizes, steps: number): Promise<FlatFleet> {
  const stack = await startStack(ctx, { agents: flatAgents(s), worker: fleetSettings(s) });
  try {
    const definition = sequentialPipeline(`bench-flat-${steps}`, steps);
    await runFleet(stack, definition, [stack.agentIds[0] as string], s.deadlineMs);
    const { run, cpuBefore, cpuAfter } = await measureFleet(
      stack,
      definition,
      steps,
      agentsFor(stack, s.flat),
      s.deadlineMs,
    );
    const sample = run.outcomes.filter(succeeded).slice(0, 5);
    const histories = await mapLimit(sample, 5, (o) => fetchHistories(stack.client, o.workflowId));
    return {
      run,
      cpuCores: cpuShares(cpuBefore, cpuAfter, run.wallMs),
      largestHistory: Math.max(...histories.map((h) => h.largestRunEvents)),
      historiesSampled: sample.length,
      continuedAsNew: Math.max(...sample.map((o) => o.state?.continuedAsNew ?? 0)),
      workerSettings: describeWorkerSettings(stack),
    };
  } finally {
    await stack.close();
  }
}

async function flatness(ctx: BenchContext, s: Sizes): Promise<{ rows: Row[]; notes: string[] }> {
  ctx.log(`scale: ${s.flat} pipelines of 3 steps, then ${s.flat} of ${s.longSteps}, each on a fresh stack`);
  const short = await flatFleet(ctx, s, 3);
  const long = await flatFleet(ctx, s, s.longSteps);
  const perStepShort = short.run.wallMs / 3;
  const perStepLong = long.run.wallMs / s.longSteps;
  const ratio = perStepLong / perStepShort;
  const lost = [...short.run.outcomes, ...long.run.outcomes].filter((o) => !succeeded(o)).length;
  return {
    rows: [
      {
        figure: `time per step (ms): ${s.flat} × ${s.longSteps}-step pipelines (baseline: ${s.flat} × 3-step)`,
        value: formatNumber(perStepLong, 0),
        baseline: formatNumber(perStepShort, 0),
        ratio,
        goal: `ratio ≤ ${FLAT_GOAL}`,
        pass: lost === 0 && ratio <= FLAT_GOAL,
      },
    ],
    notes: [
      `${s.flat} pipelines started at once, all of 3 steps, then all of ${s.longSteps}, each fleet on a fresh stack (dev server, worker, receiver, emulator) after one warm-up pipeline, so neither pays for what the other left behind; ${flatAgents(s)} agent(s), ${s.pipelinesPerAgent} permits each; time per step = wall time / steps per pipeline. Pipelines without a successful result: ${lost}.`,
      `CPU cores kept busy during the 3-step fleet: ${short.cpuCores}; during the ${s.longSteps}-step fleet: ${long.cpuCores}.`,
      `Largest single pipeline history in the ${s.longSteps}-step fleet: ${long.largestHistory} events (sample of ${long.historiesSampled}); continue-as-new happened ${long.continuedAsNew} time(s) per pipeline (the interpreter continues as new after 100 settled steps by default, or when Temporal suggests it).`,
      long.workerSettings,
    ],
  };
}

export const scale: Benchmark = {
  name: 'scale',
  title: '4. Scale',
  async run(ctx) {
    const s = sizes(ctx);
    const fleet = await fleetScale(ctx, s);
    const flat = await flatness(ctx, s);
    return { rows: [...fleet.rows, ...flat.rows], notes: [...fleet.notes, ...flat.notes] };
  },
};
