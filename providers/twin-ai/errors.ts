// The errors every TwinAiClient call rejects with, and how an HTTP answer becomes one. The seed's error body is a
// bare `{"error": "<message>"}`, with no code, so the code is ours, derived from the status ("Twin uses standard
// HTTP status codes"): the status decides what a failure means and the message is kept verbatim for people. Bodies
// in any other shape (a proxy's HTML page, an empty 502) still become a TwinAiApiError, with a snippet of the body.
// Three failures get their own class because a caller must act differently on each: bad input (fix the call), the
// monthly answer limit (402: waiting will not help until the month turns or the plan changes) and an unconfirmed
// ask or create (Twin may have acted: look before sending it again).
import { z } from 'zod';
import { ProviderApiError, type ApiErrorInit, type Where } from '../shared/api-error.js';
import { foreignBodyMessage, jsonOrUndefined, type ErrorAnswer } from '../shared/error-body.js';
import { localFailures } from '../shared/local-failures.js';

export type { Where };

/** Our codes for the statuses Twin answers with; the seed names none. */
export const TWIN_AI_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'answer_limit_reached',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  500: 'server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** Codes of failures that carry no error answer from Twin. */
export type TwinAiLocalErrorCode =
  'invalid_input' | 'network_error' | 'timeout' | 'malformed_response' | 'unconfirmed';

export type TwinAiApiErrorInit = ApiErrorInit;

/**
 * Thrown by every TwinAiClient call that did not end in the answer its endpoint promises. `status` is Twin's HTTP
 * status, or 0 when no answer arrived or nothing was sent. `serverMessage` is the seed's `error` string verbatim
 * when Twin sent one. `cause` is what lay underneath: fetch's error (`network_error`), the timeout's reason
 * (`timeout`), the ZodError (`malformed_response`), and after retries the previous attempt's TwinAiApiError, so a
 * DELETE that met a 503 and then a 404 shows both. No message or field ever holds the API key. `retryable` is true
 * for 429, 5xx of idempotent calls and unsent requests; `retryAfterMs` is 429's Retry-After, when retries ran out or
 * the wait was too long to take.
 */
export class TwinAiApiError extends ProviderApiError {
  override name = 'TwinAiApiError';

  constructor(init: TwinAiApiErrorInit) {
    super(init);
  }
}

/** The client refused to send: `field` broke the seed's rule, and `limit` is the maximum when a length was over it. */
export class TwinAiInputError extends TwinAiApiError {
  override name = 'TwinAiInputError';
  constructor(
    readonly field: string,
    readonly limit: number | undefined,
    detail: string,
    cause: unknown,
  ) {
    super({ status: 0, code: 'invalid_input', message: detail, retryable: false, cause });
  }
}

/**
 * 402 Payment Required: "Monthly answer limit reached (500/500). Upgrade to Pro for 2,000 answers/month." Never
 * retried, by the client or (through `retryable: false`) by a Temporal activity: only a new month or a new plan
 * lifts it. `used` and `limit` are read from the seed's "(used/limit)" when the message has it, else undefined.
 */
export class TwinAiAnswerLimitError extends TwinAiApiError {
  override name = 'TwinAiAnswerLimitError';
  readonly used: number | undefined;
  readonly limit: number | undefined;

  constructor(init: Omit<TwinAiApiErrorInit, 'status' | 'code' | 'retryable'>) {
    super({ ...init, status: 402, code: 'answer_limit_reached', retryable: false });
    const counts = /\((\d+)\s*\/\s*(\d+)\)/.exec(init.message);
    this.used = counts ? Number(counts[1]) : undefined;
    this.limit = counts ? Number(counts[2]) : undefined;
  }
}

/**
 * A non-idempotent call (ask, create, resolve) was sent but no trustworthy answer came back — a timeout, a dropped
 * connection, or a 5xx that may follow a performed request. Twin may or may not have acted (spent an answer, opened
 * an escalation, stored a document), and the seed offers no idempotency key, so the client does not send it again.
 * `retryable` is false on purpose: look first (list the KB by title, the escalations by question) and decide.
 * `status` is the 5xx, or 0; `cause` is the underlying TwinAiApiError.
 */
export class TwinAiUnconfirmedError extends TwinAiApiError {
  override name = 'TwinAiUnconfirmedError';
  constructor(underlying: TwinAiApiError) {
    super({
      status: underlying.status,
      code: 'unconfirmed',
      message: `sent once, outcome unknown (${underlying.code}: ${underlying.serverMessage}); not sent again, since Twin may have acted`,
      retryable: false,
      method: underlying.method,
      path: underlying.path,
      attempts: underlying.attempts,
      cause: underlying,
    });
  }
}

/** The seed's error body. */
export const twinAiErrorBodySchema = z.looseObject({ error: z.string() });

export type { ErrorAnswer };

function serverMessageOf(status: number, bodyText: string): string {
  const parsed = twinAiErrorBodySchema.safeParse(jsonOrUndefined(bodyText));
  return parsed.success ? parsed.data.error : foreignBodyMessage(status, bodyText, 'Twin');
}

/** An error status, whatever its body, as a TwinAiApiError (a TwinAiAnswerLimitError for 402). */
export function twinAiErrorFromAnswer(answer: ErrorAnswer): TwinAiApiError {
  const common = {
    message: serverMessageOf(answer.status, answer.bodyText),
    method: answer.method,
    path: answer.path,
    attempts: answer.attempts,
    cause: answer.cause,
  };
  if (answer.status === 402) return new TwinAiAnswerLimitError(common);
  return new TwinAiApiError({
    ...common,
    status: answer.status,
    code: TWIN_AI_ERROR_CODES[answer.status] ?? `http_${answer.status}`,
    retryable: answer.retryable,
    retryAfterMs: answer.retryAfterMs,
  });
}

const local = localFailures((init) => new TwinAiApiError(init));

/** `timeout` and `malformed_response`, as TwinAiApiErrors. */
export const { timeoutError, malformedResponse } = local;

/** `network_error`; `sent` false (a refused connection, a failed lookup) says so in the message. */
export function networkError(detail: string, where: Where, cause: unknown, sent: boolean): TwinAiApiError {
  return local.networkError(sent ? detail : `${detail}; the request was not sent`, where, cause);
}
