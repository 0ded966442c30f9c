// How a managed-agent platform error becomes a Temporal activity failure, for every session activity: a refusal
// (4xx) stops at once with the platform's words, a 429 or 5xx waits as long as the platform asked (or the
// activity's backoff), and an error found locally (an unreadable event, IDs out of order) is final too, except a
// stream that could not be resumed for now (STREAM_EXHAUSTED): a later attempt resumes it from the heartbeat.
import { ApplicationFailure } from '@temporalio/common';
import { ManagedAgentsApiError } from '../index.js';
import { SESSION_FAILURES } from '../workflows/managed-session-api.js';

/** ApplicationFailure type of a retryable platform error; `details[0]` carries `{ status, code }`. */
export const MANAGED_AGENTS_API_FAILURE = 'ManagedAgentsApiError';

export function sessionFailure(error: unknown): unknown {
  if (!(error instanceof ManagedAgentsApiError)) return error;
  const details = [{ status: error.status, code: error.code, requestId: error.requestId }];
  const refused = error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408;
  return ApplicationFailure.create({
    type: refused ? SESSION_FAILURES.refused : MANAGED_AGENTS_API_FAILURE,
    message: error.message,
    details,
    nonRetryable: refused || (!error.retryable && error.code !== 'STREAM_EXHAUSTED'),
    nextRetryDelay: error.retryAfterMs,
  });
}

/** Runs one platform call, rethrowing its error as the failure Temporal should act on. */
export async function callPlatform<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw sessionFailure(error);
  }
}
