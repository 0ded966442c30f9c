// The pipeline interpreter's contract: its workflow ID, input and state, and the query, signals and update that
// reach it. The control layer, the CLI and the trigger activities import this, never the body
// (workflows/pipeline.ts); only the worker's bundle entry names the body.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PipelineDefinition, StepState } from './pipeline-definition.js';

/** Workflow type of the pipeline interpreter, for clients that start it without importing its body. */
export const PIPELINE_WORKFLOW_TYPE = 'pipelineWorkflow';

/** The interpreter's signature, so a client typed by name gets its input and result checked. */
export type PipelineWorkflow = (input: PipelineWorkflowInput) => Promise<PipelineState>;

/** Where a pipeline run stands; `TwinflowStatus` in the Web UI. */
export const PIPELINE_STATUSES = ['running', 'waiting_approval', 'succeeded', 'failed', 'cancelled'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** Workflow IDs of pipeline runs start with this. */
export const PIPELINE_ID_PREFIX = 'pipeline/';

/** `pipeline/<name>/<key>`: readable, and the same key always names the same pipeline run. */
export function pipelineWorkflowId(name: string, key: string): string {
  return `${PIPELINE_ID_PREFIX}${name}/${key}`;
}

/** The key of a pipeline a Twin run's end triggered: one event starts a given pipeline at most once. */
export function triggerKey(runId: string): string {
  return `trigger-${runId}`;
}

/** What the interpreter is started with. */
export interface PipelineWorkflowInput {
  /** Validated by the registry before start; travels whole so the history replays on its own. */
  definition: PipelineDefinition;
  input: Record<string, unknown>;
  /** Set by continue-as-new only. */
  carried?: PipelineState;
  /** Set by a rerun: the run it repeats, and the settled steps of that run whose results are taken as they are. */
  rerun?: PipelineRerun;
}

/** A rerun of an earlier pipeline run. */
export interface PipelineRerun {
  of: string;
  /** Each keeps its status, run IDs and outputs; none of their agents runs again. */
  reused: StepState[];
}

/** Everything a pipeline run shows: its query answer, its result, and a failure's details. */
export interface PipelineState {
  name: string;
  workflowId: string;
  status: PipelineStatus;
  paused: boolean;
  startedAt: string;
  finishedAt?: string;
  /** In definition order. */
  steps: StepState[];
  /** Every agent the pipeline has addressed (runs, schedules, instructions). */
  agentIds: string[];
  failedStep?: string;
  error?: string;
  continuedAsNew: number;
  /** The workflow ID of the run this one reran. */
  rerunOf?: string;
}

/** A human's answer to an approval step. */
export interface ApprovalDecision {
  stepId: string;
  approved: boolean;
  /** Who decided, for the record; free text. */
  by?: string;
  comment?: string;
}

/** The pipeline's state as it stands. */
export const pipelineStateQuery = defineQuery<PipelineState>('pipelineState');
/** Holds back new steps; steps in flight go on. */
export const pausePipelineSignal = defineSignal('pausePipeline');
/** Lets a paused pipeline start steps again. */
export const resumePipelineSignal = defineSignal('resumePipeline');
/** Fire-and-forget approval: a decision for a step that is not waiting is logged and dropped. */
export const approveStepSignal = defineSignal<[ApprovalDecision]>('approveStep');
/** Approval that answers: rejected unless the step is waiting; completes once the step has settled. */
export const approveStepUpdate = defineUpdate<StepState, [ApprovalDecision]>('approveStepUpdate');

/** ApplicationFailure type of a failed pipeline; details[0] is the final PipelineState. */
export const PIPELINE_FAILED = 'PipelineFailed';
/** ApplicationFailure type of a pipeline started with a definition that does not validate. */
export const INVALID_PIPELINE = 'InvalidPipelineDefinition';
