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
import type { RunObservation } from '../providers/twin/vocabulary/run-status.js';
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
export function mappedTriggerInput(
  mapping: Readonly<Record<string, string>> | undefined,
  event: Record<string, unknown>,
): Record<string, unknown> {
  const mapped = Object.entries(mapping ?? {}).map(([key, template]) => [
    key,
    renderTemplate(template, { event }),
  ]);
  return {
    trigger: JSON.parse(JSON.stringify(event)) as Record<string, unknown>,
    ...Object.fromEntries(mapped),
  };
}

/** A Twin run's end as a triggered pipeline sees it. */
export function triggeredInput(
  match: TriggeredPipeline,
  observation: RunObservation,
  output?: string,
): Record<string, unknown> {
  return mappedTriggerInput(match.trigger.input, {
    runId: observation.runId,
    agentId: observation.agentId,
    status: observation.status,
    outcome: observation.outcome,
    summary: observation.summary,
    output,
    finishedAt: observation.finishedAt,
  });
}

/**
 * Starts each matched pipeline under `key` (derived from the event, so a repeat finds the run it started), with
 * the input `inputOf` builds. Input the pipeline refuses, or a mapping reading a field the event lacks, is logged
 * with `logFields` and skipped: a bad trigger must not fail whatever is evaluating it.
 */
export async function startTriggeredPipelines(
  deps: TriggerActivityDeps,
  matches: readonly TriggeredPipeline[],
  key: string,
  inputOf: (match: TriggeredPipeline) => Record<string, unknown>,
  logFields: Record<string, unknown>,
): Promise<TriggerEvaluation> {
  const evaluation: TriggerEvaluation = { started: [], alreadyStarted: [], refused: [] };
  for (const match of matches) {
    const name = match.pipeline.name;
    let input: Record<string, unknown>;
    try {
      input = match.pipeline.parseInput(inputOf(match));
    } catch (error) {
      // An event without the field a mapping reads (no summary where Twin serves none) is refused input too.
      if (!(error instanceof InvalidPipelineInputError || error instanceof TemplateValueMissingError))
        throw error;
      const problems = error instanceof InvalidPipelineInputError ? error.problems : [error.message];
      deps.logger?.warn({ pipeline: name, ...logFields, problems }, 'trigger input refused');
      evaluation.refused.push(name);
      continue;
    }
    const started = await startPipelineRun(
      { client: deps.temporal, registry: deps.registry, taskQueue: deps.taskQueue },
      { name, key, input },
    );
    (started.started ? evaluation.started : evaluation.alreadyStarted).push(started.workflowId);
    deps.logger?.info(
      { pipeline: name, workflowId: started.workflowId, ...logFields, started: started.started },
      'trigger evaluated',
    );
  }
  return evaluation;
}

/** Without deps (a worker that serves no pipelines), nothing is triggered. */
export function createTriggerActivities(deps?: TriggerActivityDeps) {
  return {
    async evaluateTriggers({
      observation,
      output,
      sourceWorkflowId,
    }: EvaluateTriggersInput): Promise<TriggerEvaluation> {
      if (!deps) return { started: [], alreadyStarted: [], refused: [] };
      return startTriggeredPipelines(
        deps,
        deps.registry.triggeredBy(observation),
        triggerKey(observation.runId),
        (match) => triggeredInput(match, observation, output),
        { runId: observation.runId, sourceWorkflowId },
      );
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
