// How every pipeline of a reliability test ended, judged from the outside against a Twin that only serves what
// its documents promise (the emulator's `documented` profile). Three sources, none of them twinflow's own
// bookkeeping: the agents' scripts (what each run does), the emulator's control API (every run in full, with
// the message that names its pipeline and step and the start marker of its step attempt) and the emulator's
// delivery log (which run.completed webhooks were dropped, never sent, or arrived late).
//
// A pipeline ends in one of three acceptable ways:
// - as scripted: every step as its agents' scripts imply;
// - with an explicit `unknown` outcome: a completed run whose run.completed webhook was dropped (or late), which
//   seed 001 gives no other way to learn, recorded as `unknown` and judged as the step's failOn says;
// - AmbiguousStart: a step failed, naming the candidate runs, because twinflow could not prove which run a lost
//   start created, and it started no other.
// Anything else is off script. A *silent wrong outcome* is worse: a recorded status or outcome that contradicts
// what the run did (success recorded for a `fail` run, a failed run counted as succeeded, another step's run
// adopted). Duplicates are counted from Twin's side: a marker on two runs, or a run Twin started for a step that
// no attempt of that step recorded (unless an AmbiguousStart named it for an operator).
import { type ControlDeps, getPipelineStatus } from '../../services/control/pipelines.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import type { EmulatorControl, EmulatorRunView } from '../../providers/twin/emulator/control-client.js';
import type { DeliveryLogEntry } from '../../providers/twin/emulator/webhook-delivery.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import type { StepState } from '../../workflows/pipeline-definition.js';
import {
  CHAOS_PIPELINE_NAME,
  CHAOS_STEPS,
  type AgentKind,
  type ChaosStep,
  type PlannedPipeline,
} from './chaos-pipelines.js';

export const RESOLUTIONS = ['answered', 'recovered', 'marker', 'adopted'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** How a pipeline ended, among the acceptable ends. */
export type EndKind = 'scripted' | 'unknown' | 'ambiguous';

export interface EndAudit {
  pipelines: number;
  byStatus: Record<string, number>;
  ends: Record<EndKind, number>;
  /** Pipelines whose end neither the scripts, a lost webhook nor an AmbiguousStart explain. */
  offScript: string[];
  /** Recorded statuses or outcomes that contradict what the run did. Must stay empty. */
  silentWrong: string[];
  /** Steps that recorded `unknown`, by why the outcome could not be learnt. */
  unknownSteps: { dropped: number; late: number };
  /** Start resolutions over every recorded attempt (`runs[].resolution`). */
  resolutions: Record<Resolution, number>;
  /** Steps failed with AmbiguousStart. */
  ambiguousSteps: number;
  /** Runs Twin started for an AmbiguousStart, named in its error for an operator. */
  ambiguousCandidates: number;
  /** Twin runs started for this plan's steps, and how many the plan's ends imply. */
  runsStarted: number;
  runsExpected: number;
  /** Second runs of one step attempt: a marker on two runs, or a run no attempt recorded. Must stay empty. */
  duplicates: string[];
  /** Runs beyond one per step attempt (each duplicate run once, however many findings name it). */
  duplicateRuns: number;
  /** Runs whose message names no pipeline step: nobody asked for them. */
  strayRuns: string[];
  /** Steps whose Twin run count differs from the attempts their end implies. */
  runMismatches: string[];
}

export interface EndAuditInput {
  deps: ControlDeps;
  control: EmulatorControl;
  plan: readonly PlannedPipeline[];
  /** The trackers' silence window: an end webhook accepted later than this after the run ended is late. */
  reconcileWindowMs: number;
}

const MARKER = /\[twinflow:([0-9a-f]{16})\]\s*$/;
const ATTRIBUTION = /^step (\S+) of (\S+)/;
const AMBIGUOUS = /cannot tell whether Twin started a run/;

/** The chaos pipeline's steps as defined in chaos-pipelines.ts: failure sets, attempts, and the publish gate. */
const STEP_RULES: Record<ChaosStep, { failOn: readonly string[]; maximumAttempts: number }> = {
  draft: { failOn: ['failed', 'stopped'], maximumAttempts: 2 },
  review: { failOn: ['fail', 'failed'], maximumAttempts: 1 },
  publish: { failOn: ['failed', 'stopped'], maximumAttempts: 1 },
};

interface Behaviour {
  result: 'completed' | 'failed';
  outcome?: 'success' | 'partial' | 'fail';
}

/** What the `attempt`-th run (1-based) of an agent of this kind does, from agentScript. */
function scripted(kind: AgentKind, attempt: number): Behaviour {
  switch (kind) {
    case 'success':
      return { result: 'completed', outcome: 'success' };
    case 'partial':
      return { result: 'completed', outcome: 'partial' };
    case 'failOutcome':
      return { result: 'completed', outcome: 'fail' };
    case 'error':
      return { result: 'failed' };
    case 'flaky':
      return attempt === 1 ? { result: 'failed' } : { result: 'completed', outcome: 'success' };
  }
}

/** Whether the end counts as failure under failOn (docs/design.md, "Output and outcome"). */
function countsAsFailure(
  result: Behaviour['result'],
  outcome: string | undefined,
  failOn: readonly string[],
) {
  if (result === 'failed') return failOn.includes('failed');
  const kind = outcome ?? 'unknown';
  if (kind === 'success') return false;
  if (kind === 'unknown') return ['unknown', 'fail', 'partial'].some((k) => failOn.includes(k));
  return failOn.includes(kind);
}

type Completion = 'timely' | 'late' | 'dropped' | 'never-sent' | 'not-completed';

interface Evidence {
  runsOf: Map<string, EmulatorRunView[]>;
  runById: Map<string, EmulatorRunView>;
  markerCount: Map<string, number>;
  strayRuns: string[];
  completion(run: EmulatorRunView): Completion;
}

async function gatherEvidence(control: EmulatorControl, reconcileWindowMs: number): Promise<Evidence> {
  const [runs, log] = await Promise.all([control.runs(), control.deliveries()]);
  const runsOf = new Map<string, EmulatorRunView[]>();
  const runById = new Map<string, EmulatorRunView>();
  const markerCount = new Map<string, number>();
  const strayRuns: string[] = [];
  for (const run of runs) {
    runById.set(run.run_id, run);
    const where = attributionOf(run);
    if (!where) {
      strayRuns.push(run.run_id);
      continue;
    }
    const key = stepKeyOf(where.workflowId, where.step);
    runsOf.set(key, [...(runsOf.get(key) ?? []), run]);
    if (where.marker) markerCount.set(where.marker, (markerCount.get(where.marker) ?? 0) + 1);
  }
  const completions = new Map<string, DeliveryLogEntry[]>();
  for (const d of log) {
    if (d.event !== 'run.completed') continue;
    completions.set(d.run_id, [...(completions.get(d.run_id) ?? []), d]);
  }
  return {
    runsOf,
    runById,
    markerCount,
    strayRuns,
    completion(run) {
      if (run.status !== 'finished') return 'not-completed';
      const entries = completions.get(run.run_id) ?? [];
      const accepted = entries.filter((d) => d.delivered).map((d) => Date.parse(d.at));
      if (accepted.length === 0) return entries.some((d) => d.dropped) ? 'dropped' : 'never-sent';
      const finished = Date.parse(run.finished_at ?? run.started_at);
      return Math.min(...accepted) - finished > reconcileWindowMs ? 'late' : 'timely';
    },
  };
}

export function attributionOf(
  run: EmulatorRunView,
): { workflowId: string; step: string; marker?: string } | undefined {
  const message = typeof run.user_message === 'string' ? run.user_message : '';
  const match = ATTRIBUTION.exec(message);
  if (!match) return undefined;
  return { step: match[1] as string, workflowId: match[2] as string, marker: MARKER.exec(message)?.[1] };
}

function stepKeyOf(workflowId: string, step: string): string {
  return `${workflowId}#${step}`;
}

export function isAmbiguousStart(step: StepState | undefined): boolean {
  return step?.status === 'failed' && AMBIGUOUS.test(step.error ?? '');
}

interface ExpectedStep {
  status: 'succeeded' | 'failed' | 'skipped';
  /** Runs the step records (runIds). */
  runs: number;
  outcome?: string;
  ambiguous?: boolean;
}

interface Expectation {
  status: 'succeeded' | 'failed';
  failedStep?: ChaosStep;
  steps: Record<ChaosStep, ExpectedStep>;
  kind: EndKind;
}

const KIND_RANK: Record<EndKind, number> = { scripted: 0, unknown: 1, ambiguous: 2 };

/**
 * The end the scripts imply, given only what nobody could have prevented: which completed runs' webhooks never
 * arrived in time (their outcome can only be `unknown`), and which step attempt twinflow stopped at with
 * AmbiguousStart (taken from the step's error, and checked against Twin's runs by the caller).
 */
function expectation(p: PlannedPipeline, state: PipelineState, evidence: Evidence): Expectation {
  const kinds: Record<ChaosStep, AgentKind> = {
    draft: p.chaosCase.drafter,
    review: p.chaosCase.reviewer,
    publish: 'success',
  };
  const steps = {} as Record<ChaosStep, ExpectedStep>;
  let kind: EndKind = 'scripted';
  let failedStep: ChaosStep | undefined;
  for (const id of CHAOS_STEPS) {
    const gateClosed = id === 'publish' && steps.review.outcome !== 'success';
    if (failedStep || gateClosed) {
      steps[id] = { status: 'skipped', runs: 0 };
      continue;
    }
    const recorded = state.steps.find((s) => s.id === id);
    const twinRuns = evidence.runsOf.get(stepKeyOf(p.workflowId, id)) ?? [];
    const rules = STEP_RULES[id];
    let outcome: string | undefined;
    let failed = false;
    let attempt = 0;
    for (;;) {
      attempt++;
      // The step stopped at this attempt without a run of its own: an AmbiguousStart, for an operator.
      if (isAmbiguousStart(recorded) && (recorded?.runIds.length ?? 0) === attempt - 1) {
        steps[id] = { status: 'failed', runs: attempt - 1, ambiguous: true };
        kind = 'ambiguous';
        break;
      }
      const behaviour = scripted(kinds[id], attempt);
      const run = twinRuns[attempt - 1];
      const completion = run ? evidence.completion(run) : 'timely';
      outcome = behaviour.outcome;
      if (behaviour.result === 'completed' && completion !== 'timely') {
        // Dropped or never sent: `unknown` is the only honest record. Late: the tracker may have heard it in time.
        const said = recorded?.runs?.[attempt - 1]?.outcome;
        outcome = completion === 'late' && said === behaviour.outcome ? behaviour.outcome : 'unknown';
        if (outcome === 'unknown' && KIND_RANK[kind] < KIND_RANK.unknown) kind = 'unknown';
      }
      if (behaviour.result === 'failed') outcome = undefined;
      failed = countsAsFailure(behaviour.result, outcome, rules.failOn);
      const retried =
        failed &&
        attempt < rules.maximumAttempts &&
        (outcome !== 'unknown' || rules.failOn.includes('unknown'));
      if (!retried) break;
    }
    if (steps[id]?.ambiguous) {
      failedStep = id;
      continue;
    }
    steps[id] = { status: failed ? 'failed' : 'succeeded', runs: attempt, outcome };
    if (failed) failedStep = id;
  }
  return { status: failedStep ? 'failed' : 'succeeded', failedStep, steps, kind };
}

/** Compares every pipeline's end with its expectation, and every recorded run with what Twin says it did. */
export async function auditEnds(input: EndAuditInput): Promise<EndAudit> {
  const { deps, control, plan, reconcileWindowMs } = input;
  const states = await mapLimit(
    plan,
    16,
    async (p) => (await getPipelineStatus(deps, { name: CHAOS_PIPELINE_NAME, key: p.key })).state,
  );
  const evidence = await gatherEvidence(control, reconcileWindowMs);
  const audit: EndAudit = {
    pipelines: plan.length,
    byStatus: {},
    ends: { scripted: 0, unknown: 0, ambiguous: 0 },
    offScript: [],
    silentWrong: [],
    unknownSteps: { dropped: 0, late: 0 },
    resolutions: { answered: 0, recovered: 0, marker: 0, adopted: 0 },
    ambiguousSteps: 0,
    ambiguousCandidates: 0,
    runsStarted: 0,
    runsExpected: 0,
    duplicates: [],
    duplicateRuns: 0,
    strayRuns: evidence.strayRuns,
    runMismatches: [],
  };
  plan.forEach((p, index) => {
    const state = states[index];
    audit.byStatus[state?.status ?? 'none'] = (audit.byStatus[state?.status ?? 'none'] ?? 0) + 1;
    if (!state) {
      audit.offScript.push(`${p.workflowId}: no final state`);
      return;
    }
    const expected = expectation(p, state, evidence);
    const off = endMismatches(p, state, expected);
    audit.offScript.push(...off);
    if (off.length === 0) audit.ends[expected.kind]++;
    for (const id of CHAOS_STEPS) {
      const step = state.steps.find((s) => s.id === id);
      const twinRuns = evidence.runsOf.get(stepKeyOf(p.workflowId, id)) ?? [];
      audit.runsStarted += twinRuns.length;
      audit.runsExpected += expected.steps[id].runs;
      audit.silentWrong.push(...silentWrongs(p, id, step, evidence));
      checkRuns(audit, p, id, step, twinRuns, expected.steps[id]);
      for (const attempt of step?.runs ?? []) {
        if (attempt.resolution) audit.resolutions[attempt.resolution]++;
        const run = evidence.runById.get(attempt.runId);
        if (attempt.outcome === 'unknown' && run) {
          const completion = evidence.completion(run);
          if (completion === 'late') audit.unknownSteps.late++;
          else audit.unknownSteps.dropped++;
        }
      }
      if (isAmbiguousStart(step)) audit.ambiguousSteps++;
    }
  });
  const planned = new Set(plan.map((p) => p.workflowId));
  for (const [key, runs] of evidence.runsOf) {
    if (!planned.has(key.split('#')[0] as string)) continue;
    const markers = new Map<string, number>();
    for (const run of runs) {
      const marker = attributionOf(run)?.marker ?? run.run_id;
      markers.set(marker, (markers.get(marker) ?? 0) + 1);
    }
    for (const [marker, count] of markers) {
      if (count < 2) continue;
      audit.duplicates.push(`${key}: marker ${marker} is on ${count} runs`);
      audit.duplicateRuns += count - 1;
    }
  }
  return audit;
}

function endMismatches(p: PlannedPipeline, state: PipelineState, expected: Expectation): string[] {
  const found: string[] = [];
  const say = (what: string, want: unknown, got: unknown) => {
    if (want !== got)
      found.push(
        `${p.workflowId} (${p.chaosCase.drafter}/${p.chaosCase.reviewer}, ${expected.kind}): ${what} is ${String(got)}, expected ${String(want)}`,
      );
  };
  say('status', expected.status, state.status);
  say('failedStep', expected.failedStep, state.failedStep);
  for (const id of CHAOS_STEPS) {
    const step = state.steps.find((s) => s.id === id);
    const want = expected.steps[id];
    say(`step ${id} status`, want.status, step?.status);
    say(`step ${id} runs`, want.runs, step?.runIds.length);
    if (want.status !== 'skipped' && !want.ambiguous) say(`step ${id} outcome`, want.outcome, step?.outcome);
  }
  return found;
}

/**
 * Each recorded attempt against Twin's truth: its run is one Twin started for this very step, its status is the
 * run's, its outcome the run's or an explicit `unknown`; and the step's verdict follows from what it recorded.
 */
function silentWrongs(
  p: PlannedPipeline,
  id: ChaosStep,
  step: StepState | undefined,
  evidence: Evidence,
): string[] {
  if (!step) return [];
  const wrong: string[] = [];
  const where = `${p.workflowId} step ${id}`;
  for (const attempt of step.runs ?? []) {
    const run = evidence.runById.get(attempt.runId);
    if (!run) {
      wrong.push(`${where}: recorded run ${attempt.runId}, which Twin never started`);
      continue;
    }
    const owner = attributionOf(run);
    if (owner?.workflowId !== p.workflowId || owner.step !== id)
      wrong.push(
        `${where}: recorded run ${run.run_id}, which Twin started for ${owner ? `${owner.workflowId} step ${owner.step}` : 'nobody'} (${attempt.resolution})`,
      );
    const truth = run.status === 'finished' ? 'completed' : run.status === 'error' ? 'failed' : run.status;
    if (attempt.status !== truth)
      wrong.push(`${where}: run ${run.run_id} recorded ${attempt.status}, Twin says ${run.status}`);
    if (truth === 'completed' && attempt.outcome !== 'unknown' && attempt.outcome !== run.outcome)
      wrong.push(
        `${where}: run ${run.run_id} recorded outcome ${String(attempt.outcome)}, Twin's outcome is ${String(run.outcome)}`,
      );
  }
  const last = step.runs?.at(-1);
  if (last && step.status !== 'skipped') {
    const failOn = STEP_RULES[id].failOn;
    const counts = countsAsFailure(
      last.status === 'completed' ? 'completed' : 'failed',
      last.outcome,
      failOn,
    );
    if (step.status === 'succeeded' && counts)
      wrong.push(`${where}: succeeded although its last run ended ${last.status}/${String(last.outcome)}`);
    if (step.status === 'failed' && !counts && !isAmbiguousStart(step))
      wrong.push(`${where}: failed although its last run ended ${last.status}/${String(last.outcome)}`);
  }
  return wrong;
}

/**
 * Twin's runs for one step: one per recorded attempt, each recorded; a run no attempt recorded is a duplicate,
 * unless the step failed with AmbiguousStart and its error names that run as a candidate.
 */
function checkRuns(
  audit: EndAudit,
  p: PlannedPipeline,
  id: ChaosStep,
  step: StepState | undefined,
  twinRuns: readonly EmulatorRunView[],
  expected: ExpectedStep,
): void {
  const where = `${p.workflowId} step ${id}`;
  const recorded = new Set(step?.runIds ?? []);
  for (const run of twinRuns) {
    if (recorded.has(run.run_id)) continue;
    if (isAmbiguousStart(step) && step?.error?.includes(run.run_id)) {
      audit.ambiguousCandidates++;
      continue;
    }
    const marker = attributionOf(run)?.marker;
    if (twinRuns.filter((r) => attributionOf(r)?.marker === marker).length < 2) audit.duplicateRuns++;
    audit.duplicates.push(
      `${where}: Twin run ${run.run_id} (${run.status}, started ${run.started_at}, marker ${attributionOf(run)?.marker ?? 'none'}) was recorded by no attempt; recorded ${[...recorded].join(' ') || 'none'}; ${step?.error ?? ''}`,
    );
  }
  const recordedOwn = twinRuns.filter((r) => recorded.has(r.run_id)).length;
  if (recordedOwn !== expected.runs)
    audit.runMismatches.push(
      `${where}: Twin started ${recordedOwn} recorded run(s) for it, its end implies ${expected.runs}`,
    );
}

/** The rows both the chaos and the process-fault reports give about ends, runs and start resolutions. */
export function endRows(audit: EndAudit, started: number): Array<[string, string | number]> {
  return [
    [
      'pipelines started / finished',
      `${started} / ${Object.values(audit.byStatus).reduce((a, b) => a + b, 0)}`,
    ],
    [
      'final status',
      Object.entries(audit.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', '),
    ],
    [
      'ended as scripted / with an explicit unknown outcome / with AmbiguousStart',
      `${audit.ends.scripted} / ${audit.ends.unknown} / ${audit.ends.ambiguous}`,
    ],
    ['… off script (none of these)', audit.offScript.length],
    [
      'steps with outcome unknown (run.completed dropped or never sent / late)',
      `${audit.unknownSteps.dropped} / ${audit.unknownSteps.late}`,
    ],
    ['silent wrong outcomes', audit.silentWrong.length],
    [
      'Twin runs started (implied by the ends + left by AmbiguousStart)',
      `${audit.runsStarted} (${audit.runsExpected} + ${audit.ambiguousCandidates})`,
    ],
    ['duplicate runs for one step attempt', audit.duplicateRuns],
    ['stray runs', audit.strayRuns.length],
    [
      'start resolutions: answered / recovered / marker / adopted',
      RESOLUTIONS.map((r) => audit.resolutions[r]).join(' / '),
    ],
    ['starts failed AmbiguousStart', audit.ambiguousSteps],
  ];
}

/** The audits of several phases as one (figures summed, lists joined). */
export function mergeAudits(audits: readonly EndAudit[]): EndAudit {
  const sum = (pick: (a: EndAudit) => number) => audits.reduce((n, a) => n + pick(a), 0);
  const join = (pick: (a: EndAudit) => string[]) => audits.flatMap(pick);
  const byStatus: Record<string, number> = {};
  for (const a of audits)
    for (const [status, n] of Object.entries(a.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
  return {
    pipelines: sum((a) => a.pipelines),
    byStatus,
    ends: {
      scripted: sum((a) => a.ends.scripted),
      unknown: sum((a) => a.ends.unknown),
      ambiguous: sum((a) => a.ends.ambiguous),
    },
    offScript: join((a) => a.offScript),
    silentWrong: join((a) => a.silentWrong),
    unknownSteps: { dropped: sum((a) => a.unknownSteps.dropped), late: sum((a) => a.unknownSteps.late) },
    resolutions: Object.fromEntries(RESOLUTIONS.map((r) => [r, sum((a) => a.resolutions[r])])) as Record<
      Resolution,
      number
    >,
    ambiguousSteps: sum((a) => a.ambiguousSteps),
    ambiguousCandidates: sum((a) => a.ambiguousCandidates),
    runsStarted: sum((a) => a.runsStarted),
    runsExpected: sum((a) => a.runsExpected),
    duplicates: join((a) => a.duplicates),
    duplicateRuns: sum((a) => a.duplicateRuns),
    strayRuns: [...new Set(join((a) => a.strayRuns))],
    runMismatches: join((a) => a.runMismatches),
  };
}
