// One lane per Twin agent (`agent-lane/<agent_id>`): the mutex pattern from Temporal's samples, widened to
// `limit` permits. An in-process semaphore only holds inside one worker; this workflow holds across every worker
// and every pipeline. Requesters signal a running lane directly (the activity `requestLanePermit`
// signal-with-starts one that is not running) and are granted in FIFO order by a signal back. The permit comes
// back with `releasePermitSignal`, from the run's tracker as the run ends or else from the holder. A holder that
// closed without releasing (crashed, terminated, continued-as-new) is found by a liveness check and its permit
// reclaimed, so nothing can block an agent forever.
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LaneActivities } from '../activities/lanes.js';
import { internalTaskQueue } from '../../../workflows/internal-queue.js';
import {
  laneStateQuery,
  permitGrantedSignal,
  releasePermitSignal,
  requestPermitSignal,
  type AgentLaneInput,
  type LaneState,
} from './agent-lane-api.js';
import {
  emptyLaneState,
  enqueuePermitRequest,
  nextHolderCheckIn,
  releaseLanePermit,
  takeNextGrant,
} from './agent-lane-state.js';
import { AgentIdsKey } from '../../../workflows/search-attributes.js';

const DEFAULT_HOLDER_CHECK_INTERVAL_MS = 60_000;
const DEFAULT_IDLE_CLOSE_MS = 10 * 60_000;
const DEFAULT_GRANTS_BEFORE_CONTINUE_AS_NEW = 250;

/** The workflow body behind {@link AgentLaneWorkflow}; everything outside reaches it through agent-lane-api.ts. */
export async function agentLaneWorkflow(input: AgentLaneInput): Promise<LaneState> {
  const state = input.carried ?? emptyLaneState();
  const checkIntervalMs = input.holderCheckIntervalMs ?? DEFAULT_HOLDER_CHECK_INTERVAL_MS;
  const idleCloseMs = input.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
  const grantsBeforeContinueAsNew = input.grantsBeforeContinueAsNew ?? DEFAULT_GRANTS_BEFORE_CONTINUE_AS_NEW;
  const { findClosedWorkflowRuns } = proxyActivities<LaneActivities>({
    taskQueue: internalTaskQueue(),
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    summary: `check liveness of ${input.agentId} permit holders`,
  });
  let changes = 0;

  setHandler(requestPermitSignal, (request) => {
    if (enqueuePermitRequest(state, request)) changes++;
  });
  setHandler(releasePermitSignal, ({ token }) => {
    if (releaseLanePermit(state, token)) changes++;
  });
  setHandler(laneStateQuery, () => state);
  upsertSearchAttributes([{ key: AgentIdsKey, value: [input.agentId] }]);

  let grantsThisRun = 0;
  for (;;) {
    grantsThisRun += await grantInOrder(state, input, checkIntervalMs);
    if (grantsThisRun >= grantsBeforeContinueAsNew || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof agentLaneWorkflow>({ ...input, carried: state });
    }
    const seen = changes;
    const changed = () => changes !== seen;
    const checkIn = nextHolderCheckIn(state, Date.now());
    if (checkIn === undefined) {
      if (state.waiting.length > 0) await condition(changed);
      // Re-checked after the timer: a request signalled in the same task as the timer firing must not be dropped.
      else if (!(await condition(changed, idleCloseMs)) && !changed()) return state;
    } else if (checkIn === 0 || !(await condition(changed, checkIn))) {
      await reclaimClosedHolders(state, findClosedWorkflowRuns, checkIntervalMs);
    }
  }
}

/** Grants from the head of the queue while permits are free; a requester that has closed is skipped. */
async function grantInOrder(
  state: LaneState,
  input: AgentLaneInput,
  checkIntervalMs: number,
): Promise<number> {
  let granted = 0;
  for (;;) {
    const permit = takeNextGrant(state, input.limit, Date.now(), checkIntervalMs);
    if (!permit) return granted;
    try {
      await getExternalWorkflowHandle(permit.workflowId, permit.runId).signal(permitGrantedSignal, {
        token: permit.token,
        agentId: input.agentId,
      });
      granted++;
    } catch (error) {
      releaseLanePermit(state, permit.token);
      log.info('requester closed before its permit was granted', {
        requester: permit.workflowId,
        error: String(error),
      });
    }
  }
}

async function reclaimClosedHolders(
  state: LaneState,
  findClosedWorkflowRuns: LaneActivities['findClosedWorkflowRuns'],
  checkIntervalMs: number,
): Promise<void> {
  const due = state.held.filter((p) => p.checkAt <= Date.now());
  let closedRunIds: string[];
  try {
    closedRunIds = await findClosedWorkflowRuns({
      runs: due.map(({ workflowId, runId }) => ({ workflowId, runId })),
    });
  } catch (error) {
    log.warn('holder liveness check failed; trying again after the next interval', { error: String(error) });
    closedRunIds = [];
  }
  for (const permit of due) {
    if (closedRunIds.includes(permit.runId) && releaseLanePermit(state, permit.token)) {
      state.reclaimed++;
      log.warn('reclaimed the permit of a closed holder', { holder: permit.workflowId, runId: permit.runId });
    }
    permit.checkAt = Date.now() + checkIntervalMs;
  }
}
