// The two ways a call to the platform fails. ManagedAgentsApiError is every failure that leaves the world as it
// was or that repeating cannot make worse; UnconfirmedWriteError is the one a caller must not paper over by
// trying again: a session or turn that may or may not exist. Both carry method and path, never the base URL,
// headers or the API key, so they are safe in logs and workflow histories.
import { STATUS_CODES } from 'node:http';
import type { z } from 'zod';
import { parseRetryAfter } from '../twin/client/errors.js';
import { errorBodySchema } from './schemas.js';

/** Codes of failures that have no HTTP answer to name them. */
export type LocalErrorCode =
  'NETWORK' | 'TIMEOUT' | 'MALFORMED_RESPONSE' | 'MALFORMED_EVENT' | 'EVENT_ORDER' | 'STREAM_EXHAUSTED';

export interface ManagedAgentsApiErrorInit {
  /** HTTP status, or 0 when no answer arrived or the failure was found locally. */
  status: number;
  code: string;
  message: string;
  requestId?: string;
  method?: string;
  path?: string;
  retryable: boolean;
  /** Whether the platform may have acted on the request; see the field's TSDoc. */
  mayHavePerformed: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Thrown by every client call and by the session follower when the platform did not give the answer its
 * contract promises: an HTTP error answer (status and code from the body, A2), no answer at all (status 0,
 * code NETWORK or TIMEOUT), a 2xx whose body breaks the schema (MALFORMED_RESPONSE), an unreadable stream event
 * (MALFORMED_EVENT), event IDs out of the assumed order (EVENT_ORDER), or a stream that could neither be resumed
 * nor reconciled within its bounds (STREAM_EXHAUSTED). Never thrown for the caller's own abort, which rejects
 * with the signal's reason. `cause` holds the underlying failure where there is one: fetch's error for NETWORK,
 * the ZodError for MALFORMED_*, the last stream failure for STREAM_EXHAUSTED; undefined for HTTP error answers,
 * whose body is already summarised in `code` and `message`.
 */
export class ManagedAgentsApiError extends Error {
  override name = 'ManagedAgentsApiError';
  readonly status: number;
  readonly code: string;
  /** From the body's `request_id` or the `request-id` / `x-request-id` header, when the platform sent one. */
  readonly requestId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** Whether asking again may succeed: no answer, 429 or 5xx. */
  readonly retryable: boolean;
  /**
   * False only when the platform certainly did not act: the connection was never made, or it answered a 4xx
   * other than 408. A timeout, a connection lost after sending, a 5xx or a malformed 2xx leave it open.
   */
  readonly mayHavePerformed: boolean;
  /** The `Retry-After` the platform asked for, in milliseconds (capped). */
  readonly retryAfterMs: number | undefined;

  constructor(init: ManagedAgentsApiErrorInit) {
    const where = init.method && init.path ? ` [${init.method} ${init.path}]` : '';
    const request = init.requestId ? ` (request ${init.requestId})` : '';
    super(`${init.code} (${init.status}): ${init.message}${where}${request}`, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    this.mayHavePerformed = init.mayHavePerformed;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The writes that act in the world and are never repeated blindly. */
export type UnconfirmedOperation = 'createAgent' | 'updateAgent' | 'createSession' | 'sendTurn';

const RECONCILE_HINT: Record<UnconfirmedOperation, string> = {
  createAgent: 'list agents and look for one with this name before creating another',
  updateAgent: "list the agent's versions and look for this change before updating again",
  createSession: 'list sessions of this agent created since sentAt and look for this input',
  sendTurn: "read the session's event log after the last recorded event and look for this turn",
};

/**
 * Thrown instead of a ManagedAgentsApiError when a write that acts in the world (creating a session, sending a
 * turn, creating or updating an agent) failed in a way that leaves open whether the platform performed it: a
 * timeout, a connection lost after sending, a 5xx, a malformed 2xx. The client does not retry it, because a
 * second attempt could start a second session or send the turn twice. The caller decides by looking:
 * `reconcile` says where. `cause` is the ManagedAgentsApiError of the failed attempt.
 */
export class UnconfirmedWriteError extends Error {
  override name = 'UnconfirmedWriteError';
  /** How to find out whether the write happened. */
  readonly reconcile: string;

  constructor(
    readonly operation: UnconfirmedOperation,
    /** When the request was sent (ISO-8601), to bound the search among sessions or events. */
    readonly sentAt: string,
    override readonly cause: ManagedAgentsApiError,
  ) {
    super(`${operation} may or may not have been performed: ${cause.message}`, { cause });
    this.reconcile = RECONCILE_HINT[operation];
  }
}

type Where = { method?: string; path?: string };

/** Failure codes meaning no connection was ever made, so no byte of the request reached the platform. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** No answer arrived; `failureCode` is the system error code on fetch's cause, when it had one. */
export function networkError(cause: unknown, detail: string, where: Where, failureCode?: string) {
  return new ManagedAgentsApiError({
    status: 0,
    code: 'NETWORK',
    message: detail,
    retryable: true,
    mayHavePerformed: failureCode === undefined || !NEVER_CONNECTED.has(failureCode),
    cause,
    ...where,
  });
}

/** The whole answer did not arrive in time; the request may have been acted on. */
export function timeoutError(timeoutMs: number, where: Where) {
  return new ManagedAgentsApiError({
    status: 0,
    code: 'TIMEOUT',
    message: `no complete answer within ${timeoutMs} ms`,
    retryable: true,
    mayHavePerformed: true,
    ...where,
  });
}

/** A failure found locally (a bad 2xx body, an unreadable event, …); asking again would give the same. */
export function localError(code: LocalErrorCode, message: string, where: Where = {}, cause?: unknown) {
  return new ManagedAgentsApiError({
    status: 0,
    code,
    message,
    retryable: false,
    mayHavePerformed: true,
    cause,
    ...where,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const MAX_MESSAGE_CHARS = 500;

/** The platform's code for an answer whose body names none, e.g. `not_found` for 404. */
export function codeOfStatus(status: number): string {
  const words = STATUS_CODES[status];
  return words ? words.toLowerCase().replace(/[^a-z0-9]+/g, '_') : `http_${status}`;
}

/** Any non-2xx answer, whatever its body (A2's shape, problem+json, a proxy's HTML), as an error. */
export function errorFromResponse(
  answer: { status: number; headers: Headers; bodyText: string },
  where: Where,
): ManagedAgentsApiError {
  const { status, headers, bodyText } = answer;
  const parsed = errorBodySchema.safeParse(parseJson(bodyText));
  const body: Partial<z.output<typeof errorBodySchema>> = parsed.success ? parsed.data : {};
  const text = bodyText.trim().slice(0, MAX_MESSAGE_CHARS);
  return new ManagedAgentsApiError({
    status,
    code: body.code ?? codeOfStatus(status),
    message: body.message ?? (text || (STATUS_CODES[status] ?? 'error')),
    requestId: body.request_id ?? headers.get('request-id') ?? headers.get('x-request-id') ?? undefined,
    retryable: status === 429 || status >= 500,
    mayHavePerformed: status < 400 || status >= 500 || status === 408,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    ...where,
  });
}
