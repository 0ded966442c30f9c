// One fleet of concurrent pipelines on a warm stack, measured the way every fleet benchmark reports it: wall
// time, the CPU time of each process (which one bounds the fleet), each process's peak RSS, and an audit of the
// Twin runs the emulator saw start during the fleet (pipelines lost, runs started twice).
import type { EmulatorRunView } from '../../providers/twin/emulator/control-client.js';
import type { PipelineDefinition } from '../../workflows/pipeline-definition.js';
import { formatNumber } from '../report.js';
import { runFleet, succeeded, type FleetRun, type PipelineOutcome } from './pipelines.js';
import { machineBusySeconds, type NodeProcess } from './processes.js';
import type { BenchStack } from './stack.js';

/** The start marker twinflow puts in a run's message: one per step attempt, however often it is sent. */
const MARKER = /\[twinflow:[0-9a-f]+\]/;

/** `count` pipelines spread round-robin over the stack's agents. */
export function agentsFor(stack: BenchStack, count: number): string[] {
  return Array.from({ length: count }, (_, i) => stack.agentIds[i % stack.agentIds.length] as string);
}

export interface FleetAudit {
  /** Pipelines without a successful result. */
  lost: number;
  /** Twin runs beyond one per step, or beyond one per start marker. */
  duplicates: number;
  /** Twin runs the emulator started during the fleet. */
  runs: number;
  /** Agent steps the fleet had: pipelines × steps per pipeline. */
  steps: number;
  /** Why pipelines were lost, most common first: `2 × failed at step-2: …`. */
  lostReasons: string[];
}

/** What became of a pipeline without a successful result, in a few words that group alike cases. */
function lostReason(outcome: PipelineOutcome): string {
  if (outcome.error !== undefined) return outcome.error;
  const state = outcome.state;
  const step = state?.steps.find((st) => st.id === state.failedStep);
  const why = [state?.error, step?.reason].filter(Boolean).join('; ');
  return `${state?.status ?? 'no state'}${state?.failedStep ? ` at ${state.failedStep}` : ''}${why ? `: ${why}` : ''}`;
}

/** Checks the fleet against the Twin runs the emulator started while it ran. */
export function auditFleet(fleet: FleetRun, steps: number, runs: readonly EmulatorRunView[]): FleetAudit {
  const lostOutcomes = fleet.outcomes.filter((o) => !succeeded(o));
  const reasons = new Map<string, number>();
  for (const outcome of lostOutcomes) {
    const reason = lostReason(outcome).slice(0, 300);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const lostReasons = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${count} × ${reason}`);
  const lost = lostOutcomes.length;
  const markers = new Map<string, number>();
  for (const run of runs) {
    const marker = MARKER.exec(run.user_message ?? '')?.[0] ?? run.run_id;
    markers.set(marker, (markers.get(marker) ?? 0) + 1);
  }
  const sameMarker = [...markers.values()].reduce((n, c) => n + c - 1, 0);
  const beyondOnePerStep = Math.max(0, markers.size - fleet.outcomes.length * steps);
  return {
    lost,
    duplicates: sameMarker + beyondOnePerStep,
    runs: runs.length,
    steps: fleet.outcomes.length * steps,
    lostReasons,
  };
}

/** The stack's own processes by the name the notes give them: worker (or worker-1, worker-2 …), receiver, emulator. */
function processesOf(stack: BenchStack): [string, NodeProcess][] {
  const workers = stack.workers.map((w, i): [string, NodeProcess] => [
    stack.workers.length === 1 ? 'worker' : `worker-${i + 1}`,
    w,
  ]);
  return [...workers, ['receiver', stack.receiver], ['emulator', stack.emulator]];
}

/** CPU seconds used so far, by process: the server's first (temporal, postgres), then the stack's own. */
export type CpuSample = Record<string, number | undefined>;

export async function cpuSample(stack: BenchStack): Promise<CpuSample> {
  const sample: CpuSample = { ...(await stack.serverCpuSeconds()) };
  for (const [name, process] of processesOf(stack)) sample[name] = await process.cpuSeconds();
  return sample;
}

/** CPU seconds the named processes (default: all) used between two samples; NaN where one was unreadable. */
export function cpuUsed(
  before: CpuSample,
  after: CpuSample,
  names: readonly string[] = Object.keys(before),
): number {
  return names.reduce((sum, name) => sum + ((after[name] ?? Number.NaN) - (before[name] ?? Number.NaN)), 0);
}

/** Cores each process kept busy over `wallMs`: which one bounds the fleet. */
export function cpuShares(before: CpuSample, after: CpuSample, wallMs: number): string {
  return Object.keys(before)
    .map((name) => `${name} ${formatNumber(cpuUsed(before, after, [name]) / (wallMs / 1000), 2)}`)
    .join(', ');
}

/** VmHWM of each of the stack's processes: the most resident memory it ever had. */
export async function peakRss(stack: BenchStack): Promise<Record<string, number | undefined>> {
  const peaks: Record<string, number | undefined> = {};
  for (const [name, process] of processesOf(stack)) peaks[name] = await process.peakRssBytes();
  return peaks;
}

/** The names of the stack's worker processes, as CpuSample and peakRss key them. */
export function workerNames(stack: BenchStack): string[] {
  return processesOf(stack)
    .map(([name]) => name)
    .filter((name) => name.startsWith('worker'));
}

export interface MeasuredFleet {
  run: FleetRun;
  audit: FleetAudit;
  cpuBefore: CpuSample;
  cpuAfter: CpuSample;
  /** VmHWM of each process once the fleet is done. */
  peakRss: Record<string, number | undefined>;
  /** CPU seconds the whole machine was busy during the fleet, the stack's processes and everyone else's. */
  machineBusySeconds: number;
}

/**
 * Runs one fleet of `definition` (one pipeline per entry of `agents`) on a warm stack and measures it. The
 * audit counts every Twin run the emulator started while the fleet ran, adopted or not, so a second run for a
 * step shows even where no pipeline took it.
 */
export async function measureFleet(
  stack: BenchStack,
  definition: PipelineDefinition,
  steps: number,
  agents: readonly string[],
  deadlineMs: number,
): Promise<MeasuredFleet> {
  const earlier = new Set((await stack.control.runs()).map((r) => r.run_id));
  const machineBefore = await machineBusySeconds();
  const cpuBefore = await cpuSample(stack);
  const run = await runFleet(stack, definition, agents, deadlineMs);
  const cpuAfter = await cpuSample(stack);
  const machineAfter = await machineBusySeconds();
  const peaks = await peakRss(stack);
  const runs = (await stack.control.runs()).filter((r) => !earlier.has(r.run_id));
  return {
    run,
    audit: auditFleet(run, steps, runs),
    cpuBefore,
    cpuAfter,
    peakRss: peaks,
    machineBusySeconds: (machineAfter ?? Number.NaN) - (machineBefore ?? Number.NaN),
  };
}
