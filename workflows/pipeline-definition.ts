// The pipeline definition API: plain, JSON-serialisable data (steps that reference agents, dependencies,
// conditions, templates, per-step policies, triggers) and the step state the interpreter keeps. A definition
// travels as workflow input, so history is self-contained and replayable. Its checks are in
// pipeline-validation.ts, its scheduling rules in pipeline-scheduling.ts. Pure and deterministic: no zod, no I/O,
// so the workflow sandbox and Node share these files.
import type { Duration } from '@temporalio/common';
import type { RunOutcome } from '../providers/twin/vocabulary/run-status.js';
import type { AttemptRecord } from '../providers/twin/workflows/agent-run-api.js';
import type { ProviderEventType, ProviderName } from './provider-event-api.js';
import type { ProviderStep } from './providers.js';

// The providers' step kinds are declared in their folders; this module, the definition API's one home, names
// them all.
export type { Duration } from '@temporalio/common';
export type { FailureKind, RetryPolicy } from '../providers/twin/workflows/agent-retry.js';
export type {
  AgentStep,
  InstructionsStep,
  RescheduleStep,
  ScheduleAction,
  TwinStep,
} from '../providers/twin/workflows/twin-definition.js';
export { SCHEDULE_ACTIONS } from '../providers/twin/workflows/twin-definition.js';
export type {
  TwinAiAskStep,
  TwinAiKbStep,
  TwinAiResolveEscalationStep,
  TwinAiStep,
} from '../providers/twin-ai/workflows/twin-ai-definition.js';
export type {
  TwigKbStep,
  TwigQueryStep,
  TwigStep,
  TwigSyncStep,
} from '../providers/twig/workflows/twig-definition.js';
export type { SessionStep } from '../providers/managed-agents/workflows/session-definition.js';
export type { ProviderStep } from './providers.js';

export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
/** Where a step stands in a pipeline run. */
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * Fields of an earlier step a template may read: `{{steps.<id>.<field>}}`, and `{{steps.<id>.json.<path>}}` into
 * an output that is JSON.
 */
export const STEP_OUTPUT_FIELDS = [
  'status',
  'outcome',
  'output',
  'json',
  'reason',
  'summary',
  'runId',
  'agentId',
  'attempts',
  'decidedBy',
  'comment',
  'error',
  'sessionId',
  'sessionStatus',
  'eventCount',
  'confidence',
  'shouldEscalate',
  'escalateReason',
  'sources',
  'documentId',
  'escalationId',
  'interactionId',
  'articleId',
] as const;
/** Fields of the pipeline itself: `{{pipeline.<field>}}`. */
export const PIPELINE_FIELDS = ['name', 'workflowId'] as const;
/** Fields of the Twin run that fired a trigger, for the trigger's input mapping: `{{event.<field>}}`. */
export const EVENT_FIELDS = [
  'runId',
  'agentId',
  'status',
  'outcome',
  'output',
  'summary',
  'finishedAt',
] as const;

export const TRIGGER_EVENTS = ['run.completed', 'run.failed', 'run.stopped'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/**
 * What a failed step does to the pipeline: `fail` (default) stops starting steps, cancels the ones in flight
 * and fails the pipeline; `continue` lets independent branches go on (dependants without an explicit `when`
 * are skipped); `compensate` runs the named compensation step first, then fails or continues.
 */
export type FailurePolicy = 'fail' | 'continue' | { compensate: string; then?: 'fail' | 'continue' };

/** Bounds on a Twin.ai answer's confidence: `below` is strict, `atLeast` inclusive, so the two are complements. */
export interface ConfidenceBounds {
  below?: number;
  atLeast?: number;
}

/**
 * A condition over earlier steps. `{step, outcome}` / `{step, status}` test one step; several given = all hold.
 * `shouldEscalate` and `confidence` test the answer of a `twinai.ask` step (a step with no answer never matches).
 */
export type Condition =
  | {
      step: string;
      outcome?: RunOutcome | RunOutcome[];
      status?: StepStatus | StepStatus[];
      shouldEscalate?: boolean;
      confidence?: ConfidenceBounds;
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Fields every step has (exported for step kinds declared in files of their own, such as twig-definition.ts). */
export interface StepBase {
  /** Unique within the pipeline; appears in templates, conditions, status and run markers. */
  id: string;
  description?: string;
  /** Steps that must be settled first. Several = fan-in; several steps after one = fan-out. */
  after?: string[];
  /** Without it a step runs when no dependency failed (skipped dependencies are fine). */
  when?: Condition;
  onFailure?: FailurePolicy;
  /** Agent and approval steps: the whole step, all attempts included. Admin steps: the activity's schedule-to-close. */
  timeout?: Duration;
}

/** A durable timer: exactly one of `duration` or `until` (an ISO-8601 time, may be a template). */
export interface WaitStep extends StepBase {
  kind: 'wait';
  duration?: Duration;
  until?: string;
}

/** Waits for a human to approve or reject through the control API; `timeout` then `onTimeout` (default reject). */
export interface ApprovalStep extends StepBase {
  kind: 'approval';
  prompt?: string;
  onTimeout?: 'approve' | 'reject';
}

/** The interpreter's own kinds, `wait` and `approval`, and every kind a provider registers (workflows/providers.ts). */
export type StepDefinition = WaitStep | ApprovalStep | ProviderStep;
export type StepKind = StepDefinition['kind'];

/** A Twin event that starts this pipeline, including runs twinflow did not start (schedules, the Twin UI). */
export interface TwinRunTrigger {
  event: TriggerEvent;
  /** Literal agent ID: events are matched against it. */
  agent: string;
  /** Only for `run.completed`; an outcome twinflow could not learn is `unknown` and matches only that word. */
  outcome?: RunOutcome | RunOutcome[];
  /** Pipeline input built from the event: values are templates over `{{event.*}}`. */
  input?: Record<string, string>;
}

/** A signed Twin.ai or Twig webhook event that starts this pipeline (docs/webhooks.md); `provider` tells it apart. */
export type ProviderTrigger = {
  [P in ProviderName]: {
    provider: P;
    event: ProviderEventType<P>;
    /** Pipeline input built from the event: values are templates over the payload, `{{event.*}}`. */
    input?: Record<string, string>;
  };
}[ProviderName];

export type PipelineTrigger = TwinRunTrigger | ProviderTrigger;

export interface PipelineOptions {
  /** Continue-as-new after this many steps have settled in one run (history stays bounded); default 100. */
  continueAsNewAfterSteps?: number;
}

export interface PipelineDefinition {
  /** Lower-case words and dashes: it is part of workflow IDs and the TwinflowPipeline search attribute. */
  name: string;
  description?: string;
  steps: StepDefinition[];
  triggers?: PipelineTrigger[];
  options?: PipelineOptions;
}

/** Typed identity for editors, checked at load. Not generic: a type parameter would accept `afterr: [...]`. */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  return definition;
}

/** A problem a definition check found, naming its step where it has one. */
export interface DefinitionProblem {
  step?: string;
  message: string;
}

/** One event of a session in a step's live view: its ID, type and a one-line rendering. */
export interface SessionEventLine {
  id: string;
  type: string;
  text: string;
}

/** How a step ended, as a step kind's runner reports it to the interpreter. */
export type StepResult = Partial<Omit<StepState, 'id' | 'kind' | 'status'>> & {
  status: 'succeeded' | 'failed' | 'cancelled';
};

/** A step's state in a pipeline run: what the scheduling rules, templates, status and results read. */
export interface StepState {
  id: string;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  runIds: string[];
  /** Agent steps: the agent ID the step's `agent` template rendered to, once the step has started. */
  agentId?: string;
  runId?: string;
  runStatus?: 'completed' | 'failed' | 'stopped';
  outcome?: RunOutcome;
  /** Only where Twin serves one: no current document promises it. */
  summary?: string;
  /** The agent's final answer (its last message event); absent when no event carried one. */
  output?: string;
  /** `output` parsed, when it is a JSON object or array. */
  json?: unknown;
  outputTruncated?: boolean;
  /** Why the last run failed or stopped, as its events say. */
  reason?: string;
  /** Every attempt's run as it ended, with its start resolution. */
  runs?: AttemptRecord[];
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
  /** Approval steps: the rendered prompt, who decided (or `timeout`) and their comment. */
  prompt?: string;
  decidedBy?: string;
  comment?: string;
  /** Session steps: the session, its status when the step settled, and the events this step followed. */
  sessionId?: string;
  sessionStatus?: string;
  eventCount?: number;
  /** Session steps: the last event this step recorded, where a later turn's events begin. */
  lastEventId?: string;
  /** `twig.sync` steps, while running: the last progress Twig reported (status readers fill it from the heartbeat). */
  syncProgress?: { status?: string; percent?: number };
  /** Session steps, while running: the latest events, for live views. */
  latestEvents?: SessionEventLine[];
  /** Twin.ai asks: the answer's confidence (0-1), whether it escalated and why, and the KB titles it drew on. */
  confidence?: number;
  shouldEscalate?: boolean;
  escalateReason?: string;
  sources?: string[];
  /** Twin.ai: the knowledge-base document a `twinai.kb` step added or deleted. */
  documentId?: string;
  /** Twin.ai: the escalation an ask opened (when Twin.ai's list shows it) or a step resolved. */
  escalationId?: string;
  /** Twig queries: the interaction Twig recorded (`metadata.interaction_id`). */
  interactionId?: string;
  /** Twig: the knowledge-base article a `twig.kb` step created or updated. */
  articleId?: string;
  /** Set on a compensation step: the step whose failure ran it. */
  compensating?: string;
  /** Set when a rerun took this step's recorded result from that pipeline run (its workflow ID) instead of running it. */
  reusedFrom?: string;
}
