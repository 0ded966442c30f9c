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
import { abortableSleep } from '../shared/abortable-sleep.js';
import { decodeAnswer } from '../shared/answer-body.js';
import {
  bearerWire,
  failureCode,
  failureText,
  type AttemptOutcome,
  type HttpAnswer,
} from '../shared/http-attempt.js';
import { fillId, queryString, type CallSpec, type RequestOptions } from '../shared/request-wire.js';
import {
  rateLimitResetMs,
  retryAfterMs,
  retryDecision,
  type FailedAttempt,
  type TwinAiRetryPolicy,
} from './retry-policy.js';

export interface Call<T> extends CallSpec<TwinAiEndpointName, T> {
  /** The answer may be empty (the seed shows none for it); it then parses as `{}`. */
  emptyBodyAllowed?: boolean;
}

export type { RequestOptions };

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

/** Errors fetch reports when no connection was made, so no byte of the request reached anyone. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

type Outcome = { answer: HttpAnswer } | { failure: TwinAiApiError; kind: 'unsent' | 'lost' };

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
  return fillId(
    TWIN_AI_ENDPOINTS[call.endpoint].path,
    call.id,
    (id) => id.trim() !== '',
    () => new TwinAiInputError('id', undefined, `${call.endpoint}: id must be a non-empty ID`, undefined),
  );
}

export function createTwinAiTransport(settings: TransportSettings) {
  const wire = bearerWire(settings);

  /** Twin.ai: a failure without an answer is sorted by whether the request may have reached Twin. */
  function sorted(outcome: AttemptOutcome, where: Where): Outcome {
    if (outcome.kind === 'answer') return { answer: outcome.answer };
    if (outcome.kind === 'timeout') {
      return { failure: timeoutError(settings.timeoutMs, where, outcome.reason), kind: 'lost' };
    }
    const unsent = NOT_SENT.has(failureCode(outcome.error) ?? '');
    const failure = networkError(wire.redact(failureText(outcome.error)), where, outcome.error, !unsent);
    return { failure, kind: unsent ? 'unsent' : 'lost' };
  }

  function decode<T>(call: Call<T>, answer: HttpAnswer, where: Where): T {
    return decodeAnswer(
      answer.bodyText,
      call.response,
      call.emptyBodyAllowed ? {} : undefined,
      (detail, cause) => malformedResponse(answer.status, detail, where, cause),
    );
  }

  /** Resolves to the parsed answer or rejects with a TwinAiApiError (or the caller's abort reason). */
  return async function call<T>(spec: Call<T>, options: RequestOptions = {}): Promise<T> {
    const endpoint = TWIN_AI_ENDPOINTS[spec.endpoint];
    const query = spec.query && checked(spec.query.schema, spec.query.value, `${spec.endpoint} parameters`);
    const payload =
      spec.body && JSON.stringify(checked(spec.body.schema, spec.body.value, `${spec.endpoint} body`));
    const path = `${pathOf(spec)}${queryString(query)}`;
    const init = wire.init(endpoint.method, payload);
    let previous: TwinAiApiError | undefined;

    for (let attempt = 1; ; attempt++) {
      const where = { method: endpoint.method, path, attempts: attempt };
      const outcome = sorted(await wire.attempt(path, init, options.signal), where);
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
