// The managed-agent activities a session step calls (providers/managed-agents/workflows/managed-session-api.ts), bound to one client.
// They run on their own task queue with the platform's rate budget. A worker without the platform's key still
// registers them, so a step that needs them fails at once with a message saying which setting is missing,
// rather than waiting forever on a queue nobody polls.
import { ApplicationFailure } from '@temporalio/common';
import { sleep } from '@temporalio/activity';
import { isTerminalStatus, ManagedAgentsApiError, type ManagedAgentsClient } from '../index.js';
import {
  SESSION_FAILURES,
  type CancelledSession,
  type CancelSessionInput,
  type ManagedSessionActivities,
} from '../workflows/managed-session-api.js';
import { followSession } from './follow-session.js';
import { callPlatform, sessionFailure } from './session-failure.js';
import { sendTurn, startSession } from './session-writes.js';

/** How long a cancel waits for the platform to report the session terminal before the attempt fails (and retries). */
const CANCEL_CONFIRM_MS = 20_000;
const CANCEL_POLL_MS = 250;

async function cancelSession(
  client: ManagedAgentsClient,
  input: CancelSessionInput,
): Promise<CancelledSession> {
  const { sessionId } = input;
  try {
    const meta = await client.cancelSession(sessionId);
    if (isTerminalStatus(meta.status)) return { status: meta.status };
  } catch (error) {
    // 409: it had already ended (A10), and its own status is reported below, not overwritten with "cancelled".
    if (!(error instanceof ManagedAgentsApiError && error.status === 409)) throw sessionFailure(error);
  }
  const deadline = Date.now() + CANCEL_CONFIRM_MS;
  for (;;) {
    const { status } = await callPlatform(() => client.getSession(sessionId));
    if (isTerminalStatus(status)) return { status };
    if (Date.now() > deadline) {
      throw ApplicationFailure.retryable(
        `session ${sessionId} was cancelled but is still ${status} after ${CANCEL_CONFIRM_MS / 1000} s`,
        'SessionCancelUnconfirmed',
      );
    }
    await sleep(CANCEL_POLL_MS);
  }
}

function notConfigured(): never {
  throw ApplicationFailure.nonRetryable(
    'managed-agent sessions are not configured on this worker: set MANAGED_AGENTS_API_KEY (and MANAGED_AGENTS_BASE_URL)',
    SESSION_FAILURES.notConfigured,
  );
}

/** The activities; without a client every one fails with ManagedAgentsNotConfigured. */
export function createManagedSessionActivities(deps: {
  client?: ManagedAgentsClient;
}): ManagedSessionActivities {
  const { client } = deps;
  return {
    startManagedSession: async (input) => (client ? startSession(client, input) : notConfigured()),
    sendManagedTurn: async (input) => (client ? sendTurn(client, input) : notConfigured()),
    followManagedSession: async (input) => (client ? followSession(client, input) : notConfigured()),
    cancelManagedSession: async (input) => (client ? cancelSession(client, input) : notConfigured()),
  };
}
