// How one request travels: Bearer auth, a timeout, zod on the way out and on the way back, and the retry rule.
// Idempotent endpoints are retried on no-answer, 429 and 5xx within a bounded backoff. Writes that act in the
// world are retried only when the failure proves the platform did nothing (a 429, a connection never made);
// any other failure of theirs becomes an UnconfirmedWriteError, because a blind second attempt could create a
// second session or deliver a turn twice. The API key lives only in this closure's headers and is scrubbed from
// every error text; redirects are not followed, since they would carry it to another origin.
import type { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';
import { backoffDelayMs, backoffPolicy, sleep, type BackoffPolicy } from './backoff.js';
import {
  errorFromResponse,
  localError,
  ManagedAgentsApiError,
  networkError,
  timeoutError,
  UnconfirmedWriteError,
  type UnconfirmedOperation,
} from './errors.js';
import type { Route } from './routes.js';

/** How the client reaches the platform. */
export interface ManagedAgentsClientOptions {
  /** Scheme, host and optional path prefix, e.g. the emulator's `http://127.0.0.1:port`; no trailing `/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Per attempt, covering connect, headers and body; default 30 s. The event stream has its own bounds. */
  timeoutMs?: number;
  /** Retries of idempotent calls; default DEFAULT_BACKOFF. */
  retry?: Partial<BackoffPolicy>;
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborting rejects with the signal's own reason, not a ManagedAgentsApiError. */
  signal?: AbortSignal;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** One call: the endpoint, its filled path, and the schemas of what goes out and comes back. */
export interface Call<T> {
  route: Route;
  path: string;
  query?: Query;
  body?: { schema: z.ZodType; value: unknown };
  /** Undefined for endpoints that answer no content (204). */
  response?: z.ZodType<T>;
  /** The write this call performs, when it is not idempotent; names the UnconfirmedWriteError. */
  operation?: UnconfirmedOperation;
}

/** The request functions of one client: JSON calls, and opening the event stream. */
export interface Transport {
  call<T>(spec: Call<T>, options?: RequestOptions): Promise<T>;
  /** A 2xx event-stream response, its body unread; failures as ManagedAgentsApiError, never retried here. */
  openStream(path: string, query: Query, signal: AbortSignal): Promise<Response>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function failureOf(err: unknown): { detail: string; code?: string } {
  if (!(err instanceof Error)) return { detail: String(err) };
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? cause?.message;
  return { detail: typeof detail === 'string' ? `${err.message} (${detail})` : err.message, code };
}

/** Throws a TypeError naming the problem for options no request could succeed with; never echoes the key. */
function checkedOptions(options: ManagedAgentsClientOptions): { baseUrl: string; timeoutMs: number } {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`managed-agents client: baseUrl ${JSON.stringify(options.baseUrl)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`managed-agents client: baseUrl must be http(s), got ${url.protocol}`);
  }
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError('managed-agents client: apiKey is missing');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`managed-agents client: timeoutMs must be a positive integer, got ${timeoutMs}`);
  }
  return { baseUrl: options.baseUrl.replace(/\/+$/, ''), timeoutMs };
}

/** The transport of one client; throws a TypeError at once on invalid options. */
export function createTransport(options: ManagedAgentsClientOptions): Transport {
  const { baseUrl, timeoutMs } = checkedOptions(options);
  const retry = backoffPolicy(options.retry, 'retry');
  const fetchImpl = options.fetch ?? fetch;
  const { apiKey } = options;
  const redact = (text: string) => text.split(apiKey).join('[redacted]');
  const headersFor = (accept: string, hasBody: boolean): Record<string, string> => ({
    authorization: `Bearer ${apiKey}`,
    accept,
    ...(hasBody && { 'content-type': 'application/json' }),
  });

  /** One HTTP exchange; the answer's body is read within the same timeout. */
  async function exchange(spec: Call<unknown>, payload: string | undefined, caller?: AbortSignal) {
    const where = { method: spec.route.method, path: spec.path };
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(`${baseUrl}${spec.path}${queryString(spec.query)}`, {
        method: spec.route.method,
        headers: headersFor('application/json', payload !== undefined),
        body: payload,
        redirect: 'manual',
        signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
      });
      return { status: response.status, headers: response.headers, bodyText: redact(await response.text()) };
    } catch (err) {
      if (caller?.aborted) throw caller.reason;
      if (timeout.aborted) throw timeoutError(timeoutMs, where);
      const failure = failureOf(err);
      throw networkError(err, redact(failure.detail), where, failure.code);
    }
  }

  function decode<T>(spec: Call<T>, answer: { status: number; bodyText: string }): T {
    const where = { method: spec.route.method, path: spec.path };
    if (!spec.response) return undefined as T;
    let json: unknown;
    try {
      json = answer.bodyText.trim() === '' ? undefined : JSON.parse(answer.bodyText);
    } catch (err) {
      throw localError('MALFORMED_RESPONSE', `HTTP ${answer.status} body is not JSON`, where, err);
    }
    const parsed = spec.response.safeParse(json);
    if (parsed.success) return parsed.data;
    const detail = redact(zodIssueLines(parsed.error, { root: 'body', limit: 5 }).join('; '));
    throw localError('MALFORMED_RESPONSE', `HTTP ${answer.status} answer: ${detail}`, where, parsed.error);
  }

  async function attempt<T>(spec: Call<T>, payload: string | undefined, signal?: AbortSignal): Promise<T> {
    const answer = await exchange(spec, payload, signal);
    if (answer.status < 200 || answer.status >= 300) {
      throw errorFromResponse(answer, { method: spec.route.method, path: spec.path });
    }
    return decode(spec, answer);
  }

  /** Idempotent calls retry whatever is retryable; writes only what provably did not happen. */
  const mayRetry = (spec: Call<unknown>, err: ManagedAgentsApiError) =>
    err.retryable && (spec.route.idempotent || !err.mayHavePerformed);

  async function call<T>(spec: Call<T>, requestOptions: RequestOptions = {}): Promise<T> {
    const { signal } = requestOptions;
    let payload: string | undefined;
    if (spec.body) {
      const checked = spec.body.schema.safeParse(spec.body.value);
      if (!checked.success) {
        const detail = redact(zodIssueLines(checked.error, { root: 'body' }).join('; '));
        throw new TypeError(`${spec.route.method} ${spec.path}: invalid request: ${detail}`);
      }
      payload = JSON.stringify(checked.data);
    }
    const sentAt = new Date().toISOString();
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(spec, payload, signal);
      } catch (err) {
        if (!(err instanceof ManagedAgentsApiError)) throw err;
        if (tries < retry.maxAttempts && mayRetry(spec, err)) {
          await sleep(backoffDelayMs(retry, tries, err.retryAfterMs), signal);
          continue;
        }
        if (spec.operation && !spec.route.idempotent && err.mayHavePerformed) {
          throw new UnconfirmedWriteError(spec.operation, sentAt, err);
        }
        throw err;
      }
    }
  }

  async function openStream(path: string, query: Query, signal: AbortSignal): Promise<Response> {
    const where = { method: 'GET', path };
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}${queryString(query)}`, {
        headers: headersFor('text/event-stream', false),
        redirect: 'manual',
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const failure = failureOf(err);
      throw networkError(err, redact(failure.detail), where, failure.code);
    }
    if (response.status < 200 || response.status >= 300) {
      const bodyText = redact(await response.text().catch(() => ''));
      throw errorFromResponse({ status: response.status, headers: response.headers, bodyText }, where);
    }
    if (!response.body || !/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel();
      throw localError('MALFORMED_RESPONSE', 'the stream answered without text/event-stream', where);
    }
    return response;
  }

  return { call, openStream };
}
