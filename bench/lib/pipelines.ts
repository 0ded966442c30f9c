// Pipelines the way a user runs them: a registered definition, started through the control layer
// (startPipeline, the same call the CLI and the HTTP API make), awaited through the workflow's result.
import { randomUUID } from 'node:crypto';
import { failedPipelineState, startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import {
  definePipeline,
  type AgentStep,
  type PipelineDefinition,
} from '../../workflows/pipeline-definition.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import type { BenchStack } from './stack.js';

/** `steps` agent steps, each after the previous one, all on the agent named by the input. */
export function sequentialPipeline(name: string, steps: number): PipelineDefinition {
  const agentSteps: AgentStep[] = Array.from({ length: steps }, (_, i) => ({
    kind: 'agent',
    id: `step-${i + 1}`,
    agent: '{{input.agent}}',
    ...(i > 0 && { after: [`step-${i}`] }),
  }));
  return definePipeline({ name, steps: agentSteps });
}

export interface PipelineOutcome {
  workflowId: string;
  agent: string;
  state?: PipelineState;
  error?: string;
}

export interface FleetRun {
  outcomes: PipelineOutcome[];
  /** From the first start request to the last result. */
  wallMs: number;
}

const START_CONCURRENCY = 50;
const RESULT_WAITERS = 100;

/**
 * Starts one pipeline per agent in `agents` (an agent may appear many times) and waits for every result, or
 * until `deadlineMs` has passed since the first start: a pipeline without a result by then counts as lost.
 */
export async function runFleet(
  stack: BenchStack,
  definition: PipelineDefinition,
  agents: readonly string[],
  deadlineMs: number,
): Promise<FleetRun> {
  const deps: ControlDeps = {
    client: stack.client,
    registry: createPipelineRegistry([definition]),
    taskQueue: stack.taskQueue,
  };
  const batch = randomUUID().slice(0, 8);
  const t0 = performance.now();
  const deadline = Date.now() + deadlineMs;
  let lastResult = t0;
  const started = await mapLimit(agents, START_CONCURRENCY, async (agent, i) => {
    const { workflowId } = await startPipeline(deps, {
      name: definition.name,
      input: { agent },
      idempotencyKey: `${batch}-${i}`,
    });
    return { workflowId, agent };
  });
  const outcomes = await mapLimit(
    started,
    RESULT_WAITERS,
    async ({ workflowId, agent }): Promise<PipelineOutcome> => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { workflowId, agent, error: 'no result before the deadline' };
      try {
        const state = await stack.client.connection.withDeadline(
          new Date(deadline),
          () => stack.client.workflow.getHandle(workflowId).result() as Promise<PipelineState>,
        );
        lastResult = performance.now();
        return { workflowId, agent, state };
      } catch (error) {
        // A failed pipeline's final state rides on its failure: it says which step failed and why.
        const state = failedPipelineState(error);
        if (state) return { workflowId, agent, state };
        return { workflowId, agent, error: causeChain(error) };
      }
    },
  );
  return { outcomes, wallMs: lastResult - t0 };
}

function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 5; e = e.cause)
    messages.push(e.message);
  return messages.length > 0 ? messages.join(': ') : String(error);
}

export function succeeded(outcome: PipelineOutcome): boolean {
  return outcome.state?.status === 'succeeded';
}
