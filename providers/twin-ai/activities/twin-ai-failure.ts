// How a Twin.ai client error becomes a Temporal activity failure, and how a write is sent at most once. 402 stops
// at once with Twin.ai's own message (only a new month or plan lifts it); a 429 the client could not wait out is
// retried by Temporal after Twin.ai's Retry-After (nextRetryDelay); other retryable errors after the activity's
// backoff; refusals and contract breaks are final. The seed offers no idempotency key (A9), so an ask, a create or
// a resolve whose answer was lost is never sent again: its caller looks, or fails the step.
import { ApplicationFailure } from '@temporalio/common';
import { TwinAiAnswerLimitError, TwinAiApiError, TwinAiUnconfirmedError } from '../index.js';
import { TWIN_AI_FAILURES } from '../workflows/twin-ai-api.js';
import { sendOnce, type WriteRules } from '../../shared/write-progress.js';

/** ApplicationFailure type of a retryable Twin.ai error; `details[0]` carries `{ status, code }`. */
export const TWIN_AI_API_FAILURE = 'TwinAiApiError';

export function twinAiFailure(error: unknown): unknown {
  if (!(error instanceof TwinAiApiError)) return error;
  const details = [{ status: error.status, code: error.code }];
  if (error instanceof TwinAiAnswerLimitError) {
    const limit = { ...details[0], used: error.used, limit: error.limit };
    return ApplicationFailure.create({
      type: TWIN_AI_FAILURES.answerLimit,
      message: error.serverMessage,
      details: [limit],
      nonRetryable: true,
    });
  }
  const type =
    error instanceof TwinAiUnconfirmedError
      ? TWIN_AI_FAILURES.writeUnconfirmed
      : error.retryable
        ? TWIN_AI_API_FAILURE
        : TWIN_AI_FAILURES.refused;
  return ApplicationFailure.create({
    type,
    message: error.message,
    details,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterMs,
  });
}

/** Rethrows a Twin.ai error as the failure Temporal should act on (for `.catch`). */
export function rethrowTwinAi(error: unknown): never {
  throw twinAiFailure(error);
}

const TWIN_AI_WRITES: WriteRules = {
  lost: (error) => error instanceof TwinAiUnconfirmedError,
  // A 2xx with a body that breaks the contract was performed: the doubt stays.
  notPerformed: (error) => error instanceof TwinAiApiError && error.code !== 'malformed_response',
  rethrow: rethrowTwinAi,
};

/**
 * Sends a write once (write-progress.ts `sendOnce`), looking in Twin.ai's lists to settle a doubt. A failure that
 * proves Twin.ai did nothing (a refusal, a 429, a request that never left) lets the next attempt send again.
 */
export function writeOnce<T>(send: () => Promise<T>, look: () => Promise<T>): Promise<T> {
  return sendOnce(TWIN_AI_WRITES, send, look);
}
