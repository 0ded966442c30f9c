// How an HTTP answer from Twin becomes a TwinApiError (the type itself is twin-api-error.ts, re-exported here so
// callers import one module). Twin answers RFC 9457 problem+json today, often without `type`; older deployments
// answer `{error:{code,message}}` with gRPC code names (seed 000); proxies in between answer HTML or plain text;
// and the gateway answers HTTP 200 `application/grpc` with a `grpc-status` header on routes it does not
// implement (observed by integrators, /work/shared/twin-api.md). All of them end up here.
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { TwinApiError } from './twin-api-error.js';

export * from './twin-api-error.js';

/**
 * gRPC names, as the legacy shape uses them, so the same failure has the same code whichever shape Twin answers
 * in. 409 is FAILED_PRECONDITION because that is what Twin's 409s mean (agent not deployed, seed 000's example);
 * a legacy body that says ALREADY_EXISTS keeps its own code. 405 has no gRPC counterpart, so it keeps its name.
 */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
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
 * The longest wait a `Retry-After` can impose. The value becomes the activity's `nextRetryDelay`, so a proxy's
 * "come back tomorrow" (or a far-future date from a skewed clock) would park a pipeline step silently for that
 * long. Twin documents no rate limits; five minutes covers the usual per-minute windows, and if Twin is still
 * not ready it answers 429 again on the next attempt.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms every recipient must accept. */
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC_850 = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`,
);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/** Date.parse alone would also read "soon 1" as a date in 2001, so only the three HTTP-date forms get to it. */
function parseHttpDate(value: string): number | undefined {
  if (ASCTIME.test(value)) value = `${value} GMT`;
  else if (!IMF_FIXDATE.test(value) && !RFC_850.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds to wait, capped at MAX_RETRY_AFTER_MS, or undefined when
 * absent or unreadable (the activity's own backoff then applies). A bare number is delay-seconds, a whole number
 * of SECONDS; otherwise an HTTP-date, and one in the past means "now" (0).
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const wait = /^\d+$/.test(value) ? Number(value) * 1000 : subtractFrom(parseHttpDate(value), now);
  return wait === undefined ? undefined : Math.min(wait, MAX_RETRY_AFTER_MS);
}

function subtractFrom(at: number | undefined, now: number): number | undefined {
  return at === undefined ? undefined : Math.max(0, at - now);
}

/**
 * How long the server asked us to wait. Only the standard `Retry-After` counts: `Retry-After-Ms` was our
 * emulator's invention and no Twin document promises it.
 */
export function retryAfterMsOf(headers: Headers, now: number = Date.now()): number | undefined {
  return parseRetryAfter(headers.get('retry-after'), now);
}

/** A member of the wrong type is dropped on its own, so it cannot turn a readable problem into raw text. */
const member = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** `type` is optional in practice: Twin was seen answering `{detail, status, title}` alone. */
const problemSchema = z.looseObject({
  type: member(z.string()),
  title: member(z.string()),
  detail: member(z.string()),
  /** Not in RFC 9457 itself but allowed as an extension member; lets a server name a precise code. */
  code: member(z.string().min(1)),
});

const legacySchema = z.object({
  error: z.object({ code: z.string().min(1), message: member(z.string()) }),
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

/** `Allow: GET, DELETE` as `['GET', 'DELETE']`; undefined when absent or empty. */
function allowedMethodsOf(headers: Headers): string[] | undefined {
  const methods = (headers.get('allow') ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  return methods.length > 0 ? methods : undefined;
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
  const allowedMethods = status === 405 ? allowedMethodsOf(headers) : undefined;
  const refused =
    allowedMethods && `${method ?? 'this method'} is not allowed; Allow: ${allowedMethods.join(', ')}`;
  return new TwinApiError({
    status,
    title,
    detail: body.detail ?? refused ?? title,
    code: body.code ?? codeOfStatus(status),
    retryable: isRetryableStatus(status),
    retryAfterMs: retryAfterMsOf(headers, now),
    type: body.type,
    allowedMethods,
    method,
    path,
  });
}

/** Index = the numeric `grpc-status` (https://grpc.io/docs/guides/status-codes/). */
const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** gRPC's guidance: only UNAVAILABLE is safe to retry without knowing the method. */
const RETRYABLE_GRPC = new Set<string>(['UNAVAILABLE']);

/**
 * A 2xx that is a gRPC answer, not JSON, as a TwinApiError: code from `grpc-status` (UNIMPLEMENTED for the
 * gateway's unimplemented routes), else MALFORMED_RESPONSE. Undefined for anything that is not gRPC. Twin routed
 * the request, so `mayHavePerformed` is true. `grpc-message` is not copied: only bodies are scrubbed of the key.
 */
export function grpcAnswerError(response: ErrorResponse): TwinApiError | undefined {
  const { status, headers, method, path } = response;
  const isGrpc = /^application\/grpc/i.test(headers.get('content-type') ?? '') || headers.has('grpc-status');
  if (!isGrpc) return undefined;
  const grpcStatus = headers.get('grpc-status')?.trim() ?? '';
  const name = /^\d+$/.test(grpcStatus) ? GRPC_CODES[Number(grpcStatus)] : undefined;
  const code = name && name !== 'OK' ? name : 'MALFORMED_RESPONSE';
  return new TwinApiError({
    status,
    title: 'gRPC answer',
    detail: `HTTP ${status} answered as gRPC (grpc-status ${grpcStatus || 'absent'}) where JSON was due`,
    code,
    retryable: RETRYABLE_GRPC.has(code),
    mayHavePerformed: true,
    method,
    path,
  });
}
