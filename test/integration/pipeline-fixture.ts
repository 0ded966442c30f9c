// The pipeline tests' world, all real: the emulator as the documented Twin, a Temporal dev server, twinflow's
// production workers (plus trigger evaluation against the test's own registry), the receiver with a webhook for
// every agent, and the control functions bound to them.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { createTriggerActivities } from '../../activities/triggers.js';
import { createProviderTriggerActivities } from '../../activities/provider-triggers.js';
import {
  getPipelineStatus,
  startPipeline,
  type ControlDeps,
  type PipelineRunStatus,
} from '../../services/control/pipelines.js';
import {
  createPipelineRegistry,
  type PipelineRegistration,
  type PipelineRegistry,
} from '../../services/pipelines/registry.js';
import type { PipelineDefinition } from '../../workflows/pipeline-definition.js';
import type { pipelineWorkflow } from '../../workflows/pipeline.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import { startTwinflowStack, type StackOptions, type TwinflowStack } from '../support/twinflow-stack.js';

export interface PipelineWorld {
  stack: TwinflowStack;
  registry: PipelineRegistry;
  control: ControlDeps;
  /** Starts a registered pipeline under a fresh key; returns the key and the workflow handle. */
  start(
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ key: string; handle: WorkflowHandle<typeof pipelineWorkflow> }>;
  status(name: string, key: string): Promise<PipelineRunStatus>;
  close(): Promise<void>;
}

export async function startPipelineWorld(
  pipelines: ReadonlyArray<PipelineRegistration | PipelineDefinition>,
  options: Pick<
    StackOptions,
    'env' | 'temporal' | 'profile' | 'webhooks' | 'managedAgents' | 'twinAi' | 'twig'
  > = {},
): Promise<PipelineWorld> {
  const registry = createPipelineRegistry(pipelines);
  const stack = await startTwinflowStack({
    ...options,
    decorate: (activities, world) => {
      const deps = { registry, temporal: world.serviceClient, taskQueue: world.config.TEMPORAL_TASK_QUEUE };
      const triggers = createTriggerActivities(deps);
      return {
        ...activities,
        main: { ...activities.main, ...triggers },
        internal: { ...activities.internal, ...triggers, ...createProviderTriggerActivities(deps) },
      };
    },
  });
  const control: ControlDeps = {
    client: stack.client,
    registry,
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
  };
  return {
    stack,
    registry,
    control,
    async start(name, input) {
      const key = randomUUID();
      const { workflowId } = await startPipeline(control, { name, input, idempotencyKey: key });
      return { key, handle: stack.client.workflow.getHandle<typeof pipelineWorkflow>(workflowId) };
    },
    status: (name, key) => getPipelineStatus(control, { name, key }),
    close: () => stack.close(),
  };
}

/** The step states by ID, for assertions that read like the definition. */
export function stepsById(state: PipelineState | undefined): Record<string, PipelineState['steps'][number]> {
  return Object.fromEntries((state?.steps ?? []).map((s) => [s.id, s]));
}

/** The message an agent received, without the start marker runAgent appends on its own line. */
export function withoutMarker(message: string | undefined): string | undefined {
  return message?.replace(/\n\n\[twinflow:[0-9a-f]{16}\]$/, '');
}

/** The cause of a failed workflow result, for `expect(...).rejects` style checks on typed failures. */
export async function failureOf(promise: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error & { cause?: unknown },
  );
  if (!outcome) throw new Error('expected the workflow to fail, but it completed');
  return outcome;
}
