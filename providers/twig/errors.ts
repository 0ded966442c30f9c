// The one error every TwigClient call rejects with, and how an HTTP answer becomes one. The seed's error body is
// `{error:{code,message,details},request_id}`, and "request_id: include when contacting support", so the ID is kept
// on the error and in its message. The seed's own example pairs code `invalid_request` with "Agent not found", so
// the HTTP status, never the code, decides what a failure means (A9). Bodies in any other shape (a proxy's HTML, an
// empty 503) still become a TwigApiError, coded from the status by the seed's table.
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

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

export interface TwigApiErrorInit {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string;
  retryable: boolean;
  retryAfterMs?: number;
  method?: string;
  path?: string;
  attempts?: number;
  cause?: unknown;
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
 */
export class TwigApiError extends Error {
  override name = 'TwigApiError';
  /** HTTP status, or 0 when no answer arrived or the client refused to send. */
  readonly status: number;
  readonly code: string;
  /** Twig's own `error.message`, verbatim (the `message` of this Error adds status, code and request ID). */
  readonly serverMessage: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** The seed's `request_id`, for Twig support. */
  readonly requestId: string | undefined;
  /** Whether trying again later can succeed: 429, 500, 503, and failures without an answer. */
  readonly retryable: boolean;
  /** When Twig said how long to wait (429's X-RateLimit-Reset) or the seed does (503: "retry after 5-10 minutes"). */
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  /** Path and query only: never the base URL or a header. */
  readonly path: string | undefined;
  /** Requests sent for this call, retries included (0 when refused before sending). */
  readonly attempts: number;

  constructor(init: TwigApiErrorInit) {
    const id = init.requestId === undefined ? '' : ` request_id=${init.requestId}`;
    const where = init.method && init.path ? ` [${init.method} ${init.path}]` : '';
    super(`${init.code} (${init.status}): ${init.message}${id}${where}`, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.message;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 0;
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

export interface ErrorAnswer {
  status: number;
  bodyText: string;
  method: string;
  path: string;
  retryable: boolean;
  retryAfterMs?: number;
  attempts: number;
}

const SNIPPET = 200;

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
  let json: unknown;
  try {
    json = JSON.parse(answer.bodyText);
  } catch {
    json = undefined;
  }
  const parsed = twigErrorBodySchema.safeParse(json);
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
  const text = answer.bodyText.trim().slice(0, SNIPPET);
  return new TwigApiError({
    ...common,
    code: TWIG_ERROR_CODES[answer.status] ?? `http_${answer.status}`,
    message: `HTTP ${answer.status} ${STATUS_CODES[answer.status] ?? ''} without Twig's error body${text ? `: ${text}` : ''}`,
  });
}

type Where = { method: string; path: string; attempts: number };

/** The input failed its schema; `detail` names the fields. */
export function requestRejected(detail: string, cause?: unknown): TwigApiError {
  return new TwigApiError({ status: 0, code: 'request_rejected', message: detail, retryable: false, cause });
}

export function networkError(detail: string, where: Where, cause: unknown): TwigApiError {
  return new TwigApiError({
    status: 0,
    code: 'network_error',
    message: detail,
    retryable: true,
    cause,
    ...where,
  });
}

export function timeoutError(timeoutMs: number, where: Where, cause: unknown): TwigApiError {
  const message = `no complete answer within ${timeoutMs} ms`;
  return new TwigApiError({ status: 0, code: 'timeout', message, retryable: true, cause, ...where });
}

export function malformedResponse(
  status: number,
  detail: string,
  where: Where,
  cause?: unknown,
): TwigApiError {
  return new TwigApiError({
    status,
    code: 'malformed_response',
    message: detail,
    retryable: false,
    cause,
    ...where,
  });
}
