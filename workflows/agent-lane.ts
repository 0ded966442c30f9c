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
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TwinRunActivities } from '../activities/twin-runs.js';
import { AgentIdsKey } from './search-attributes.js';

export const AGENT_LANE_ID_PREFIX = 'agent-lane/';
export function agentLaneWorkflowId(agentId: string): string {
  return `${AGENT_LANE_ID_PREFIX}${agentId}`;
}

export interface PermitRequest {
  /** The requester is a workflow run: a run that continued-as-new or closed no longer holds anything. */
  workflowId: string;
  runId: string;
  /** Unique per request; names the permit in grants and releases. */
  token: string;
  /** Overrides the lane's limit for this request: granted only while fewer than `limit` permits are held. */
  limit?: number;
}

export interface HeldPermit extends PermitRequest {
  grantedAt: number;
  /** Workflow time at which the holder's liveness is checked next. */
  checkAt: number;
}

export interface LaneState {
  waiting: PermitRequest[];
  held: HeldPermit[];
  /** Lifetime counters, carried over continue-as-new. */
  granted: number;
  reclaimed: number;
}

export interface AgentLaneInput {
  agentId: string;
  /** Permits held at once when a request does not say otherwise. */
  limit: number;
  /** How long a permit may be held before its holder is checked for liveness, and between checks; default 60 s. */
  holderCheckIntervalMs?: number;
  /** A lane with no holders and no waiters completes after this long; the next request starts it again. */
  idleCloseMs?: number;
  /** Keeps history short: each grant costs a handful of events. */
  grantsBeforeContinueAsNew?: number;
  carried?: LaneState;
}

export const requestPermitSignal = defineSignal<[PermitRequest]>('requestPermit');
export const releasePermitSignal = defineSignal<[{ token: string }]>('releasePermit');
/** Sent by the lane to the requester when its permit is granted. */
export const permitGrantedSignal = defineSignal<[{ token: string; agentId: string }]>('permitGranted');
export const laneStateQuery = defineQuery<LaneState>('laneState');

const DEFAULT_HOLDER_CHECK_INTERVAL_MS = 60_000;
const DEFAULT_IDLE_CLOSE_MS = 10 * 60_000;
const DEFAULT_GRANTS_BEFORE_CONTINUE_AS_NEW = 250;

export function emptyLaneState(): LaneState {
  return { waiting: [], held: [], granted: 0, reclaimed: 0 };
}

/**
 * Sends a permit back to the agent's lane from another workflow (its holder, or the run's tracker). A lane that
 * is gone (never created, or terminated by hand) holds no permit to give back, so that is only logged.
 */
export async function givePermitBack(agentId: string, token: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(agentLaneWorkflowId(agentId)).signal(releasePermitSignal, { token });
  } catch (error) {
    log.warn('agent lane not reachable to release a permit', { agentId, error: String(error) });
  }
}

/** Queues a request; a repeated token (a retried signal-with-start) is not queued twice. */
export function enqueuePermitRequest(state: LaneState, request: PermitRequest): boolean {
  const known = [...state.waiting, ...state.held].some((p) => p.token === request.token);
  if (known) return false;
  state.waiting.push(request);
  return true;
}

/** Frees a held permit or withdraws a waiting request; false if the token is unknown (already released). */
export function releaseLanePermit(state: LaneState, token: string): boolean {
  const before = state.waiting.length + state.held.length;
  state.waiting = state.waiting.filter((p) => p.token !== token);
  state.held = state.held.filter((p) => p.token !== token);
  return state.waiting.length + state.held.length !== before;
}

/** Strict FIFO: only the head of the queue may be granted, so a small-limit request is never starved. */
export function takeNextGrant(state: LaneState, defaultLimit: number, now: number, checkIntervalMs: number) {
  const head = state.waiting[0];
  if (!head || state.held.length >= (head.limit ?? defaultLimit)) return undefined;
  state.waiting.shift();
  const permit: HeldPermit = { ...head, grantedAt: now, checkAt: now + checkIntervalMs };
  state.held.push(permit);
  state.granted++;
  return permit;
}

/** Milliseconds until the next holder is due for a liveness check; undefined when nothing is held. */
export function nextHolderCheckIn(state: LaneState, now: number): number | undefined {
  if (state.held.length === 0) return undefined;
  return Math.max(0, Math.min(...state.held.map((p) => p.checkAt)) - now);
}

export async function agentLaneWorkflow(input: AgentLaneInput): Promise<LaneState> {
  const state = input.carried ?? emptyLaneState();
  const checkIntervalMs = input.holderCheckIntervalMs ?? DEFAULT_HOLDER_CHECK_INTERVAL_MS;
  const idleCloseMs = input.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
  const grantsBeforeContinueAsNew = input.grantsBeforeContinueAsNew ?? DEFAULT_GRANTS_BEFORE_CONTINUE_AS_NEW;
  const { findClosedWorkflowRuns } = proxyActivities<TwinRunActivities>({
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
  findClosedWorkflowRuns: TwinRunActivities['findClosedWorkflowRuns'],
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
