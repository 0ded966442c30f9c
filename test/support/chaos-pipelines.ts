// The workload of the reliability tests: one small pipeline (draft → review → publish) whose agents have
// fixed, scripted behaviours, so the state every pipeline must end in follows from its agents alone and can be
// checked after any amount of chaos. Shared agents always behave the same whatever order their runs start in;
// the one behaviour that depends on order (fail once, then succeed) gets an agent per pipeline.
import {
  definePipeline,
  type PipelineDefinition,
  type StepStatus,
} from '../../workflows/pipeline-definition.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';

export const CHAOS_PIPELINE_NAME = 'chaos-review';

/** The pipeline's step IDs, in definition order. */
export const CHAOS_STEPS = ['draft', 'review', 'publish'] as const;
export type ChaosStep = (typeof CHAOS_STEPS)[number];

/**
 * `{{pipeline.workflowId}}` in every message lets the test tell which pipeline and step each Twin run served,
 * straight from the emulator's run list, without trusting twinflow's own bookkeeping.
 */
export const chaosPipeline: PipelineDefinition = definePipeline({
  name: CHAOS_PIPELINE_NAME,
  description:
    'Reliability workload: a draft (retried once), a review, and a publish that only follows a clean review',
  steps: [
    {
      id: 'draft',
      kind: 'agent',
      agent: '{{input.drafter}}',
      message: 'step draft of {{pipeline.workflowId}}',
      retry: { maximumAttempts: 2, initialInterval: '100ms' },
    },
    {
      id: 'review',
      kind: 'agent',
      agent: '{{input.reviewer}}',
      after: ['draft'],
      message: 'step review of {{pipeline.workflowId}}',
      // A review whose outcome is `fail` fails the pipeline; a `partial` one only holds back the publish.
      failOn: ['fail', 'failed'],
    },
    {
      id: 'publish',
      kind: 'agent',
      agent: '{{input.publisher}}',
      after: ['review'],
      when: { step: 'review', outcome: 'success' },
      message: 'step publish of {{pipeline.workflowId}}',
    },
  ],
});

/** What an agent's every run does. `flaky` fails its first run and succeeds from then on. */
export type AgentKind = 'success' | 'partial' | 'failOutcome' | 'error' | 'flaky';

export function agentScript(kind: AgentKind, durationMs: number): RunBehaviourInput[] {
  switch (kind) {
    case 'success':
      return [{ durationMs, result: 'completed', outcome: 'success' }];
    case 'partial':
      return [{ durationMs, result: 'completed', outcome: 'partial' }];
    case 'failOutcome':
      return [{ durationMs, result: 'completed', outcome: 'fail' }];
    case 'error':
      return [{ durationMs, result: 'failed' }];
    case 'flaky':
      return [
        { durationMs, result: 'failed' },
        { durationMs, result: 'completed', outcome: 'success' },
      ];
  }
}

export interface ChaosCase {
  drafter: AgentKind;
  reviewer: Exclude<AgentKind, 'flaky'>;
}

/** Mostly clean pipelines, with each way of ending represented; pipeline i takes case i mod length. */
export const CHAOS_CASES: readonly ChaosCase[] = [
  { drafter: 'success', reviewer: 'success' },
  { drafter: 'flaky', reviewer: 'success' },
  { drafter: 'success', reviewer: 'success' },
  { drafter: 'success', reviewer: 'partial' },
  { drafter: 'success', reviewer: 'success' },
  { drafter: 'error', reviewer: 'success' },
  { drafter: 'success', reviewer: 'success' },
  { drafter: 'flaky', reviewer: 'partial' },
  { drafter: 'success', reviewer: 'failOutcome' },
  { drafter: 'success', reviewer: 'success' },
];

export interface ExpectedStep {
  status: StepStatus;
  /** Twin runs the step must have started: exactly one per attempt. */
  runs: number;
}

export interface ExpectedPipeline {
  status: 'succeeded' | 'failed';
  failedStep?: ChaosStep;
  steps: Record<ChaosStep, ExpectedStep>;
}

const SKIPPED: ExpectedStep = { status: 'skipped', runs: 0 };

/** The end state the agents' scripts imply, derived independently of the interpreter's code. */
export function expectedEnd(chaosCase: ChaosCase): ExpectedPipeline {
  const draftRuns = chaosCase.drafter === 'success' ? 1 : 2;
  if (chaosCase.drafter === 'error') {
    return {
      status: 'failed',
      failedStep: 'draft',
      steps: { draft: { status: 'failed', runs: 2 }, review: SKIPPED, publish: SKIPPED },
    };
  }
  const draft: ExpectedStep = { status: 'succeeded', runs: draftRuns };
  switch (chaosCase.reviewer) {
    case 'success':
      return {
        status: 'succeeded',
        steps: { draft, review: { status: 'succeeded', runs: 1 }, publish: { status: 'succeeded', runs: 1 } },
      };
    case 'partial':
      return {
        status: 'succeeded',
        steps: { draft, review: { status: 'succeeded', runs: 1 }, publish: SKIPPED },
      };
    case 'failOutcome':
    case 'error':
      return {
        status: 'failed',
        failedStep: 'review',
        steps: { draft, review: { status: 'failed', runs: 1 }, publish: SKIPPED },
      };
  }
}

export interface PlannedPipeline {
  key: string;
  workflowId: string;
  chaosCase: ChaosCase;
  input: { drafter: string; reviewer: string; publisher: string };
  expected: ExpectedPipeline;
}

/** Twin runs the whole plan must start, the sum over pipelines and steps. */
export function expectedRunCount(plan: readonly PlannedPipeline[]): number {
  return plan.reduce(
    (sum, p) => sum + CHAOS_STEPS.reduce((s, step) => s + p.expected.steps[step].runs, 0),
    0,
  );
}
