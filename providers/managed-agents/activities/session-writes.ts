// Creating a session and sending a turn at most once. The platform takes no idempotency key (A11 of
// docs/managed-agents-contract.md), so an attempt whose answer was lost is never followed by a blind second
// create: the attempt records "sending" in its heartbeat before the request leaves, and any later attempt (or the
// same one, on an UnconfirmedWriteError) looks for what it may have created instead of creating again
// (write-progress.ts):
// - a session: this agent's sessions created since the step asked whose first user message is the step's input
//   (A16); one match is adopted, none is SessionStartUnconfirmed, several are AmbiguousSessionStart;
// - a turn: the session's log after the last event the step recorded, holding a user message with the turn's text.
// A doubt that looking cannot settle fails the step for a person instead of risking a second session.
import { ApplicationFailure } from '@temporalio/common';
import {
  compareEventIds,
  MESSAGE_EVENT_TYPE,
  ManagedAgentsApiError,
  UnconfirmedWriteError,
  type ManagedAgentsClient,
  type SessionEvent,
  type SessionMeta,
} from '../index.js';
import { mapLimit } from '../../../services/shared/map-limit.js';
import {
  SESSION_FAILURES,
  type SendTurnInput,
  type StartedSession,
  type StartSessionInput,
} from '../workflows/managed-session-api.js';
import { sessionFailure } from './session-failure.js';
import { sendOnce, type WriteRules } from '../../shared/write-progress.js';

/** The platform's clock may run behind ours (A16): sessions are looked for from this much before the step asked. */
const CLOCK_SKEW_MARGIN_MS = 10_000;
/** Sessions of one agent read when looking for a lost create; more than this leaves the doubt open. */
const MAX_LISTED_SESSIONS = 1_000;
const LIST_PAGE_SIZE = 100;

const SESSION_WRITES: WriteRules = {
  lost: (error) => error instanceof UnconfirmedWriteError,
  notPerformed: (error) => error instanceof ManagedAgentsApiError && !error.mayHavePerformed,
  rethrow: (error) => {
    throw sessionFailure(error);
  },
};

function firstUserMessage(events: readonly SessionEvent[]): string | undefined {
  const message = events.find((e) => e.type === MESSAGE_EVENT_TYPE && e.data['role'] === 'user');
  const content = message?.data['content'];
  return typeof content === 'string' ? content : undefined;
}

async function listSince(client: ManagedAgentsClient, agentId: string, sinceMs: number) {
  const recent: SessionMeta[] = [];
  let cursor: string | undefined;
  for (let read = 0; read < MAX_LISTED_SESSIONS; read += LIST_PAGE_SIZE) {
    const page = await client.listSessions({ agent_id: agentId, limit: LIST_PAGE_SIZE, cursor });
    // A session without created_at cannot be ruled out by time, so it stays a candidate.
    recent.push(...page.data.filter((s) => !s.created_at || Date.parse(s.created_at) >= sinceMs));
    if (!page.next_cursor) return { recent, complete: true };
    cursor = page.next_cursor;
  }
  return { recent, complete: false };
}

async function findStartedSession(
  client: ManagedAgentsClient,
  input: StartSessionInput,
): Promise<StartedSession> {
  const sinceMs = Date.parse(input.requestedAt) - CLOCK_SKEW_MARGIN_MS;
  const { recent, complete } = await listSince(client, input.agentId, sinceMs);
  const pinned = recent.filter(
    (s) => input.agentVersion === undefined || s.agent_version === input.agentVersion,
  );
  const logs = await mapLimit(pinned, 4, async (s) => ({
    meta: s,
    log: await client.getSessionEvents(s.id),
  }));
  const matches = logs.filter(({ log }) => firstUserMessage(log) === input.message).map(({ meta }) => meta);
  const where = `agent ${input.agentId} since ${new Date(sinceMs).toISOString()}`;
  const [match, ...others] = matches;
  if (match && others.length === 0) {
    return { sessionId: match.id, agentVersion: match.agent_version, adopted: true };
  }
  if (match) {
    throw ApplicationFailure.nonRetryable(
      `the session create's answer was lost and ${matches.length} sessions of ${where} hold this input (${matches.map((s) => s.id).join(', ')}); none is adopted`,
      SESSION_FAILURES.startAmbiguous,
      { candidates: matches.map((s) => s.id) },
    );
  }
  const unread = complete ? '' : ` (only the first ${MAX_LISTED_SESSIONS} listed sessions were read)`;
  throw ApplicationFailure.nonRetryable(
    `the session create's answer was lost and no session of ${where} holds this input${unread}; not created again, since it may exist`,
    SESSION_FAILURES.startUnconfirmed,
  );
}

export function startSession(client: ManagedAgentsClient, input: StartSessionInput): Promise<StartedSession> {
  return sendOnce(
    SESSION_WRITES,
    async () => {
      const meta = await client.createSession({
        agent_id: input.agentId,
        agent_version: input.agentVersion,
        input: [{ role: 'user', content: input.message }],
      });
      return { sessionId: meta.id, agentVersion: meta.agent_version, adopted: false };
    },
    () => findStartedSession(client, input),
  );
}

async function findSentTurn(client: ManagedAgentsClient, input: SendTurnInput): Promise<void> {
  const log = await client.getSessionEvents(input.sessionId);
  const { after } = input;
  const later = after === undefined ? log : log.filter((e) => compareEventIds(e.id, after) > 0);
  const sent = later.some(
    (e) => e.type === MESSAGE_EVENT_TYPE && e.data['role'] === 'user' && e.data['content'] === input.message,
  );
  if (sent) return;
  throw ApplicationFailure.nonRetryable(
    `the turn's answer was lost and session ${input.sessionId}'s log after ${after ?? 'its start'} does not hold it; not sent again, since it may still arrive`,
    SESSION_FAILURES.turnUnconfirmed,
  );
}

export async function sendTurn(client: ManagedAgentsClient, input: SendTurnInput): Promise<void> {
  await sendOnce<unknown>(
    SESSION_WRITES,
    () => client.sendTurn(input.sessionId, { input: [{ role: 'user', content: input.message }] }),
    () => findSentTurn(client, input),
  );
}
