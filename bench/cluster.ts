// Benchmark 6: benchmark 4's fleet (1,000 concurrent 3-step pipelines) on the production-shaped cluster that
// scripts/cluster.sh runs (the Temporal server from go.temporal.io/server on PostgreSQL, several history shards,
// SQL visibility), with one worker and with two, beside the same fleet on the dev server in the same run. Each
// fleet gets a server of its own: a fleet leaves thousands of run trackers and a larger database behind, which
// a fleet after it on the same server would pay for.
import os from 'node:os';
import { clusterBinaries, startTemporalCluster, type TemporalCluster } from '../scripts/cluster.js';
import type { BenchContext, Benchmark, BenchmarkOutcome } from './lib/benchmark.js';
import { agentsFor, cpuShares, cpuUsed, measureFleet, workerNames, type MeasuredFleet } from './lib/fleet.js';
import { runFleet, sequentialPipeline } from './lib/pipelines.js';
import {
  clusterTarget,
  describeWorkerSettings,
  startStack,
  UNLIMITED_TWIN_BUDGET,
  type WorkerSettings,
} from './lib/stack.js';
import { formatBytes, formatNumber, type Row } from './report.js';

const STEPS = 3;
/** Throughput with two workers over one: see the notes for why the goal is "costs nothing" on this machine. */
const TWO_WORKER_GOAL = 0.9;
/** Total worker CPU with two workers over one: splitting the work must not add much work. */
const TWO_WORKER_CPU_GOAL = 1.2;

interface Sizes {
  fleet: number;
  pipelinesPerAgent: number;
  deadlineMs: number;
}

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { fleet: 20, pipelinesPerAgent: 10, deadlineMs: 3 * 60_000 }
    : { fleet: 1000, pipelinesPerAgent: 20, deadlineMs: 30 * 60_000 };
}

interface Side {
  label: string;
  cluster: boolean;
  workers: number;
}

const SIDES: readonly Side[] = [
  { label: 'dev server, 1 worker', cluster: false, workers: 1 },
  { label: 'cluster, 1 worker', cluster: true, workers: 1 },
  { label: 'cluster, 2 workers', cluster: true, workers: 2 },
];

interface SideResult {
  side: Side;
  fleet: MeasuredFleet;
  /** Summed over the side's workers. */
  workerCpuSeconds: number;
  /** The largest of the side's workers. */
  workerPeakRss: number;
  workerPeaks: string;
  serverCpuSeconds: number;
  serverPeakRss: number | undefined;
  cores: string;
  /** Cores all processes together kept busy. */
  coresTotal: number;
  /** The warm-up: one pipeline alone on the idle stack, i.e. the latency of its hand-offs without queueing. */
  loneMs: number;
  workerSettings: string;
  cluster?: { startSeconds: number; historyShards: number };
}

async function runSide(ctx: BenchContext, s: Sizes, side: Side): Promise<SideResult> {
  let cluster: TemporalCluster | undefined;
  if (side.cluster) {
    ctx.log(`cluster: starting a cluster for "${side.label}"`);
    cluster = await startTemporalCluster({ prefix: 'twinflow-bench-cluster', build: false });
    ctx.log(`cluster: serving at ${cluster.address} after ${cluster.timings.startSeconds} s`);
  }
  try {
    const settings: WorkerSettings = {
      ...UNLIMITED_TWIN_BUDGET,
      AGENT_CONCURRENCY_DEFAULT: s.pipelinesPerAgent,
    };
    const stack = await startStack(ctx, {
      agents: Math.ceil(s.fleet / s.pipelinesPerAgent),
      worker: settings,
      workers: side.workers,
      temporal: cluster && clusterTarget(cluster),
    });
    try {
      const definition = sequentialPipeline('bench-cluster', STEPS);
      // Warm-up: the worker's first workflow tasks, the server's first writes, one agent's lane.
      const lone = await runFleet(stack, definition, [stack.agentIds[0] as string], s.deadlineMs);
      ctx.log(`cluster: ${s.fleet} concurrent ${STEPS}-step pipelines, ${side.label}`);
      const fleet = await measureFleet(stack, definition, STEPS, agentsFor(stack, s.fleet), s.deadlineMs);
      const workers = workerNames(stack);
      const peaks = workers.map((name) => fleet.peakRss[name] ?? Number.NaN);
      const serverNames = Object.keys(await stack.serverCpuSeconds());
      return {
        side,
        fleet,
        workerCpuSeconds: cpuUsed(fleet.cpuBefore, fleet.cpuAfter, workers),
        workerPeakRss: Math.max(...peaks),
        workerPeaks: peaks.map(formatBytes).join(' and '),
        serverCpuSeconds: cpuUsed(fleet.cpuBefore, fleet.cpuAfter, serverNames),
        serverPeakRss: await stack.serverPeakRssBytes(),
        cores: cpuShares(fleet.cpuBefore, fleet.cpuAfter, fleet.run.wallMs),
        coresTotal: cpuUsed(fleet.cpuBefore, fleet.cpuAfter) / (fleet.run.wallMs / 1000),
        loneMs: lone.wallMs,
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

type Figure = 'wall' | 'rate' | 'cpu' | 'rss';
interface Goal {
  text: string;
  met(ratio: number): boolean;
}

const rate = (r: SideResult) => r.fleet.run.outcomes.length / (r.fleet.run.wallMs / 1000);

/** The four figures of one side, each beside the same figure of `base` (none for the first side). */
function sideRows(
  s: Sizes,
  r: SideResult,
  base?: SideResult,
  goals: Partial<Record<Figure, Goal>> = {},
): Row[] {
  const figures: Record<
    Figure,
    { name: string; value: (x: SideResult) => number; format: (v: number) => string }
  > = {
    wall: {
      name: `${s.fleet} concurrent ${STEPS}-step pipelines: wall time (s)`,
      value: (x) => x.fleet.run.wallMs / 1000,
      format: (v) => formatNumber(v, 1),
    },
    rate: { name: 'pipelines/s', value: rate, format: (v) => formatNumber(v, 2) },
    cpu: {
      name: 'worker CPU time (s, all workers)',
      value: (x) => x.workerCpuSeconds,
      format: (v) => formatNumber(v, 1),
    },
    rss: { name: 'worker peak RSS (largest worker)', value: (x) => x.workerPeakRss, format: formatBytes },
  };
  return (Object.keys(figures) as Figure[]).map((key) => {
    const figure = figures[key];
    const value = figure.value(r);
    const baseline = base && figure.value(base);
    const ratio = baseline === undefined ? undefined : value / baseline;
    const goal = goals[key];
    return {
      figure: `${r.side.label}: ${figure.name}${base ? ` (baseline: ${base.side.label})` : ''}`,
      value: figure.format(value),
      baseline: baseline === undefined ? '—' : figure.format(baseline),
      ratio,
      goal: goal?.text ?? '—',
      pass: goal && ratio !== undefined ? goal.met(ratio) : undefined,
    };
  });
}

function correctnessRows(results: readonly SideResult[]): Row[] {
  const sum = (f: (r: SideResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const lost = sum((r) => r.fleet.audit.lost);
  const runs = sum((r) => r.fleet.audit.runs);
  const steps = sum((r) => r.fleet.audit.steps);
  const duplicates = sum((r) => r.fleet.audit.duplicates);
  const fleets = `all ${results.length} fleets`;
  return [
    {
      figure: `pipelines without a successful result (${fleets})`,
      value: String(lost),
      baseline: '—',
      goal: '= 0',
      pass: lost === 0,
    },
    {
      figure: `Twin runs the emulator started, for agent steps (${fleets})`,
      value: formatNumber(runs, 0),
      baseline: formatNumber(steps, 0),
      ratio: runs / steps,
      goal: 'one per step',
      pass: results.every((r) => r.fleet.audit.runs === r.fleet.audit.steps),
    },
    {
      figure: `duplicate Twin runs (${fleets})`,
      value: String(duplicates),
      baseline: '—',
      goal: '= 0',
      pass: duplicates === 0,
    },
  ];
}

function notes(s: Sizes, results: readonly [SideResult, SideResult, SideResult]): string[] {
  const [dev, one, two] = results;
  const clusters = [one, two].flatMap((r) => (r.cluster ? [r.cluster] : []));
  const busy = (r: SideResult) => `${r.side.label}: ${r.cores} (sum ${formatNumber(r.coresTotal, 2)})`;
  return [
    `${s.fleet} pipelines of ${STEPS} sequential agent steps started at once through startPipeline (${Math.ceil(s.fleet / s.pipelinesPerAgent)} agents, ${s.pipelinesPerAgent} pipelines and ${s.pipelinesPerAgent} lane permits per agent), as in benchmark 4; runs complete instantly and every run's webhooks go through one receiver. Three fleets, one round each, in the order of the table, each on a server of its own after one warm-up pipeline: the dev server (in memory, one history shard), then a fresh cluster for each cluster fleet.`,
    `The cluster is what scripts/cluster.sh starts: temporal-server (go.temporal.io/server, all four services in one process) with ${clusters[0]?.historyShards ?? 'n/a'} history shards on PostgreSQL (persistence and SQL visibility, data on tmpfs), the dynamic config docker-compose.yml uses, everything on 127.0.0.1. Starting one took ${clusters.map((c) => `${formatNumber(c.startSeconds, 0)} s`).join(' and ')} (PostgreSQL, schemas, server, namespace and search attributes), outside every figure. With two workers, both poll the one task queue and every agent's lane is shared by both.`,
    `Worker CPU time is user + system time of the worker process(es) from the first start to the last result; peak RSS is the kernel's VmHWM (the two workers: ${two.workerPeaks}). Temporal's own CPU time in the same span: ${results.map((r) => `${r.side.label} ${formatNumber(r.serverCpuSeconds, 1)} s`).join(', ')} (cluster: the server process plus every PostgreSQL process); the Temporal server's peak RSS: ${results.map((r) => `${r.side.label} ${formatBytes(r.serverPeakRss ?? Number.NaN)}`).join(', ')}.`,
    `CPU cores kept busy during each fleet (the machine has ${os.availableParallelism()}, shared with other jobs): ${results.map(busy).join('; ')}. A sum near the core count means the machine, not twinflow or Temporal, bounds the fleet. One pipeline alone (the warm-up, on the idle stack): ${results.map((r) => `${r.side.label} ${formatNumber(r.loneMs / 1000, 2)} s`).join(', ')}.`,
    `Goal for two workers: throughput at least ${TWO_WORKER_GOAL}× that of one, and total worker CPU at most ${TWO_WORKER_CPU_GOAL}×. On a 2-core machine a second worker cannot add throughput when the server, PostgreSQL and the first worker already keep both cores busy; what it must not do is cost throughput or work (the two share the lanes, the task queue and the trackers' signals through Temporal). ${TWO_WORKER_GOAL} rather than 1.0 leaves room for one round's noise on a shared machine; on a machine with cores to spare the same ratio is where scaling out would show. Measured: ${formatNumber(rate(two) / rate(one), 2)}× the throughput, ${formatNumber(two.workerCpuSeconds / one.workerCpuSeconds, 2)}× the worker CPU.`,
    `Cluster against dev server: no goal. On one machine the cluster pays for what makes it production-shaped (a separate database over TCP, durable writes, several shards whose queues are processed in parallel, visibility in SQL) with the same two cores; its point is that it spreads over hosts, which this machine cannot show. Measured: ${formatNumber(rate(one) / rate(dev), 2)}× the dev server's throughput with the same one worker.`,
    dev.workerSettings,
  ];
}

/** The benchmark's outcome when the cluster cannot be started at all: one FAIL row that says why. */
function notBuilt(detail: string): BenchmarkOutcome {
  return {
    rows: [
      {
        figure: 'cluster figures',
        value: 'not measured',
        baseline: '—',
        goal: 'cluster binaries built',
        pass: false,
      },
    ],
    notes: [
      `The Temporal cluster's binaries are not in .tools/bin (${detail}): run \`bash scripts/cluster.sh build\` (a few minutes cold; \`npm test\` runs it too), then the benchmark again. It never builds them itself, so that no run spends minutes compiling where it measures.`,
    ],
  };
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
    const [dev, one, two] = results as [SideResult, SideResult, SideResult];
    return {
      rows: [
        ...sideRows(s, dev),
        ...sideRows(s, one, dev),
        ...sideRows(s, two, one, {
          rate: { text: `ratio ≥ ${TWO_WORKER_GOAL}`, met: (ratio) => ratio >= TWO_WORKER_GOAL },
          cpu: { text: `ratio ≤ ${TWO_WORKER_CPU_GOAL}`, met: (ratio) => ratio <= TWO_WORKER_CPU_GOAL },
        }),
        ...correctnessRows(results),
      ],
      notes: notes(s, [dev, one, two]),
    };
  },
};
