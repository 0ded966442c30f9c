// How one Twin.ai call travels: input checked against its schema (a TwinAiInputError names the field and the
// limit, and nothing is sent), `Authorization: Bearer <key>` over HTTPS (plain HTTP only to a loopback address: the
// emulator), redirects not followed (they would carry the key elsewhere), each attempt bounded by a timeout, the
// answer checked with zod. Failures go through retry-policy.ts. What decides between "retry", "unconfirmed" and
// "final" is whether the request may have reached Twin, so a fetch failure is sorted first: a refused connection
// or a failed DNS lookup never left the process; anything else (a timeout, a cut connection) may have.
import type { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';
import { TWIN_AI_ENDPOINTS, type TwinAiEndpointName } from './endpoints.js';
import {
  malformedResponse,
  networkError,
  timeoutError,
  TwinAiApiError,
  twinAiErrorFromAnswer,
  TwinAiInputError,
  TwinAiUnconfirmedError,
  type Where,
} from './errors.js';
import {
  abortableSleep,
  rateLimitResetMs,
  retryAfterMs,
  retryDecision,
  type FailedAttempt,
  type TwinAiRetryPolicy,
} from './retry-policy.js';

export interface Call<T> {
  endpoint: TwinAiEndpointName;
  /** Fills the endpoint's `:id`. */
  id?: string;
  query?: { schema: z.ZodType; value: unknown };
  body?: { schema: z.ZodType; value: unknown };
  response: z.ZodType<T>;
  /** The answer may be empty (the seed shows none for it); it then parses as `{}`. */
  emptyBodyAllowed?: boolean;
}

export interface RequestOptions {
  /** Aborting rejects with the signal's own reason, while waiting for an answer or a retry. */
  signal?: AbortSignal;
}

export interface RetryEvent {
  endpoint: TwinAiEndpointName;
  attempt: number;
  /** The status that is retried, or 0 for a failure without an answer. */
  status: number;
  delayMs: number;
}

export interface TransportSettings {
  baseUrl: URL;
  apiKey: string;
  timeoutMs: number;
  retry: TwinAiRetryPolicy;
  fetch: typeof fetch;
  /** Called before each retry; never given the key. */
  onRetry?: (event: RetryEvent) => void;
}

interface Answer {
  status: number;
  headers: Headers;
  bodyText: string;
}

/** Errors fetch reports when no connection was made, so no byte of the request reached anyone. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

type Outcome = { answer: Answer } | { failure: TwinAiApiError; kind: 'unsent' | 'lost' };

function checked(schema: z.ZodType, value: unknown, what: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : what;
  const limit = first?.code === 'too_big' ? Number(first.maximum) : undefined;
  const detail = `invalid ${what}: ${zodIssueLines(result.error, { limit: 5 }).join('; ')}`;
  throw new TwinAiInputError(field, limit, detail, result.error);
}

function pathOf(call: Call<unknown>): string {
  const template: string = TWIN_AI_ENDPOINTS[call.endpoint].path;
  if (!template.includes(':id')) return template;
  const id = call.id ?? '';
  if (id.trim() === '' || id === '.' || id === '..') {
    throw new TwinAiInputError('id', undefined, `${call.endpoint}: id must be a non-empty ID`, undefined);
  }
  return template.replace(':id', encodeURIComponent(id));
}

function queryString(value: unknown): string {
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (v !== undefined) params.set(name, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function failureCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { message?: unknown } | undefined;
  const detail = failureCode(err) ?? cause?.message;
  return typeof detail === 'string' ? `${err.message} (${detail})` : err.message;
}

export function createTwinAiTransport(settings: TransportSettings) {
  const base = settings.baseUrl.href.replace(/\/+$/, '');
  const redact = (text: string) => text.split(settings.apiKey).join('[redacted]');

  async function exchange(
    url: string,
    init: RequestInit,
    where: Where,
    signal?: AbortSignal,
  ): Promise<Outcome> {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    try {
      const res = await settings.fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const answer = { status: res.status, headers: res.headers, bodyText: redact(await res.text()) };
      return { answer };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        return { failure: timeoutError(settings.timeoutMs, where, timeout.reason), kind: 'lost' };
      }
      const unsent = NOT_SENT.has(failureCode(err) ?? '');
      const failure = networkError(redact(failureText(err)), where, err, !unsent);
      return { failure, kind: unsent ? 'unsent' : 'lost' };
    }
  }

  function decode<T>(call: Call<T>, answer: Answer, where: Where): T {
    const text = answer.bodyText.trim();
    let json: unknown = call.emptyBodyAllowed ? {} : undefined;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw malformedResponse(answer.status, 'body is not JSON', where, err);
      }
    }
    const result = call.response.safeParse(json);
    if (result.success) return result.data;
    const detail = text === '' ? 'body is empty' : zodIssueLines(result.error, { limit: 5 }).join('; ');
    throw malformedResponse(answer.status, detail, where, result.error);
  }

  /** Resolves to the parsed answer or rejects with a TwinAiApiError (or the caller's abort reason). */
  return async function call<T>(spec: Call<T>, options: RequestOptions = {}): Promise<T> {
    const endpoint = TWIN_AI_ENDPOINTS[spec.endpoint];
    const query = spec.query && checked(spec.query.schema, spec.query.value, `${spec.endpoint} parameters`);
    const payload =
      spec.body && JSON.stringify(checked(spec.body.schema, spec.body.value, `${spec.endpoint} body`));
    const path = `${pathOf(spec)}${queryString(query)}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${settings.apiKey}`,
      accept: 'application/json',
    };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method: endpoint.method, headers, body: payload, redirect: 'manual' };
    let previous: TwinAiApiError | undefined;

    for (let attempt = 1; ; attempt++) {
      const where = { method: endpoint.method, path, attempts: attempt };
      const outcome = await exchange(`${base}${path}`, init, where, options.signal);
      if ('answer' in outcome && outcome.answer.status >= 200 && outcome.answer.status < 300) {
        return decode(spec, outcome.answer, where);
      }
      const { failed, error } = assess(outcome, {
        attempt,
        idempotent: endpoint.idempotent,
        where,
        previous,
      });
      const decision = retryDecision(settings.retry, failed);
      if (!decision.retry) throw decision.unconfirmed ? new TwinAiUnconfirmedError(error) : error;
      previous = error;
      const status = failed.kind === 'status' ? failed.status : 0;
      settings.onRetry?.({ endpoint: spec.endpoint, attempt, status, delayMs: decision.delayMs });
      await abortableSleep(decision.delayMs, options.signal);
    }
  };
}

interface AttemptContext {
  attempt: number;
  idempotent: boolean;
  where: Where;
  /** The previous attempt's error, kept as the next one's cause so the history survives. */
  previous: TwinAiApiError | undefined;
}

/** One failed attempt, as the retry policy's input and the error the call ends with if it is not retried. */
function assess(outcome: Outcome, ctx: AttemptContext): { failed: FailedAttempt; error: TwinAiApiError } {
  const nowMs = Date.now();
  const base = { attempt: ctx.attempt, idempotent: ctx.idempotent };
  if ('failure' in outcome) return { failed: { ...base, kind: outcome.kind }, error: outcome.failure };
  const { answer } = outcome;
  const status = answer.status;
  const limited = status === 429;
  const resetAtMs = limited ? rateLimitResetMs(answer.headers.get('x-ratelimit-reset')) : undefined;
  const wait =
    (limited ? retryAfterMs(answer.headers.get('retry-after'), nowMs) : undefined) ??
    (resetAtMs === undefined ? undefined : Math.max(0, resetAtMs - nowMs));
  const error = twinAiErrorFromAnswer({
    ...answer,
    ...ctx.where,
    retryable: limited || (status >= 500 && ctx.idempotent),
    retryAfterMs: wait,
    cause: ctx.previous,
  });
  return { failed: { ...base, kind: 'status', status, retryAfterMs: wait }, error };
}

export type TwinAiTransport = ReturnType<typeof createTwinAiTransport>;
