// Rerunning a finished pipeline run: a new run (a new key) with the original's input, linked to it by memo and
// state. `from` names the first step to run again: every step that neither is it nor depends on it, and that had
// succeeded or been skipped, keeps its recorded result, because agent runs cost money and act in the world.
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { PipelineDefinition } from '../../workflows/pipeline-definition.js';
import {
  pipelineWorkflowId,
  type PipelineWorkflow,
  type PipelineWorkflowInput,
} from '../../workflows/pipeline-api.js';
import { InvalidControlRequestError, PipelineConflictError, UnknownStepError } from './errors.js';
import {
  finalState,
  startValidatedPipeline,
  temporalCall,
  type ControlDeps,
  type PipelineRef,
} from './pipelines.js';
import type { StartedPipeline } from '../pipelines/start.js';

export interface RerunRequest {
  /** The first step to run again; without it, every step runs again. */
  from?: string;
  /** The new run's key; default `<original key>-rerun-<8 hex>`. */
  key?: string;
}

export interface StartedRerun extends StartedPipeline {
  rerunOf: string;
  /** Steps whose recorded results the new run took over. */
  reused: string[];
}

export async function rerunPipeline(
  deps: ControlDeps,
  ref: PipelineRef,
  request: RerunRequest = {},
): Promise<StartedRerun> {
  const pipeline = deps.registry.require(ref.name);
  const of = pipelineWorkflowId(ref.name, ref.key);
  const handle = deps.client.workflow.getHandle<PipelineWorkflow>(of);
  const description = await temporalCall(deps, of, () => handle.describe());
  if (description.status.name === 'RUNNING') {
    throw new PipelineConflictError(
      `pipeline run ${of} is still running: wait for it to end or cancel it first`,
    );
  }
  const input = await temporalCall(deps, of, () => originalInput(deps, of));
  const key = request.key ?? `${ref.key}-rerun-${randomUUID().slice(0, 8)}`;
  if (pipeline.kind === 'code') {
    if (request.from)
      throw new InvalidControlRequestError(
        `pipeline "${ref.name}" is written as code: it has no steps to rerun from`,
      );
    return {
      ...(await startValidatedPipeline(deps, { name: ref.name, key, input })),
      rerunOf: of,
      reused: [],
    };
  }
  const again = request.from ? stepsFrom(pipeline.definition, request.from) : undefined;
  const previous = again ? await finalState(handle) : undefined;
  const reused = (previous?.steps ?? []).filter(
    (step) => again && !again.has(step.id) && (step.status === 'succeeded' || step.status === 'skipped'),
  );
  const started = await startValidatedPipeline(deps, {
    name: ref.name,
    key,
    input,
    rerun: { of, reused },
  });
  return { ...started, rerunOf: of, reused: reused.map((step) => step.id) };
}

/** `from` and every step that depends on it, directly or through others. */
export function stepsFrom(definition: PipelineDefinition, from: string): Set<string> {
  if (!definition.steps.some((step) => step.id === from)) throw new UnknownStepError(definition.name, from);
  const again = new Set([from]);
  for (let grew = true; grew;) {
    grew = false;
    for (const step of definition.steps) {
      if (again.has(step.id) || !(step.after ?? []).some((dep) => again.has(dep))) continue;
      again.add(step.id);
      grew = true;
    }
  }
  return again;
}

/** The input is in the first event of the run's latest execution: continue-as-new carries the same input on. */
async function originalInput(deps: ControlDeps, workflowId: string): Promise<PipelineWorkflowInput['input']> {
  const { history } = await deps.client.workflowService.getWorkflowExecutionHistory({
    namespace: deps.client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload)
    throw new PipelineConflictError(`pipeline run ${workflowId} has no recorded input to rerun with`);
  const args = defaultPayloadConverter.fromPayload<PipelineWorkflowInput | PipelineWorkflowInput['input']>(
    payload,
  );
  return 'definition' in args && 'input' in args ? (args as PipelineWorkflowInput).input : args;
}
