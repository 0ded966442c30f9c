// The three measurements every side of the comparison gets, all from one stack: hand-off gaps on the
// emulator's clock over sequential pipelines, the history those pipelines wrote per step, and one fleet of
// concurrent pipelines with its wall time, CPU, peak RSS and an audit of the Twin runs it started.
import type { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import type { BenchStack } from '../lib/stack.js';
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

/** `warmup + rounds` pipelines of `steps` steps on the side's hand-off agent, one after another. */
export async function measureSequential(
  side: Side,
  control: EmulatorControl,
  sizes: { steps: number; rounds: number; warmup: number; deadlineMs: number },
): Promise<SequentialFigures> {
  const measured: PipelineRun[] = [];
  for (let round = 0; round < sizes.warmup + sizes.rounds; round++) {
    const { pipelines } = await side.fleet([side.handoffAgent], sizes.steps, sizes.deadlineMs);
    if (round >= sizes.warmup) measured.push(...pipelines);
  }
  const good = measured.filter((p) => ok(p, sizes.steps));
  const runs = new Map((await control.runs(side.handoffAgent)).map((r) => [r.run_id, r]));
  const at = (runId: string | undefined, field: 'started_at' | 'finished_at') =>
    Date.parse(runs.get(runId ?? '')?.[field] ?? '');
  const gapsMs = good.flatMap((p) =>
    p.runIds.slice(1).map((runId, k) => at(runId, 'started_at') - at(p.runIds[k], 'finished_at')),
  );
  const costs = await Promise.all(good.map((p) => side.historyCost(p)));
  const steps = good.length * sizes.steps;
  return {
    gapsMs,
    eventsPerStep: costs.reduce((n, c) => n + c.events, 0) / steps,
    bytesPerStep: costs.reduce((n, c) => n + c.bytes, 0) / steps,
    pipelines: good.length,
    failed: measured.filter((p) => !ok(p, sizes.steps)).map((p) => p.error ?? 'incomplete'),
  };
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

/** `count` concurrent pipelines of `steps` steps, spread round-robin over the side's fleet agents. */
export async function measureSideFleet(
  side: Side,
  stack: BenchStack,
  sizes: { count: number; steps: number; deadlineMs: number },
): Promise<FleetFigures> {
  const agents = Array.from(
    { length: sizes.count },
    (_, i) => side.fleetAgents[i % side.fleetAgents.length] as string,
  );
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
