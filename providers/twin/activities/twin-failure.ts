// How a Twin API error becomes a Temporal activity failure, in one place for every activity that calls Twin:
// a 429 waits exactly as long as Twin asked (`nextRetryDelay`), other retryable errors follow the activity's
// retry policy, and a final error (bad request, unknown agent, not deployed) stops retrying at once.
import { ApplicationFailure } from '@temporalio/common';
import { TwinApiError } from '../client/errors.js';

/** ApplicationFailure `type` of every mapped Twin error; `details[0]` carries `{ status, code }`. */
export const TWIN_API_FAILURE = 'TwinApiError';
export const TWIN_RATE_LIMITED_FAILURE = 'TwinRateLimited';

export function twinFailure(error: unknown): unknown {
  if (!(error instanceof TwinApiError)) return error;
  const details = [{ status: error.status, code: error.code }];
  if (error.status === 429) {
    return ApplicationFailure.create({
      type: TWIN_RATE_LIMITED_FAILURE,
      message: error.message,
      details,
      nextRetryDelay: error.retryAfterMs,
    });
  }
  return ApplicationFailure.create({
    type: TWIN_API_FAILURE,
    message: error.message,
    details,
    nonRetryable: !error.retryable,
  });
}

/** Runs one Twin call, rethrowing its error as the failure Temporal should act on. */
export async function callTwin<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw twinFailure(error);
  }
}
