// How a Twig client error becomes a Temporal activity failure, and how a write is sent at most once. A 429 the
// client could not wait out is retried by Temporal after X-RateLimit-Reset (nextRetryDelay), a 503 after the
// seed's "5-10 minutes"; 400/401/403/404 and contract breaks are final. The seed offers no idempotency key, so a
// write whose answer was lost (no answer, a 5xx that may follow a performed request: docs/twig-contract.md A16,
// A17) is never sent again: its caller looks for it in Twig's lists, or fails the step.
import { ApplicationFailure } from '@temporalio/common';
import { TwigApiError } from '../index.js';
import { TWIG_FAILURES } from '../workflows/twig-api.js';
import { sendOnce, type WriteRules } from '../../shared/write-progress.js';

/** ApplicationFailure type of a retryable Twig error; `details[0]` carries `{ status, code, requestId }`. */
export const TWIG_API_FAILURE = 'TwigApiError';

export function twigFailure(error: unknown): unknown {
  if (!(error instanceof TwigApiError)) return error;
  return ApplicationFailure.create({
    type: error.retryable ? TWIG_API_FAILURE : TWIG_FAILURES.refused,
    message: error.message,
    details: [{ status: error.status, code: error.code, requestId: error.requestId }],
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterMs,
  });
}

/** Rethrows a Twig error as the failure Temporal should act on (for `.catch`). */
export function rethrowTwig(error: unknown): never {
  throw twigFailure(error);
}

/**
 * Whether Twig may have performed a request that ended so: no answer (a cut connection, a timeout), a 5xx, or a
 * 2xx whose body broke the contract. A refusal before sending, a 4xx and a 429 prove it did nothing.
 */
export function mayHaveActed(error: TwigApiError): boolean {
  if (error.code === 'request_rejected') return false;
  return error.status === 0 || error.status >= 500 || (error.status >= 200 && error.status < 300);
}

const TWIG_WRITES: WriteRules = {
  lost: (error) => error instanceof TwigApiError && mayHaveActed(error),
  notPerformed: (error) => error instanceof TwigApiError && !mayHaveActed(error),
  rethrow: rethrowTwig,
};

/**
 * Sends a write once (write-progress.ts `sendOnce`), looking in Twig's lists to settle a doubt. A Twig error that
 * proves nothing was done lets the next attempt send again; an error that is not Twig's keeps the doubt for it.
 */
export function writeOnce<T>(send: () => Promise<T>, look: () => Promise<T>): Promise<T> {
  return sendOnce(TWIG_WRITES, send, look);
}
