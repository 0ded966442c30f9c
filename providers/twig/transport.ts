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
import { abortableSleep } from '../shared/abortable-sleep.js';
import { decodeAnswer } from '../shared/answer-body.js';
import type { Where } from '../shared/api-error.js';
import { bearerWire, failureText, type AttemptOutcome, type HttpAnswer } from '../shared/http-attempt.js';
import { fillId, queryString, type CallSpec, type RequestOptions } from '../shared/request-wire.js';
import { ScopeBudgets, type RateLimit } from './rate-budget.js';
import { isRetryableStatus, rateLimitResetMs, retryDecision, type TwigRetryPolicy } from './retry-policy.js';
import type { TwigScope } from './endpoints.js';

export interface Call<T> extends CallSpec<TwigEndpointName, T> {
  /** 204 (delete) and bodies the seed does not show (sync, feedback) may be empty. */
  emptyBody?: 'required' | 'allowed';
}

export type { RequestOptions };

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
  return fillId(
    TWIG_ENDPOINTS[call.endpoint].path,
    call.id,
    (id) => id !== '',
    () => requestRejected(`${call.endpoint}: id must be a non-empty ID`),
  );
}

export function createTwigTransport(settings: TransportSettings) {
  const budgets = new ScopeBudgets(settings.rateLimits);
  const wire = bearerWire(settings);

  /** Twig: no answer at all is final at once (never retried: Twig may have acted). */
  function answerOf(outcome: AttemptOutcome, where: Where): HttpAnswer {
    if (outcome.kind === 'answer') return outcome.answer;
    if (outcome.kind === 'timeout') throw timeoutError(settings.timeoutMs, where, outcome.reason);
    throw networkError(wire.redact(failureText(outcome.error)), where, outcome.error);
  }

  function decode<T>(call: Call<T>, answer: HttpAnswer, where: Where): T {
    if (call.emptyBody === 'required' && answer.bodyText.trim() !== '') {
      throw malformedResponse(answer.status, 'expected no body', where);
    }
    const whenEmpty = call.emptyBody === undefined ? undefined : {};
    return decodeAnswer(answer.bodyText, call.response, whenEmpty, (detail, cause) =>
      malformedResponse(answer.status, detail, where, cause),
    );
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
    const init = wire.init(endpoint.method, payload);

    for (let attempt = 1; ; attempt++) {
      const where = { method: endpoint.method, path, attempts: attempt };
      await budgets.take(endpoint.scope, options.signal);
      const answer = answerOf(await wire.attempt(path, init, options.signal), where);
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
