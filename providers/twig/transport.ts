// How one Twig call travels: input checked against its schema, a token taken from the endpoint's scope budget,
// `Authorization: Bearer <key>` sent over HTTPS (plain HTTP only to a loopback address: the emulator), redirects
// not followed (they would carry the key elsewhere), each attempt bounded by a timeout, the answer checked with zod.
// Error statuses retry per retry-policy.ts; a 429 also blocks its scope's bucket until the reset, so concurrent
// calls of that scope wait too while other scopes go on. The key lives only in this closure and is scrubbed from
// every answer text before it can reach an error.
import { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';
import { TWIG_ENDPOINTS, type TwigEndpoint, type TwigEndpointName } from './endpoints.js';
import {
  malformedResponse,
  networkError,
  requestRejected,
  timeoutError,
  twigErrorFromAnswer,
} from './errors.js';
import { abortableSleep, ScopeBudgets, type RateLimit } from './rate-budget.js';
import { isRetryableStatus, rateLimitResetMs, retryDecision, type TwigRetryPolicy } from './retry-policy.js';
import type { TwigScope } from './endpoints.js';

export interface Call<T> {
  endpoint: TwigEndpointName;
  /** Fills the endpoint's `:id`. */
  id?: string;
  query?: { schema: z.ZodType; value: unknown };
  body?: { schema: z.ZodType; value: unknown };
  response: z.ZodType<T>;
  /** 204 (delete) and bodies the seed does not show (sync, feedback) may be empty. */
  emptyBody?: 'required' | 'allowed';
}

export interface RequestOptions {
  /** Aborting rejects with the signal's own reason, while waiting for a token, an answer or a retry. */
  signal?: AbortSignal;
}

export interface TransportSettings {
  baseUrl: URL;
  apiKey: string;
  timeoutMs: number;
  retry: TwigRetryPolicy;
  rateLimits: Record<TwigScope, RateLimit>;
  fetch: typeof fetch;
  /** Called before each retry; never given the key. */
  onRetry?: (event: { endpoint: TwigEndpointName; attempt: number; status: number; delayMs: number }) => void;
}

interface Answer {
  status: number;
  headers: Headers;
  bodyText: string;
}

function checked<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw requestRejected(
      `invalid ${what}: ${zodIssueLines(result.error, { limit: 5 }).join('; ')}`,
      result.error,
    );
  }
  return result.data;
}

function pathOf(call: Call<unknown>): string {
  const template: string = TWIG_ENDPOINTS[call.endpoint].path;
  if (!template.includes(':id')) return template;
  const id = call.id ?? '';
  if (id === '' || id === '.' || id === '..')
    throw requestRejected(`${call.endpoint}: id must be a non-empty ID`);
  return template.replace(':id', encodeURIComponent(id));
}

function queryString(value: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries(value ?? {})) if (v !== undefined) params.set(name, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof detail === 'string' ? `${err.message} (${detail})` : err.message;
}

export function createTwigTransport(settings: TransportSettings) {
  const budgets = new ScopeBudgets(settings.rateLimits);
  const base = settings.baseUrl.href.replace(/\/+$/, '');
  const redact = (text: string) => text.split(settings.apiKey).join('[redacted]');

  async function exchange(
    url: string,
    init: RequestInit,
    where: { method: string; path: string; attempts: number },
    signal?: AbortSignal,
  ): Promise<Answer> {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    try {
      const res = await settings.fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      return { status: res.status, headers: res.headers, bodyText: redact(await res.text()) };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw timeoutError(settings.timeoutMs, where, timeout.reason);
      throw networkError(redact(failureText(err)), where, err);
    }
  }

  function decode<T>(
    call: Call<T>,
    answer: Answer,
    where: { method: string; path: string; attempts: number },
  ): T {
    const text = answer.bodyText.trim();
    if (call.emptyBody === 'required' && text !== '') {
      throw malformedResponse(answer.status, 'expected no body', where);
    }
    let json: unknown = call.emptyBody === undefined ? undefined : {};
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

  /** Resolves to the parsed answer or rejects with a TwigApiError (or the caller's abort reason). */
  return async function call<T>(spec: Call<T>, options: RequestOptions = {}): Promise<T> {
    const endpoint: TwigEndpoint = TWIG_ENDPOINTS[spec.endpoint];
    const query =
      spec.query &&
      (checked(spec.query.schema, spec.query.value, `${spec.endpoint} parameters`) as Record<
        string,
        unknown
      >);
    const payload =
      spec.body && JSON.stringify(checked(spec.body.schema, spec.body.value, `${spec.endpoint} body`));
    const path = `${pathOf(spec)}${queryString(query)}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${settings.apiKey}`,
      accept: 'application/json',
    };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method: endpoint.method, headers, body: payload, redirect: 'manual' };

    for (let attempt = 1; ; attempt++) {
      const where = { method: endpoint.method, path, attempts: attempt };
      await budgets.take(endpoint.scope, options.signal);
      const answer = await exchange(`${base}${path}`, init, where, options.signal);
      if (answer.status >= 200 && answer.status < 300) return decode(spec, answer, where);
      const resetAtMs =
        answer.status === 429 ? rateLimitResetMs(answer.headers.get('x-ratelimit-reset')) : undefined;
      if (resetAtMs !== undefined) budgets.blockUntil(endpoint.scope, resetAtMs);
      const decision = retryDecision(settings.retry, {
        status: answer.status,
        attempt,
        resetAtMs,
        nowMs: Date.now(),
        creates: endpoint.creates === true,
      });
      if (!decision.retry) {
        const retryable = isRetryableStatus(answer.status);
        throw twigErrorFromAnswer({ ...answer, ...where, retryable, retryAfterMs: decision.retryAfterMs });
      }
      settings.onRetry?.({
        endpoint: spec.endpoint,
        attempt,
        status: answer.status,
        delayMs: decision.delayMs,
      });
      await abortableSleep(decision.delayMs, options.signal);
    }
  };
}

export type TwigTransport = ReturnType<typeof createTwigTransport>;
