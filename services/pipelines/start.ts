// Starting a registered pipeline's run once its input is checked: the one raw start that the control layer (CLI,
// HTTP) and the trigger activities share. It lives next to the registry, below both, so activities never import
// the control layer.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  PIPELINE_WORKFLOW_TYPE,
  pipelineWorkflowId,
  type PipelineRerun,
} from '../../workflows/pipeline-api.js';
import { PipelineNameKey, PipelineStatusKey } from '../../workflows/search-attributes.js';
import type { AnyPipeline, PipelineInput, PipelineRegistry } from './registry.js';

/** What a start needs: a client, the registry that knows the pipeline, and the worker's task queue. */
export interface PipelineStartDeps {
  client: Client;
  registry: PipelineRegistry;
  /** Where pipeline workflows run: the worker's TEMPORAL_TASK_QUEUE. */
  taskQueue: string;
}

/** A start of a registered pipeline under its run key, with input already parsed by the pipeline. */
export interface PipelineStartRequest {
  name: string;
  key: string;
  input: PipelineInput;
  rerun?: PipelineRerun;
}

/** What a start did: started a run, or found the one the key had already started. */
export interface StartedPipeline {
  workflowId: string;
  key: string;
  /** The run ID of the execution started (or, for a repeated key, of the current one). */
  runId: string;
  /** False when the key had already started this pipeline: nothing new was started. */
  started: boolean;
  /** For a repeated key: how that run stands (Temporal's status, and the pipeline's where it set one). */
  existing?: { execution: string; status?: string };
}

/**
 * Starts with REJECT_DUPLICATE: even a finished run keeps its ID, so a retried start (or a repeated trigger)
 * never runs the pipeline twice. "Already started" is an answer, not an error.
 */
export async function startPipelineRun(
  deps: PipelineStartDeps,
  { name, key, input, rerun }: PipelineStartRequest,
): Promise<StartedPipeline> {
  const pipeline = deps.registry.require(name);
  const workflowId = pipelineWorkflowId(name, key);
  try {
    const handle = await deps.client.workflow.start(workflowTypeOf(pipeline), {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [
        pipeline.kind === 'code'
          ? input
          : { definition: pipeline.definition, input, ...(rerun && { rerun }) },
      ],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // The Web UI shows the memo on the run's page: a rerun names the run it repeats.
      ...(rerun && { memo: { rerunOf: rerun.of } }),
      // Visible to list filters at once, before the first workflow task runs.
      typedSearchAttributes: [
        { key: PipelineNameKey, value: name },
        { key: PipelineStatusKey, value: 'running' },
      ],
      staticSummary: `pipeline ${name} (${key})`,
    });
    return { workflowId, key, runId: handle.firstExecutionRunId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const description = await deps.client.workflow.getHandle(workflowId).describe();
    const existing = {
      execution: description.status.name,
      status: description.typedSearchAttributes.get(PipelineStatusKey),
    };
    return { workflowId, key, runId: description.runId, started: false, existing };
  }
}

/** The interpreter for a declared pipeline; the pipeline's own workflow function for one written as code. */
function workflowTypeOf(pipeline: AnyPipeline): string {
  return pipeline.kind === 'code' ? pipeline.workflowType : PIPELINE_WORKFLOW_TYPE;
}
