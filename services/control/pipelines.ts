// Control functions for pipelines, shared by the CLI and the HTTP control API: start (idempotent per key),
// cancel, pause, resume, approve, status and list. Each takes a Temporal Client and the registry, and throws a
// typed error the callers map to exit codes or HTTP statuses. Workflow IDs are `pipeline/<name>/<key>`, so the
// same key always reaches the same run.
import { withActivityProgress } from './activity-progress.js';
import { randomUUID } from 'node:crypto';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { StepState } from '../../workflows/pipeline-definition.js';
import {
  type ApprovalDecision,
  approveStepUpdate,
  pausePipelineSignal,
  PIPELINE_STATUSES,
  type PipelineWorkflow,
  type PipelineState,
  pipelineStateQuery,
  type PipelineStatus,
  pipelineWorkflowId,
  resumePipelineSignal,
} from '../../workflows/pipeline-api.js';
import {
  AgentIdsKey,
  PipelineNameKey,
  PipelineStatusKey,
  RunIdsKey,
} from '../../workflows/search-attributes.js';
import type { AnyPipeline, PipelineRegistry } from '../pipelines/registry.js';
import { startPipelineRun, type PipelineStartRequest, type StartedPipeline } from '../pipelines/start.js';
import {
  GRPC,
  InvalidControlRequestError,
  isGrpcCode,
  isUnavailable,
  PipelineConflictError,
  PipelineRunEndedError,
  PipelineRunNotFoundError,
  TemporalUnavailableError,
  UnknownStepError,
} from './errors.js';

export {
  InvalidControlRequestError,
  PipelineConflictError,
  PipelineRunEndedError,
  PipelineRunNotFoundError,
  TemporalUnavailableError,
  UnknownStepError,
} from './errors.js';

export interface ControlDeps {
  client: Client;
  registry: PipelineRegistry;
  /** Where pipeline workflows run: the worker's TEMPORAL_TASK_QUEUE. */
  taskQueue: string;
  /** Bound on each call to Temporal, so an unreachable server is an answer, not a hang; default 10 s. */
  callTimeoutMs?: number;
  /** Bound on a status query, which waits for a worker to answer; default 5 s. */
  queryTimeoutMs?: number;
}

export interface PipelineRef {
  name: string;
  key: string;
}

/** Idempotency keys become part of workflow IDs: plain, and long enough for `trigger-<Twin run ID>`. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,299}$/;

/** Bounds the call and translates Temporal's errors into this module's, so callers see one vocabulary. */
export async function temporalCall<T>(
  deps: ControlDeps,
  workflowId: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = new Date(Date.now() + (deps.callTimeoutMs ?? 10_000));
  try {
    return await deps.client.connection.withDeadline(deadline, async () => {
      try {
        return await call();
      } catch (error) {
        if (!workflowId || !isNotFound(error)) throw error;
        throw await whyNotFound(deps, workflowId, error);
      }
    });
  } catch (error) {
    if (isUnavailable(error)) throw new TemporalUnavailableError({ cause: error });
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError || isGrpcCode(error, GRPC.NOT_FOUND);
}

/**
 * Temporal says "not found" both for an ID it never saw and for a signal or update sent to a run that has
 * closed. Describing the workflow tells the two apart.
 */
async function whyNotFound(deps: ControlDeps, workflowId: string, original: unknown): Promise<Error> {
  try {
    const description = await deps.client.workflow.getHandle(workflowId).describe();
    if (description.status.name === 'RUNNING') return original as Error;
    return ended(workflowId, description);
  } catch (error) {
    if (isNotFound(error)) return new PipelineRunNotFoundError(workflowId);
    throw error;
  }
}

function ended(
  workflowId: string,
  description: Pick<WorkflowExecutionDescription, 'status' | 'typedSearchAttributes'>,
): PipelineRunEndedError {
  const status = description.typedSearchAttributes.get(PipelineStatusKey);
  return new PipelineRunEndedError(workflowId, status ?? description.status.name.toLowerCase());
}

function refWorkflowId(deps: ControlDeps, ref: PipelineRef): string {
  deps.registry.require(ref.name);
  if (!IDEMPOTENCY_KEY.test(ref.key))
    throw new InvalidControlRequestError(`"${ref.key}" is not a valid pipeline run key`);
  return pipelineWorkflowId(ref.name, ref.key);
}

export interface StartPipelineRequest {
  name: string;
  input?: unknown;
  /** Same key, same run: a second start returns the first one. Default: a fresh UUID. */
  idempotencyKey?: string;
}

/** Pipeline input travels in the workflow input next to the definition: well under Temporal's 2 MB payload limit. */
export const MAX_PIPELINE_INPUT_BYTES = 256 * 1024;

export async function startPipeline(
  deps: ControlDeps,
  request: StartPipelineRequest,
): Promise<StartedPipeline> {
  const pipeline = deps.registry.require(request.name);
  const key = request.idempotencyKey ?? randomUUID();
  if (!IDEMPOTENCY_KEY.test(key))
    throw new InvalidControlRequestError(`idempotency key "${key}" must match ${IDEMPOTENCY_KEY}`);
  const input = pipeline.parseInput(request.input ?? {});
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > MAX_PIPELINE_INPUT_BYTES) {
    throw new InvalidControlRequestError(
      `pipeline input is ${bytes} bytes; at most ${MAX_PIPELINE_INPUT_BYTES} are accepted`,
    );
  }
  return startValidatedPipeline(deps, { name: pipeline.name, key, input });
}

/** The start itself (services/pipelines/start.ts), bounded, and with Temporal's errors in this module's words. */
export async function startValidatedPipeline(
  deps: ControlDeps,
  request: PipelineStartRequest,
): Promise<StartedPipeline> {
  return temporalCall(deps, pipelineWorkflowId(request.name, request.key), () =>
    startPipelineRun(deps, request),
  );
}

/** Pause, resume and approvals are the interpreter's; a workflow written as code has no handlers for them. */
function requireDeclared(deps: ControlDeps, name: string, what: string) {
  const pipeline = deps.registry.require(name);
  if (pipeline.kind === 'code') {
    throw new InvalidControlRequestError(
      `pipeline "${name}" is written as code (workflow ${pipeline.workflowType}) and cannot ${what}; cancel it instead`,
    );
  }
  return pipeline;
}

/**
 * Cancels the workflow; every in-flight step stops its Twin run before the pipeline records "cancelled". The
 * reason, if any, is recorded in the history (the Web UI shows it), which the SDK's handle.cancel() cannot do.
 */
export async function cancelPipeline(
  deps: ControlDeps,
  ref: PipelineRef,
  options: { reason?: string } = {},
): Promise<void> {
  const workflowId = refWorkflowId(deps, ref);
  await temporalCall(deps, workflowId, async () => {
    // Temporal accepts a cancel request for a closed run as a no-op: say so instead.
    const description = await deps.client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') throw ended(workflowId, description);
    await deps.client.workflowService.requestCancelWorkflowExecution({
      namespace: deps.client.options.namespace,
      workflowExecution: { workflowId },
      identity: deps.client.options.identity,
      requestId: randomUUID(),
      reason: options.reason,
    });
  });
}

/** No new step starts until resumed; steps already running finish. */
export async function pausePipeline(deps: ControlDeps, ref: PipelineRef): Promise<void> {
  const workflowId = refWorkflowId(deps, ref);
  requireDeclared(deps, ref.name, 'be paused');
  await temporalCall(deps, workflowId, () =>
    deps.client.workflow.getHandle(workflowId).signal(pausePipelineSignal),
  );
}

export async function resumePipeline(deps: ControlDeps, ref: PipelineRef): Promise<void> {
  const workflowId = refWorkflowId(deps, ref);
  requireDeclared(deps, ref.name, 'be paused or resumed');
  await temporalCall(deps, workflowId, () =>
    deps.client.workflow.getHandle(workflowId).signal(resumePipelineSignal),
  );
}

export type ApproveStepRequest = ApprovalDecision;

/** Returns the approval step once it has settled; PipelineConflictError if the step is not waiting. */
export async function approveStep(
  deps: ControlDeps,
  ref: PipelineRef,
  decision: ApproveStepRequest,
): Promise<StepState> {
  const workflowId = refWorkflowId(deps, ref);
  const { definition } = requireDeclared(deps, ref.name, 'take approvals');
  if (!definition.steps.some((s) => s.id === decision.stepId))
    throw new UnknownStepError(ref.name, decision.stepId);
  return temporalCall(deps, workflowId, async () => {
    try {
      return await deps.client.workflow
        .getHandle(workflowId)
        .executeUpdate(approveStepUpdate, { args: [decision] });
    } catch (error) {
      // The workflow's validator refused it: not an approval step, or not waiting (it says which).
      if (error instanceof WorkflowUpdateFailedError)
        throw new PipelineConflictError(error.cause?.message ?? error.message);
      throw error;
    }
  });
}

export interface PipelineRunStatus {
  workflowId: string;
  name: string;
  key: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT. */
  execution: string;
  startTime: string;
  closeTime?: string;
  /** `code`: a pipeline written as a workflow function, which has no step state to show. */
  kind: AnyPipeline['kind'];
  /** The TwinflowStatus search attribute: the only status a pipeline written as code reports. */
  status?: string;
  /** Twin runs the pipeline started (search attribute; the complete list is in `state`). */
  runIds: string[];
  /** Why it was cancelled, as `cancel --reason` recorded it in the history. */
  cancelReason?: string;
  /** The pipeline's own view: each step's state, run IDs, attempts and durations. */
  state?: PipelineState;
}

export async function getPipelineStatus(deps: ControlDeps, ref: PipelineRef): Promise<PipelineRunStatus> {
  const workflowId = refWorkflowId(deps, ref);
  return temporalCall(deps, workflowId, async () => {
    const { kind } = deps.registry.require(ref.name);
    const handle = deps.client.workflow.getHandle<PipelineWorkflow>(workflowId);
    const description = await handle.describe();
    const execution = description.status.name;
    const attributes = description.typedSearchAttributes;
    return {
      workflowId,
      name: ref.name,
      key: ref.key,
      execution,
      startTime: description.startTime.toISOString(),
      closeTime: description.closeTime?.toISOString(),
      kind,
      status: settledStatus(execution, attributes.get(PipelineStatusKey)),
      runIds: attributes.get(RunIdsKey) ?? [],
      cancelReason: execution === 'CANCELLED' ? await cancelReason(deps, description) : undefined,
      state:
        kind === 'declared'
          ? withActivityProgress(await pipelineState(deps, handle, execution), description)
          : undefined,
    };
  });
}

/**
 * The live query when a worker answers in time. A closed run's final state is also in its result (or its
 * failure's details), which needs no worker; a cancelled run has neither, so it falls back to the query.
 */
async function pipelineState(
  deps: ControlDeps,
  handle: WorkflowHandle<PipelineWorkflow>,
  execution: string,
): Promise<PipelineState | undefined> {
  if (execution !== 'RUNNING') {
    const final = await finalState(handle);
    if (final) return final;
  }
  const deadline = new Date(Date.now() + (deps.queryTimeoutMs ?? 5_000));
  try {
    return await deps.client.connection.withDeadline(deadline, () => handle.query(pipelineStateQuery));
  } catch (error) {
    // No worker answered in time; the deadline surfaces as CANCELLED from grpc-js, not only DEADLINE_EXCEEDED.
    if (isUnavailable(error) || Date.now() >= deadline.getTime()) return undefined;
    throw error;
  }
}

/** The cancel request is among the last events of a cancelled run: one page read backwards finds it. */
async function cancelReason(
  deps: ControlDeps,
  { workflowId, runId }: Pick<WorkflowExecutionDescription, 'workflowId' | 'runId'>,
): Promise<string | undefined> {
  const { history } = await deps.client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: deps.client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 50,
  });
  const request = history?.events?.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
  return request?.workflowExecutionCancelRequestedEventAttributes?.cause || undefined;
}

export async function finalState(
  handle: WorkflowHandle<PipelineWorkflow>,
): Promise<PipelineState | undefined> {
  try {
    return await handle.result();
  } catch (error) {
    return failedPipelineState(error);
  }
}

/** The final state a failed pipeline carries on its failure (PIPELINE_FAILED's details[0]), if `error` is one. */
export function failedPipelineState(error: unknown): PipelineState | undefined {
  const failure = error instanceof WorkflowFailedError ? error.cause : undefined;
  return failure instanceof ApplicationFailure
    ? (failure.details?.[0] as PipelineState | undefined)
    : undefined;
}

export interface ListPipelinesFilter {
  pipeline?: string;
  status?: PipelineStatus;
  agentId?: string;
  /** Default 50, at most 1,000. */
  limit?: number;
}

export interface PipelineRunSummary {
  workflowId: string;
  pipeline?: string;
  status?: string;
  execution: string;
  startTime: string;
  closeTime?: string;
  agentIds: string[];
  runIds: string[];
}

/** Values in a visibility query are quoted; these patterns keep quotes and operators out of them. */
const SAFE_QUERY_VALUE = /^[A-Za-z0-9._:-]{1,256}$/;

/** Visibility query over the search attributes the pipeline workflow sets. */
export function pipelineListQuery(filter: ListPipelinesFilter): string {
  const clauses = [`WorkflowId STARTS_WITH "pipeline/"`];
  const add = (field: string, value: string | undefined) => {
    if (value === undefined) return;
    if (!SAFE_QUERY_VALUE.test(value))
      throw new InvalidControlRequestError(`${field} "${value}" contains characters a filter cannot take`);
    clauses.push(`${field} = "${value}"`);
  };
  if (filter.status !== undefined && !PIPELINE_STATUSES.includes(filter.status)) {
    throw new InvalidControlRequestError(`status must be one of ${PIPELINE_STATUSES.join(', ')}`);
  }
  add(PipelineNameKey.name, filter.pipeline);
  add(PipelineStatusKey.name, filter.status);
  add(AgentIdsKey.name, filter.agentId);
  return clauses.join(' AND ');
}

export async function listPipelines(
  deps: ControlDeps,
  filter: ListPipelinesFilter = {},
): Promise<PipelineRunSummary[]> {
  const query = pipelineListQuery(filter);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1_000);
  return temporalCall(deps, undefined, async () => {
    const runs: PipelineRunSummary[] = [];
    for await (const info of deps.client.workflow.list({ query, pageSize: limit })) {
      runs.push(summarise(info));
      if (runs.length >= limit) break;
    }
    return runs;
  });
}

/** How each way a workflow can close reads as a pipeline status. */
const CLOSED_AS: Record<string, PipelineStatus> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  TERMINATED: 'failed',
  CANCELLED: 'cancelled',
};

/**
 * A start marks every pipeline `running`; a code-first workflow that never publishes its own status (it need
 * not use createPipelineVisibility) would stay `running` after it closed. Its close then says how it ended.
 */
function settledStatus(execution: string, published: string | undefined): string | undefined {
  const closed = CLOSED_AS[execution];
  return closed && (published === undefined || published === 'running') ? closed : published;
}

function summarise(info: WorkflowExecutionInfo): PipelineRunSummary {
  const attributes = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    pipeline: attributes.get(PipelineNameKey),
    status: settledStatus(info.status.name, attributes.get(PipelineStatusKey)),
    execution: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
    agentIds: attributes.get(AgentIdsKey) ?? [],
    runIds: attributes.get(RunIdsKey) ?? [],
  };
}
