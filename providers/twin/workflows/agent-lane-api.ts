// The agent lane's contract: its workflow ID, input and state, and the signals and query that reach it. Activities
// and other workflows import this, never the body (providers/twin/workflows/agent-lane.ts); only the worker's bundle entry names
// the body.
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Workflow type of the agent lane, for clients that start it without importing its body. */
export const AGENT_LANE_WORKFLOW_TYPE = 'agentLaneWorkflow';

/** The agent lane's signature, so a client typed by name gets its input and result checked. */
export type AgentLaneWorkflow = (input: AgentLaneInput) => Promise<LaneState>;

/** Workflow IDs of agent lanes start with this: `agent-lane/<agent_id>`. */
const AGENT_LANE_ID_PREFIX = 'agent-lane/';
/** The one lane of a Twin agent. */
export function agentLaneWorkflowId(agentId: string): string {
  return `${AGENT_LANE_ID_PREFIX}${agentId}`;
}

/** A workflow asking for one of the agent's permits. */
export interface PermitRequest {
  /** The requester is a workflow run: a run that continued-as-new or closed no longer holds anything. */
  workflowId: string;
  runId: string;
  /** Unique per request; names the permit in grants and releases. */
  token: string;
  /** Overrides the lane's limit for this request: granted only while fewer than `limit` permits are held. */
  limit?: number;
}

/** A granted request, held until its release (or its holder is found closed). */
export interface HeldPermit extends PermitRequest {
  grantedAt: number;
  /** Workflow time at which the holder's liveness is checked next. */
  checkAt: number;
}

/** The lane's queue and holders; its query answer and its result. */
export interface LaneState {
  waiting: PermitRequest[];
  held: HeldPermit[];
  /** Lifetime counters, carried over continue-as-new. */
  granted: number;
  reclaimed: number;
}

/** What a lane is started with. */
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

/** Queues a request; a repeated token is queued once. */
export const requestPermitSignal = defineSignal<[PermitRequest]>('requestPermit');
/** Frees a held permit or withdraws a waiting request. */
export const releasePermitSignal = defineSignal<[{ token: string }]>('releasePermit');
/** Sent by the lane to the requester when its permit is granted. */
export const permitGrantedSignal = defineSignal<[{ token: string; agentId: string }]>('permitGranted');
/** The lane's state as it stands. */
export const laneStateQuery = defineQuery<LaneState>('laneState');
