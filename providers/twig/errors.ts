// The one error every TwigClient call rejects with, and how an HTTP answer becomes one. The seed's error body is
// `{error:{code,message,details},request_id}`, and "request_id: include when contacting support", so the ID is kept
// on the error and in its message. The seed's own example pairs code `invalid_request` with "Agent not found", so
// the HTTP status, never the code, decides what a failure means (A9). Bodies in any other shape (a proxy's HTML, an
// empty 503) still become a TwigApiError, coded from the status by the seed's table.
import { z } from 'zod';
import { ProviderApiError, type ApiErrorInit } from '../shared/api-error.js';
import { foreignBodyMessage, jsonOrUndefined, type ErrorAnswer } from '../shared/error-body.js';
import { localFailures } from '../shared/local-failures.js';

/** The seed's error-code table, by HTTP status. */
export const TWIG_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limit_exceeded',
  500: 'internal_error',
  503: 'service_unavailable',
};

/** Codes of failures that carry no Twig answer; status is 0 for all but `malformed_response`. */
export type TwigLocalErrorCode = 'request_rejected' | 'network_error' | 'timeout' | 'malformed_response';

export interface TwigApiErrorInit extends ApiErrorInit {
  details?: Record<string, unknown>;
  requestId?: string;
}

/**
 * Thrown by every TwigClient call that did not end in the answer its endpoint promises:
 * - Twig answered an error status (`status` is it; `code`, `serverMessage`, `details`, `requestId` come from the
 *   seed's error body when Twig sent one), after the retries the seed allows (429, 500, 503) ran out;
 * - the client refused to send (`request_rejected`: invalid input, named field by field; nothing left the process);
 * - no answer arrived (`network_error`, `timeout`; status 0; never retried by the client, since Twig may have acted);
 * - a 2xx whose body breaks the contract (`malformed_response`, with the real status).
 *
 * `cause` holds what lay underneath: fetch's error for `network_error`, the abort reason for `timeout`, the ZodError
 * for `malformed_response`; it is undefined when Twig answered an error status. Never thrown for a caller's own
 * abort (that rejects with the signal's reason). No message or field ever holds the API key.
 *
 * `serverMessage` is Twig's own `error.message`; `retryable` is true for 429, 500, 503 and failures without an
 * answer; `retryAfterMs` is what Twig said (429's X-RateLimit-Reset) or the seed advises (503: "retry after 5-10
 * minutes").
 */
export class TwigApiError extends ProviderApiError {
  override name = 'TwigApiError';
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** The seed's `request_id`, for Twig support. */
  readonly requestId: string | undefined;

  constructor(init: TwigApiErrorInit) {
    super(init, init.requestId === undefined ? '' : ` request_id=${init.requestId}`);
    this.details = init.details;
    this.requestId = init.requestId;
  }
}

/** The seed's error body. `details` is an object in the seed's example; anything else there is dropped. */
export const twigErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).nullish().catch(undefined),
  }),
  request_id: z.string().optional(),
});

export type { ErrorAnswer };

/** An error status, whatever its body, as a TwigApiError. */
export function twigErrorFromAnswer(answer: ErrorAnswer): TwigApiError {
  const common = {
    status: answer.status,
    retryable: answer.retryable,
    retryAfterMs: answer.retryAfterMs,
    method: answer.method,
    path: answer.path,
    attempts: answer.attempts,
  };
  const parsed = twigErrorBodySchema.safeParse(jsonOrUndefined(answer.bodyText));
  if (parsed.success) {
    const { error, request_id } = parsed.data;
    return new TwigApiError({
      ...common,
      code: error.code,
      message: error.message,
      details: error.details ?? undefined,
      requestId: request_id,
    });
  }
  return new TwigApiError({
    ...common,
    code: TWIG_ERROR_CODES[answer.status] ?? `http_${answer.status}`,
    message: foreignBodyMessage(answer.status, answer.bodyText, 'Twig'),
  });
}

/** The input failed its schema; `detail` names the fields. */
export function requestRejected(detail: string, cause?: unknown): TwigApiError {
  return new TwigApiError({ status: 0, code: 'request_rejected', message: detail, retryable: false, cause });
}

/** `network_error`, `timeout` and `malformed_response`, as TwigApiErrors. */
export const { networkError, timeoutError, malformedResponse } = localFailures(
  (init) => new TwigApiError(init),
);
