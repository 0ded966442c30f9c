// Trigger evaluation: when a Twin run ends, its tracker asks here which pipelines that end starts, whether or not
// twinflow started the run (a Twin schedule, a person in the Twin UI). A triggered pipeline's key derives from the
// run ID and starts with REJECT_DUPLICATE, so one event starts a given pipeline at most once however many times
// it is delivered or evaluated. Nothing here may fail the tracker: bad trigger input is logged and skipped.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import {
  InvalidPipelineInputError,
  type PipelineRegistry,
  type TriggeredPipeline,
} from '../services/pipelines/registry.js';
import { startPipelineRun } from '../services/pipelines/start.js';
import type { RunObservation } from '../services/twin-vocabulary/run-status.js';
import { triggerKey } from '../workflows/pipeline-api.js';
import { renderTemplate, TemplateValueMissingError } from '../workflows/templates.js';

export interface EvaluateTriggersInput {
  observation: RunObservation;
  /** The run's answer, as its tracker read it from the events. */
  output?: string;
  /** The tracker asking, for the log. */
  sourceWorkflowId: string;
}

export interface TriggerActivityDeps {
  registry: PipelineRegistry;
  temporal: Client;
  /** Where triggered pipelines run: the worker's TEMPORAL_TASK_QUEUE. */
  taskQueue: string;
  logger?: Logger;
}

export interface TriggerEvaluation {
  /** Workflow IDs of pipelines this call started. */
  started: string[];
  /** Workflow IDs of pipelines this event had already started (a repeated evaluation). */
  alreadyStarted: string[];
  /** Pipelines whose trigger matched but whose input the pipeline refused. */
  refused: string[];
}

/** The input a triggered pipeline receives: the event's fields under `trigger`, plus the trigger's own mapping. */
export function triggeredInput(
  match: TriggeredPipeline,
  observation: RunObservation,
  output?: string,
): Record<string, unknown> {
  const event = {
    runId: observation.runId,
    agentId: observation.agentId,
    status: observation.status,
    outcome: observation.outcome,
    summary: observation.summary,
    output,
    finishedAt: observation.finishedAt,
  };
  const mapped = Object.entries(match.trigger.input ?? {}).map(([key, template]) => [
    key,
    renderTemplate(template, { event }),
  ]);
  return {
    trigger: JSON.parse(JSON.stringify(event)) as Record<string, unknown>,
    ...Object.fromEntries(mapped),
  };
}

/** Without deps (a worker that serves no pipelines), nothing is triggered. */
export function createTriggerActivities(deps?: TriggerActivityDeps) {
  return {
    async evaluateTriggers({
      observation,
      output,
      sourceWorkflowId,
    }: EvaluateTriggersInput): Promise<TriggerEvaluation> {
      const evaluation: TriggerEvaluation = { started: [], alreadyStarted: [], refused: [] };
      if (!deps) return evaluation;
      for (const match of deps.registry.triggeredBy(observation)) {
        const name = match.pipeline.name;
        let input: Record<string, unknown>;
        try {
          input = match.pipeline.parseInput(triggeredInput(match, observation, output));
        } catch (error) {
          // An event without the field a mapping reads (no summary where Twin serves none) is refused input too.
          if (!(error instanceof InvalidPipelineInputError || error instanceof TemplateValueMissingError))
            throw error;
          const problems = error instanceof InvalidPipelineInputError ? error.problems : [error.message];
          deps.logger?.warn({ pipeline: name, runId: observation.runId, problems }, 'trigger input refused');
          evaluation.refused.push(name);
          continue;
        }
        const started = await startPipelineRun(
          { client: deps.temporal, registry: deps.registry, taskQueue: deps.taskQueue },
          { name, key: triggerKey(observation.runId), input },
        );
        (started.started ? evaluation.started : evaluation.alreadyStarted).push(started.workflowId);
        deps.logger?.info(
          { pipeline: name, workflowId: started.workflowId, sourceWorkflowId, started: started.started },
          'trigger evaluated',
        );
      }
      return evaluation;
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
