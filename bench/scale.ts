// Benchmark 4: many pipelines at once against the emulator. (a) A fleet of concurrent 3-step pipelines: wall
// time, pipelines/s (beside one pipeline alone), peak RSS of worker and receiver (beside their RSS once warm),
// and the two counts that must be zero: pipelines lost and Twin runs started twice. (b) Flatness
// (bench/flatness.ts): the time per step must not grow with the length of a pipeline, in three runs in a row.
import os from 'node:os';
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { agentsFor, cpuShares, measureFleet, peakRss } from './lib/fleet.js';
import { runFleet, sequentialPipeline } from './lib/pipelines.js';
import { flatness } from './flatness.js';
import {
  describeWorkerSettings,
  startStack,
  UNLIMITED_TWIN_BUDGET,
  type WorkerSettings,
} from './lib/stack.js';
import { formatBytes, formatNumber, type Row } from './report.js';
import { median } from './stats.js';

interface Sizes {
  fleet: number;
  pipelinesPerAgent: number;
  singleRounds: number;
  deadlineMs: number;
}

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { fleet: 20, pipelinesPerAgent: 10, singleRounds: 1, deadlineMs: 3 * 60_000 }
    : { fleet: 1000, pipelinesPerAgent: 20, singleRounds: 3, deadlineMs: 30 * 60_000 };
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

export const scale: Benchmark = {
  name: 'scale',
  title: '4. Scale',
  async run(ctx) {
    const s = sizes(ctx);
    const fleet = await fleetScale(ctx, s);
    const flat = await flatness(ctx);
    return { rows: [...fleet.rows, ...flat.rows], notes: [...fleet.notes, ...flat.notes] };
  },
};
