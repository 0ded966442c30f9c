// The activities behind the agent lanes: the one thing a workflow cannot do itself (signal-with-start a lane that
// is not running) and the holder liveness check. They touch only Temporal, never Twin.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  AGENT_LANE_WORKFLOW_TYPE,
  agentLaneWorkflowId,
  requestPermitSignal,
  type AgentLaneWorkflow,
  type PermitRequest,
} from '../workflows/agent-lane-api.js';

/** What the lane activities are built from at worker start. */
export interface LaneActivityDeps {
  temporal: Client;
  /** Task queue of the lanes this process starts: the worker's main queue. */
  taskQueue: string;
  /** Permits per agent for requests that do not set `concurrency` (AGENT_CONCURRENCY_DEFAULT). */
  laneLimit: number;
  /** Passed to lanes this process creates; tests shorten it. */
  laneHolderCheckIntervalMs?: number;
}

/** Builds the lane activities the worker registers on its main queue. */
export function createLaneActivities(deps: LaneActivityDeps) {
  return {
    /** Queues the caller at the agent's lane, creating the lane if this is its first request. */
    async requestLanePermit({
      agentId,
      request,
    }: {
      agentId: string;
      request: PermitRequest;
    }): Promise<void> {
      await deps.temporal.workflow.signalWithStart<AgentLaneWorkflow, [PermitRequest]>(
        AGENT_LANE_WORKFLOW_TYPE,
        {
          workflowId: agentLaneWorkflowId(agentId),
          taskQueue: deps.taskQueue,
          args: [{ agentId, limit: deps.laneLimit, holderCheckIntervalMs: deps.laneHolderCheckIntervalMs }],
          signal: requestPermitSignal,
          signalArgs: [request],
        },
      );
    },

    /** The run IDs among `runs` that are no longer running (or never existed): their permits can be reclaimed. */
    async findClosedWorkflowRuns({
      runs,
    }: {
      runs: { workflowId: string; runId: string }[];
    }): Promise<string[]> {
      const closed: string[] = [];
      for (const { workflowId, runId } of runs) {
        if (!(await isWorkflowRunOpen(deps.temporal, workflowId, runId))) closed.push(runId);
      }
      return closed;
    },
  };
}

/** The lane activities as workflows proxy them. */
export type LaneActivities = ReturnType<typeof createLaneActivities>;

async function isWorkflowRunOpen(temporal: Client, workflowId: string, runId: string): Promise<boolean> {
  try {
    const description = await temporal.workflow.getHandle(workflowId, runId).describe();
    return description.status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
