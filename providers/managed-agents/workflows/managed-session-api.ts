// The contract between a pipeline's session steps and the managed-agent activities (providers/managed-agents/activities/managed-sessions.ts):
// the queue they run on, their inputs and results, and the failure types a step tells apart. The activities run
// on a task queue of their own with its own rate budget, so the platform's limits never slow a Twin step. Pure
// types and constants: the workflow bundle and the worker both import it.
import type { SessionEventLine } from '../../../workflows/pipeline-definition.js';

/** Appended to the main task queue: where the managed-agent activities run. */
export const MANAGED_AGENTS_TASK_QUEUE_SUFFIX = '-managed-agents';

/** Failure types (ApplicationFailure.type) the activities throw; none of them is retried. */
export const SESSION_FAILURES = {
  /** No API key configured for the platform. */
  notConfigured: 'ManagedAgentsNotConfigured',
  /** A create whose answer was lost and that no listed session matches: not sent again (it may exist). */
  startUnconfirmed: 'SessionStartUnconfirmed',
  /** A create whose answer was lost and that several listed sessions match: none is adopted. */
  startAmbiguous: 'AmbiguousSessionStart',
  /** A turn whose answer was lost and that the event log does not show: not sent again. */
  turnUnconfirmed: 'SessionTurnUnconfirmed',
  /** The platform refused the request (4xx): the message says why. */
  refused: 'ManagedAgentsRefused',
} as const;

export interface StartSessionInput {
  agentId: string;
  agentVersion?: number;
  message: string;
  /** When the step asked (workflow time): a session created before it cannot be this step's. */
  requestedAt: string;
}

export interface StartedSession {
  sessionId: string;
  agentVersion: number;
  /** True when a lost answer was recovered by finding the session the first attempt created. */
  adopted: boolean;
}

export interface SendTurnInput {
  sessionId: string;
  message: string;
  /** The last event recorded before this turn: the turn's own user message comes after it. */
  after?: string;
}

export interface FollowSessionInput {
  sessionId: string;
  /** The last event already recorded: following hands on only later events. */
  after?: string;
}

/** What following recorded so far: the heartbeat's details, so another worker resumes exactly there. */
export interface SessionProgress {
  sessionId: string;
  lastEventId?: string;
  eventCount: number;
  status?: string;
  /** The latest assistant message's text. */
  output?: string;
  outputTruncated?: boolean;
  /** Why the session failed, from its latest `error` event. */
  reason?: string;
  latest: SessionEventLine[];
  /** How often the stream was cut and resumed, over every attempt. */
  reconnects: number;
}

export interface FollowedSession extends SessionProgress {
  status: string;
  /** `output` parsed, when it is a JSON object or array. */
  json?: unknown;
}

export interface CancelSessionInput {
  sessionId: string;
}

/** The status the session ended with once cancelled (a session that had already ended keeps its own). */
export interface CancelledSession {
  status: string;
}

export interface ManagedSessionActivities {
  startManagedSession(input: StartSessionInput): Promise<StartedSession>;
  sendManagedTurn(input: SendTurnInput): Promise<void>;
  followManagedSession(input: FollowSessionInput): Promise<FollowedSession>;
  cancelManagedSession(input: CancelSessionInput): Promise<CancelledSession>;
}
