// What every webhook route of the receiver does the same way, whichever platform sends: the body is read as raw
// bytes (never through koa-body, which would hand back a decoded string and break byte-exact HMACs) under a size
// cap, compressed or non-JSON bodies are refused before anything is hashed, the hand-off to Temporal is bounded
// (503 + Retry-After, so the sender retries), and each request is counted, timed and logged once.
import type Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { clientErrorStatus, HttpProblem } from '../shared/http-problem.js';
import { HandoffTimeoutError, withTimeout } from './handoff.js';
import type { DeliveryResult, ReceiverMetrics } from './metrics.js';

/** How long a sender should wait before retrying when Temporal could not take the event. */
const RETRY_AFTER_SECONDS = 5;
const RETRY_AFTER = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

/** What the request log line says about a delivery, filled in as the steps learn it. */
export interface DeliveryLog {
  /** Set on the Twin.ai and Twig routes; the Twin route's lines have none. */
  provider?: string;
  event?: string;
  runId?: string;
  /** The dedupe key of a provider event (its own ID, or a hash of the body). */
  eventKey?: string;
  result?: DeliveryResult;
}

export function requireIdentityEncoding(ctx: Context): void {
  const encoding = ctx.get('content-encoding').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return;
  // The signature covers the bytes the sender sent; inflating first would verify something else. No sender
  // documents compression, so a compressed body is refused rather than guessed at.
  throw new HttpProblem(
    415,
    'compressed bodies are not accepted; send the JSON body uncompressed',
    'content_encoding',
    {
      'Accept-Encoding': 'identity',
    },
  );
}

export function requireJsonContentType(ctx: Context): void {
  const charset = ctx.request.charset.toLowerCase();
  if (
    ctx.request.type === 'application/json' &&
    (charset === '' || charset === 'utf-8' || charset === 'utf8')
  )
    return;
  throw new HttpProblem(415, 'the body must be application/json in UTF-8', 'content_type');
}

export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = ctx.get('content-length');
  try {
    return await getRawBody(ctx.req, { length: declared === '' ? undefined : declared, limit });
  } catch (error) {
    const status = clientErrorStatus(error);
    if (status === 413) {
      // Close rather than read an oversized body to its end just to keep the connection alive.
      throw new HttpProblem(413, `the body is larger than ${limit} bytes`, 'body_too_large', {
        Connection: 'close',
      });
    }
    if (status !== undefined)
      throw new HttpProblem(400, 'the body could not be read in full', 'body_unreadable');
    throw error;
  }
}

/** Runs a hand-off within `timeoutMs`; a failure or a timeout is a 503 the sender retries, counted by reason. */
export async function handOffWithin<T>(
  timeoutMs: number,
  metrics: ReceiverMetrics,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withTimeout(timeoutMs, fn);
  } catch (error) {
    const reason = error instanceof HandoffTimeoutError ? 'timeout' : 'error';
    metrics.handoffErrors.inc({ reason });
    const detail = 'the event could not be recorded right now; retry later';
    throw new HttpProblem(503, detail, `handoff_${reason}`, RETRY_AFTER, { cause: error });
  }
}

/**
 * Mounts `receive` as POST `path` (any other method is 405), with the request's DeliveryLog in ctx.state for the
 * one log line app.ts writes, and the result counted by `count` and timed.
 */
export function mountDelivery(
  router: Router,
  path: string,
  metrics: ReceiverMetrics,
  count: (log: DeliveryLog, result: DeliveryResult) => void,
  receive: (ctx: Context, log: DeliveryLog) => Promise<DeliveryResult>,
  initial: DeliveryLog = {},
): void {
  router.post(path, async (ctx) => {
    const started = process.hrtime.bigint();
    const log: DeliveryLog = { ...initial, event: 'unverified' };
    ctx.state.delivery = log;
    try {
      log.result = await receive(ctx, log);
    } catch (error) {
      log.result = error instanceof HttpProblem && error.status === 503 ? 'unavailable' : 'rejected';
      throw error;
    } finally {
      const result = log.result ?? 'rejected';
      count(log, result);
      metrics.latency.observe({ result }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  router.all(path, () => {
    throw new HttpProblem(405, `${path} accepts POST only`, 'method_not_allowed', { Allow: 'POST' });
  });
}
