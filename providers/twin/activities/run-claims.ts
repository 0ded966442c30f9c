// What twinflow itself knows about a Twin run's owner, for a start whose answer was lost: a run is claimed by
// the step subscribed at its tracker (`twin-run/<run_id>`), and the agent's lane knows which steps hold permits
// and so may be starting a run right now. Both live in Temporal, so the answer holds across workers.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { TwinClient } from '../client/client.js';
import { listAllRuns } from '../client/paging.js';
import type { Run } from '../vocabulary/schemas.js';
import {
  agentLaneWorkflowId,
  laneStateQuery,
  type AgentLaneWorkflow,
  type HeldPermit,
} from '../workflows/agent-lane-api.js';
import {
  DISOWNED_TOKEN_PREFIX,
  RUN_TRACKER_WORKFLOW_TYPE,
  runTrackerStateQuery,
  runTrackerWorkflowId,
  subscribeRunSignal,
  type RunTrackerState,
  type RunTrackerWorkflow,
  type SubscribeRun,
} from '../workflows/run-tracker-api.js';
import { callTwin } from './twin-failure.js';

export interface ClaimDeps {
  temporal: Client;
  /** Where trackers this process starts run, and their silence window: for disowning, which may start one. */
  taskQueue: string;
  reconcileAfterMs: number;
}

const RUN_PAGE_SIZE = 100;

/**
 * The tokens of the steps subscribed at a run's tracker (each is also the lane permit that step holds), or
 * `unreadable` for a tracker that failed or was terminated, whose owner twinflow cannot tell.
 */
export type Claim = { tokens: string[] } | 'unreadable';

export async function listRunsSince(
  twin: TwinClient,
  agentId: string,
  since: string,
  signal?: AbortSignal,
): Promise<Run[]> {
  return callTwin(async () => {
    const runs: Run[] = [];
    const filters = { filter_started_after: since, page_size: RUN_PAGE_SIZE };
    for await (const run of listAllRuns(twin, agentId, filters, { signal })) runs.push(run);
    return runs;
  });
}

export async function claimOf(deps: ClaimDeps, runId: string): Promise<Claim> {
  const state = await trackerState(deps.temporal, runId);
  if (state === 'none') return { tokens: [] };
  if (state === 'unreadable') return 'unreadable';
  return { tokens: state.subscribers.map((s) => s.token) };
}

async function trackerState(
  temporal: Client,
  runId: string,
): Promise<RunTrackerState | 'none' | 'unreadable'> {
  const handle = temporal.workflow.getHandle<RunTrackerWorkflow>(runTrackerWorkflowId(runId));
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return await handle.query(runTrackerStateQuery);
    if (status.name === 'COMPLETED') return await handle.result();
    return 'unreadable';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'none';
    throw error;
  }
}

/**
 * Quarantines runs a failing start named as candidates: each gets a disowned subscription at its tracker, so a
 * later start of the same agent treats it as a doubt (AmbiguousStart), never as a run free to adopt.
 */
export async function disown(
  deps: ClaimDeps,
  runs: Run[],
  subscriber: { workflowId: string; token: string },
): Promise<void> {
  for (const run of runs) {
    try {
      await deps.temporal.workflow.signalWithStart<RunTrackerWorkflow, [SubscribeRun]>(
        RUN_TRACKER_WORKFLOW_TYPE,
        {
          workflowId: runTrackerWorkflowId(run.run_id),
          taskQueue: deps.taskQueue,
          args: [{ runId: run.run_id, agentId: run.agent_id, reconcileAfterMs: deps.reconcileAfterMs }],
          signal: subscribeRunSignal,
          signalArgs: [
            { workflowId: subscriber.workflowId, token: `${DISOWNED_TOKEN_PREFIX}${subscriber.token}` },
          ],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        },
      );
    } catch (error) {
      // A tracker that closed after its grace period belongs to a run that ended long ago: nobody adopts it.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
}

/** The permits of the agent's lane held by steps other than `token`'s: each may be starting a run right now. */
export async function otherHolders(deps: ClaimDeps, agentId: string, token: string): Promise<HeldPermit[]> {
  const handle = deps.temporal.workflow.getHandle<AgentLaneWorkflow>(agentLaneWorkflowId(agentId));
  try {
    const lane = await handle.query(laneStateQuery);
    return lane.held.filter((permit) => permit.token !== token);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return [];
    throw error;
  }
}
