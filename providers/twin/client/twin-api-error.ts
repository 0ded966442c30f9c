// The one error type for everything that can go wrong talking to Twin, and the failures that need no answer to
// classify (no connection, timeout, a request refused locally, a 2xx that breaks the contract). Callers decide
// from `retryable`, `retryAfterMs` and `mayHavePerformed` alone and never parse bodies themselves. How an HTTP
// answer becomes one of these is errors.ts.

export interface TwinApiErrorInit {
  status: number;
  title: string;
  detail: string;
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** Defaults to what `status` says (see mayHavePerformedStatus); give it whenever the status cannot tell. */
  mayHavePerformed?: boolean;
  /** The problem `type` URI when the server sent one. */
  type?: string;
  /** From the `Allow` header of a 405. */
  allowedMethods?: string[];
  method?: string;
  /** Path only, never the base URL or headers: nothing secret ends up in logs or workflow histories. */
  path?: string;
}

type Where = { method?: string; path?: string };

/**
 * Thrown by every TwinClient call that did not get the answer the contract promises; never thrown for a caller's
 * own abort (that rejects with the signal's reason).
 */
export class TwinApiError extends Error {
  override name = 'TwinApiError';
  /** HTTP status, or 0 when no response arrived (network failure, timeout) or the client refused to send. */
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly retryable: boolean;
  /** Always milliseconds, already capped (see retryAfterMsOf in errors.ts). */
  readonly retryAfterMs: number | undefined;
  /**
   * Whether Twin may have done what was asked. False only when it certainly did not: the client refused to send,
   * the connection was never established, or Twin answered a 4xx that refuses the request (every 4xx but 408).
   * True for everything else: timeouts, connections lost after sending, 408, 5xx, 3xx (a 303 after a POST means
   * "done") and 2xx answers that break the contract. A non-idempotent call (starting a run) must then look for
   * its effect before trying again.
   */
  readonly mayHavePerformed: boolean;
  readonly type: string | undefined;
  /** The methods a 405 said the path allows (its `Allow` header); undefined for any other answer. */
  readonly allowedMethods: readonly string[] | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(init: TwinApiErrorInit) {
    const where = init.method && init.path ? ` [${init.method} ${init.path}]` : '';
    super(`${init.code} (${init.status}) ${init.title}: ${init.detail}${where}`);
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.code = init.code;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.mayHavePerformed = init.mayHavePerformed ?? mayHavePerformedStatus(init.status);
    this.type = init.type;
    this.allowedMethods = init.allowedMethods;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * A 4xx refuses the request before acting on it, except 408 (the server gave up reading a request it may have
 * begun to act on). 3xx counts as performed because a 303 after a POST means exactly that; status 0 (no answer)
 * is unknown, so true.
 */
export function mayHavePerformedStatus(status: number): boolean {
  return status < 400 || status >= 500 || status === 408;
}

/**
 * Whether `error` leaves open that Twin performed the request. True for anything that is not a TwinApiError: an
 * unknown failure (a bug, a caller's abort mid-flight) proves nothing either way.
 */
export function mayHavePerformed(error: unknown): boolean {
  return error instanceof TwinApiError ? error.mayHavePerformed : true;
}

/**
 * Failure codes (Node's and undici's) that mean no connection was ever established, so no byte of the request
 * reached Twin. Anything else (ECONNRESET, "other side closed", …) may come after the request was sent.
 */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Thrown when no response arrived: refused connection, reset socket, DNS. Always worth another attempt.
 * `failureCode` is the system error code fetch's cause carried; without one, `mayHavePerformed` is true.
 */
export function networkError(detail: string, where: Where = {}, failureCode?: string): TwinApiError {
  return new TwinApiError({
    status: 0,
    title: 'Network error',
    detail,
    code: 'NETWORK',
    retryable: true,
    mayHavePerformed: failureCode === undefined || !NEVER_CONNECTED.has(failureCode),
    ...where,
  });
}

/** Thrown when the whole answer did not arrive within the client's timeout; the request may have been acted on. */
export function timeoutError(timeoutMs: number, where: Where = {}): TwinApiError {
  return new TwinApiError({
    status: 0,
    title: 'Timeout',
    detail: `no complete answer within ${timeoutMs} ms`,
    code: 'TIMEOUT',
    retryable: true,
    mayHavePerformed: true,
    ...where,
  });
}

/**
 * Thrown for a 2xx whose body is not what the endpoint promises (empty, not JSON, wrong shape). Retrying would get
 * the same answer, so it is final; a 2xx means Twin routed the request, so it may have been performed.
 */
export function malformedResponseError(status: number, detail: string, where: Where = {}): TwinApiError {
  return new TwinApiError({
    status,
    title: 'Malformed response',
    detail,
    code: 'MALFORMED_RESPONSE',
    retryable: false,
    mayHavePerformed: true,
    ...where,
  });
}

/** Thrown before sending a request Twin would reject (bad cron, empty ID, invalid body): nothing reached Twin. */
export function invalidRequestError(code: string, detail: string): TwinApiError {
  return new TwinApiError({
    status: 0,
    title: 'Invalid request',
    detail,
    code,
    retryable: false,
    mayHavePerformed: false,
  });
}

/**
 * Thrown by the list-everything helpers when Twin's paging would never end (`code` PAGING_LOOP: the same cursor
 * twice; TOO_MANY_PAGES: more pages than the bound). Asking again would page the same way, so it is final.
 */
export function pagingError(code: 'PAGING_LOOP' | 'TOO_MANY_PAGES', detail: string, where: Where = {}) {
  return new TwinApiError({
    status: 0,
    title: 'Endless paging',
    detail,
    code,
    retryable: false,
    mayHavePerformed: true,
    ...where,
  });
}
