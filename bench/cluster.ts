// Benchmark 6: benchmark 4's fleet (1,000 concurrent 3-step pipelines) on the production-shaped cluster that
// scripts/cluster.sh runs (the Temporal server from go.temporal.io/server on PostgreSQL, several history shards,
// SQL visibility), with one worker and with two, beside the same fleet on the dev server in the same run. Each
// fleet gets a server of its own: a fleet leaves thousands of run trackers and a larger database behind, which
// a fleet after it on the same server would pay for.
import { clusterBinaries, startTemporalCluster, type TemporalCluster } from '../scripts/cluster.js';
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import {
  clusterOutcome,
  notBuilt,
  STEPS,
  type Side,
  type SideResult,
  type Sizes,
} from './lib/cluster-report.js';
import { agentsFor, cpuUsed, measureFleet, workerNames } from './lib/fleet.js';
import { runFleet, sequentialPipeline } from './lib/pipelines.js';
import { clusterTarget, describeWorkerSettings, startStack, UNLIMITED_TWIN_BUDGET } from './lib/stack.js';
import { loadAverage } from './report.js';

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { fleet: 20, pipelinesPerAgent: 10, deadlineMs: 3 * 60_000 }
    : { fleet: 1000, pipelinesPerAgent: 20, deadlineMs: 30 * 60_000 };
}

const SIDES: readonly Side[] = [
  { label: 'dev server, 1 worker', cluster: false, workers: 1 },
  { label: 'cluster, 1 worker', cluster: true, workers: 1 },
  { label: 'cluster, 2 workers', cluster: true, workers: 2 },
];

/** One side on a server of its own, which it starts and stops: warm-up, then the measured fleet. */
async function runSide(ctx: BenchContext, s: Sizes, side: Side): Promise<SideResult> {
  const loadAtStart = loadAverage();
  let cluster: TemporalCluster | undefined;
  if (side.cluster) {
    ctx.log(`cluster: starting a cluster for "${side.label}"`);
    cluster = await startTemporalCluster({ prefix: 'twinflow-bench-cluster', build: false });
    ctx.log(`cluster: serving at ${cluster.address} after ${cluster.timings.startSeconds} s`);
  }
  try {
    const stack = await startStack(ctx, {
      agents: Math.ceil(s.fleet / s.pipelinesPerAgent),
      worker: { ...UNLIMITED_TWIN_BUDGET, AGENT_CONCURRENCY_DEFAULT: s.pipelinesPerAgent },
      workers: side.workers,
      temporal: cluster && clusterTarget(cluster),
    });
    try {
      const definition = sequentialPipeline('bench-cluster', STEPS);
      // Warm-up: the workers' first workflow tasks, the server's first writes, one agent's lane.
      const lone = await runFleet(stack, definition, [stack.agentIds[0] as string], s.deadlineMs);
      ctx.log(`cluster: ${s.fleet} concurrent ${STEPS}-step pipelines, ${side.label}`);
      const benchBefore = process.cpuUsage();
      const fleet = await measureFleet(stack, definition, STEPS, agentsFor(stack, s.fleet), s.deadlineMs);
      const bench = process.cpuUsage(benchBefore);
      const workers = workerNames(stack);
      return {
        side,
        fleet,
        workerCpuSeconds: cpuUsed(fleet.cpuBefore, fleet.cpuAfter, workers),
        workerPeakRss: workers.map((name) => fleet.peakRss[name] ?? Number.NaN),
        serverCpuSeconds: cpuUsed(
          fleet.cpuBefore,
          fleet.cpuAfter,
          Object.keys(await stack.serverCpuSeconds()),
        ),
        serverPeakRss: await stack.serverPeakRssBytes(),
        benchCpuSeconds: (bench.user + bench.system) / 1e6,
        loneMs: lone.wallMs,
        loadAtStart,
        workerSettings: describeWorkerSettings(stack),
        cluster: cluster && {
          startSeconds: cluster.timings.startSeconds,
          historyShards: cluster.historyShards,
        },
      };
    } finally {
      await stack.close();
    }
  } finally {
    await cluster?.close();
  }
}

export const cluster: Benchmark = {
  name: 'cluster',
  title: '6. Cluster',
  async run(ctx) {
    const binaries = await clusterBinaries();
    if (!binaries.built) return notBuilt(binaries.detail);
    const s = sizes(ctx);
    const results: SideResult[] = [];
    for (const side of SIDES) results.push(await runSide(ctx, s, side));
    return clusterOutcome(s, results as [SideResult, SideResult, SideResult]);
  },
};
