// The three measurements every side of the comparison gets, all from one stack: hand-off gaps on the
// emulator's clock over sequential pipelines (the sides alternated round by round), the history those
// pipelines wrote per step, and fleets of concurrent pipelines with their wall time, CPU, peak RSS and an audit
// of the Twin runs they started.
import type { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import type { BenchStack } from '../lib/stack.js';
import { rotate } from '../stats.js';
import type { FleetResult, PipelineRun, Side } from './side.js';

export interface SequentialFigures {
  /** Emulator `started_at` of run N+1 − `finished_at` of run N, within each pipeline. */
  gapsMs: number[];
  eventsPerStep: number;
  bytesPerStep: number;
  pipelines: number;
  failed: string[];
}

const ok = (p: PipelineRun, steps: number) => p.error === undefined && p.runIds.length === steps;

interface HandoffSizes {
  steps: number;
  rounds: number;
  warmup: number;
  deadlineMs: number;
}

/** Gaps and history cost of the measured pipelines one side ran on its hand-off agent. */
async function sequentialFigures(
  side: Side,
  control: EmulatorControl,
  measured: readonly PipelineRun[],
  steps: number,
): Promise<SequentialFigures> {
  const good = measured.filter((p) => ok(p, steps));
  const runs = new Map((await control.runs(side.handoffAgent)).map((r) => [r.run_id, r]));
  const at = (runId: string | undefined, field: 'started_at' | 'finished_at') =>
    Date.parse(runs.get(runId ?? '')?.[field] ?? '');
  const gapsMs = good.flatMap((p) =>
    p.runIds.slice(1).map((runId, k) => at(runId, 'started_at') - at(p.runIds[k], 'finished_at')),
  );
  const costs = await Promise.all(good.map((p) => side.historyCost(p)));
  const total = good.length * steps;
  return {
    gapsMs,
    eventsPerStep: costs.reduce((n, c) => n + c.events, 0) / total,
    bytesPerStep: costs.reduce((n, c) => n + c.bytes, 0) / total,
    pipelines: good.length,
    failed: measured.filter((p) => !ok(p, steps)).map((p) => p.error ?? 'incomplete'),
  };
}

/**
 * `warmup + rounds` rounds; each round runs one `steps`-step pipeline per side on its hand-off agent, one
 * pipeline at a time, the sides in an order rotated each round (stats.ts `rotate`). Figures per side, in the
 * order of `sides`; the warm-up rounds are left out.
 */
export async function measureHandoffs(
  sides: readonly Side[],
  control: EmulatorControl,
  sizes: HandoffSizes,
): Promise<SequentialFigures[]> {
  const samples = await rotate(
    sizes.warmup + sizes.rounds,
    sides.map((side) => () => side.fleet([side.handoffAgent], sizes.steps, sizes.deadlineMs)),
  );
  return Promise.all(
    sides.map((side, i) => {
      const measured = (samples[i] ?? []).slice(sizes.warmup).flatMap((r) => r.pipelines);
      return sequentialFigures(side, control, measured, sizes.steps);
    }),
  );
}

export interface FleetFigures {
  run: FleetResult;
  lost: number;
  /** Twin runs started beyond one per step. */
  duplicates: number;
  /** CPU seconds per process during the fleet, the Temporal server's (`temporal`) included. */
  cpuSeconds: Record<string, number>;
  /** VmHWM of each of the side's processes once the fleet is done. */
  peakRssBytes: Record<string, number>;
}

async function cpuOf(side: Side, stack: BenchStack): Promise<Record<string, number>> {
  const sample: Record<string, number> = {};
  for (const [name, value] of Object.entries(await stack.serverCpuSeconds())) sample[name] = value ?? NaN;
  for (const [name, process] of Object.entries(side.processes))
    sample[name] = (await process.cpuSeconds()) ?? NaN;
  return sample;
}

async function runsOn(control: EmulatorControl, agents: readonly string[]): Promise<number> {
  const counts = await control.runCounts();
  return agents.reduce((n, agent) => n + (counts[agent] ?? 0), 0);
}

/**
 * `count` concurrent pipelines of `steps` steps, round-robin over the first `agents` of the side's fleet
 * agents (so a smaller fleet keeps as many pipelines per agent as a larger one).
 */
export async function measureSideFleet(
  side: Side,
  stack: BenchStack,
  sizes: { count: number; agents: number; steps: number; deadlineMs: number },
): Promise<FleetFigures> {
  const used = side.fleetAgents.slice(0, sizes.agents);
  const agents = Array.from({ length: sizes.count }, (_, i) => used[i % used.length] as string);
  const runsBefore = await runsOn(stack.control, side.fleetAgents);
  const cpuBefore = await cpuOf(side, stack);
  const run = await side.fleet(agents, sizes.steps, sizes.deadlineMs);
  const cpuAfter = await cpuOf(side, stack);
  const runs = (await runsOn(stack.control, side.fleetAgents)) - runsBefore;
  const peakRssBytes: Record<string, number> = {};
  for (const [name, process] of Object.entries(side.processes))
    peakRssBytes[name] = (await process.peakRssBytes()) ?? NaN;
  return {
    run,
    lost: run.pipelines.filter((p) => !ok(p, sizes.steps)).length,
    duplicates: Math.max(0, runs - sizes.count * sizes.steps),
    cpuSeconds: Object.fromEntries(
      Object.keys(cpuBefore).map((name) => [name, (cpuAfter[name] ?? NaN) - (cpuBefore[name] ?? NaN)]),
    ),
    peakRssBytes,
  };
}
