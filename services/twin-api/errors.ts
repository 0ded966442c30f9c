// One typed error for everything that can go wrong talking to Twin, so callers (above all the Temporal
// activities) decide retry vs. give up from `retryable`/`retryAfterMs` alone and never parse bodies themselves.
// Twin answers RFC 9457 problem+json today; older deployments answer `{error:{code,message}}` with gRPC code
// names (seed 000), and proxies in between answer HTML or plain text. All three end up here.
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

export interface TwinApiErrorInit {
  status: number;
  title: string;
  detail: string;
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** The problem `type` URI when the server sent one. */
  type?: string;
  method?: string;
  /** Path only, never the base URL or headers: nothing secret ends up in logs or workflow histories. */
  path?: string;
}

export class TwinApiError extends Error {
  override name = 'TwinApiError';
  /** HTTP status, or 0 when no response arrived (network failure, timeout) or the client refused to send. */
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly retryable: boolean;
  /** Always milliseconds, whichever header it came from (see retryAfterMsOf). */
  readonly retryAfterMs: number | undefined;
  readonly type: string | undefined;
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
    this.type = init.type;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * gRPC names, as the legacy shape uses them, so the same failure has the same code whichever shape Twin answers
 * in. 409 is FAILED_PRECONDITION because that is what Twin's 409s mean (agent not deployed, seed 000's example);
 * a legacy body that says ALREADY_EXISTS keeps its own code.
 */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'FAILED_PRECONDITION',
  412: 'FAILED_PRECONDITION',
  422: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function codeOfStatus(status: number): string {
  return CODE_OF_STATUS[status] ?? `HTTP_${status}`;
}

/** The client never retries by itself; this only classifies, and Temporal's retry policy does the waiting. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds to wait, or undefined when absent or unreadable.
 * A bare number is delay-seconds, a whole number of SECONDS; anything else is read as an HTTP-date, and one in
 * the past means "now" (0).
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** `Retry-After-Ms`: not standard, but the emulator (and some APIs) send it for sub-second precision. */
export function parseRetryAfterMs(header: string | null | undefined): number | undefined {
  const value = header?.trim();
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Math.ceil(Number(value));
}

/** How long the server asked us to wait: `Retry-After-Ms` when readable, since it is the more precise, else
 *  `Retry-After`. */
export function retryAfterMsOf(headers: Headers, now: number = Date.now()): number | undefined {
  return parseRetryAfterMs(headers.get('retry-after-ms')) ?? parseRetryAfter(headers.get('retry-after'), now);
}

const problemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  /** Not in RFC 9457 itself but allowed as an extension member; lets a server name a precise code. */
  code: z.string().optional(),
});

const legacySchema = z.object({
  error: z.object({ code: z.string().min(1), message: z.string().optional() }),
});

interface ParsedBody {
  title?: string;
  detail?: string;
  code?: string;
  type?: string;
}

const MAX_DETAIL_CHARS = 500;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseErrorBody(text: string): ParsedBody {
  const json = parseJson(text);
  const legacy = legacySchema.safeParse(json);
  if (legacy.success) return { code: legacy.data.error.code, detail: legacy.data.error.message };
  const problem = problemSchema.safeParse(json);
  if (problem.success && (problem.data.title ?? problem.data.detail) !== undefined) return problem.data;
  const trimmed = text.trim();
  return trimmed ? { detail: trimmed.slice(0, MAX_DETAIL_CHARS) } : {};
}

export interface ErrorResponse {
  status: number;
  headers: Headers;
  bodyText: string;
  method?: string;
  path?: string;
}

/** Any non-2xx answer, whatever its body, as a TwinApiError. Never throws. */
export function twinErrorFromResponse(response: ErrorResponse, now: number = Date.now()): TwinApiError {
  const { status, headers, bodyText, method, path } = response;
  const body = parseErrorBody(bodyText);
  const title = body.title ?? STATUS_CODES[status] ?? 'Error';
  return new TwinApiError({
    status,
    title,
    detail: body.detail ?? title,
    code: body.code ?? codeOfStatus(status),
    retryable: isRetryableStatus(status),
    retryAfterMs: retryAfterMsOf(headers, now),
    type: body.type,
    method,
    path,
  });
}

/** A failure before any response: refused connection, reset socket, DNS. Always worth another attempt. */
export function networkError(detail: string, where: { method?: string; path?: string } = {}): TwinApiError {
  return new TwinApiError({
    status: 0,
    title: 'Network error',
    detail,
    code: 'NETWORK',
    retryable: true,
    ...where,
  });
}

export function timeoutError(
  timeoutMs: number,
  where: { method?: string; path?: string } = {},
): TwinApiError {
  const detail = `no complete answer within ${timeoutMs} ms`;
  return new TwinApiError({
    status: 0,
    title: 'Timeout',
    detail,
    code: 'TIMEOUT',
    retryable: true,
    ...where,
  });
}

/** A 2xx whose body does not match the contract: retrying would get the same answer, so it is final. */
export function malformedResponseError(
  status: number,
  detail: string,
  where: { method?: string; path?: string } = {},
): TwinApiError {
  return new TwinApiError({
    status,
    title: 'Malformed response',
    detail,
    code: 'MALFORMED_RESPONSE',
    retryable: false,
    ...where,
  });
}

/** The client refused to send a request it knows Twin would reject (bad cron, empty ID, invalid body). */
export function invalidRequestError(code: string, detail: string): TwinApiError {
  return new TwinApiError({ status: 0, title: 'Invalid request', detail, code, retryable: false });
}
