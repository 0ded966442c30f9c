// The failures a client meets without an error answer from the platform, worded the same for every provider so
// logs and tests read alike. Each provider binds them to its own error class; whether a network error may be
// retried blindly is decided by the provider's retry policy, not here.
import type { ApiErrorInit, Where } from './api-error.js';

/**
 * The three local failures, built with `make` (the provider's error class).
 *
 * - `networkError`: no answer at all (refused connection, DNS, cut connection); `detail` is fetch's text, key removed;
 * - `timeoutError`: no complete answer within the per-attempt timeout, so the platform may have acted;
 * - `malformedResponse`: an answer whose body breaks the contract, with its real status.
 */
export function localFailures<E>(make: (init: ApiErrorInit) => E) {
  return {
    networkError: (detail: string, where: Where, cause: unknown): E =>
      make({ status: 0, code: 'network_error', message: detail, retryable: true, cause, ...where }),
    timeoutError: (timeoutMs: number, where: Where, cause: unknown): E =>
      make({
        status: 0,
        code: 'timeout',
        message: `no complete answer within ${timeoutMs} ms`,
        retryable: true,
        cause,
        ...where,
      }),
    malformedResponse: (status: number, detail: string, where: Where, cause?: unknown): E =>
      make({ status, code: 'malformed_response', message: detail, retryable: false, cause, ...where }),
  };
}
