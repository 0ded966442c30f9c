// POST /webhooks/twin: the one door through which Twin's run events enter twinflow. The body is read as raw
// bytes (never through koa-body, which would hand back a decoded string and break byte-exact HMACs), the
// signature is verified before the body means anything, routing uses only the signed body, and the answer
// is 2xx only once Temporal has the event. Steps run cheapest-first; each failure is one typed problem.
import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { zodIssuePaths } from '../shared/zod-issues.js';
import type { Config } from '../shared/config.js';
import { WEBHOOK_EVENTS, type WebhookEventType } from '../twin-vocabulary/run-status.js';
import {
  observationOfWebhook,
  webhookPayloadSchema,
  type WebhookPayload,
} from '../twin-vocabulary/webhook-payload.js';
import { HandoffTimeoutError, withTimeout, type EventHandoff, type HandoffOutcome } from './handoff.js';
import type { DeliveryResult, ReceiverMetrics } from './metrics.js';
import { clientErrorStatus, HttpProblem } from '../shared/http-problem.js';
import type { SecretSource } from './secrets.js';
import { checkDigest, parseSignatureHeader, signedForAgent, type SignatureFailure } from './signature.js';

export const WEBHOOK_PATH = '/webhooks/twin';

/** A signed timestamp may be this far ahead of our clock (sender clock skew); further is refused. */
export const FUTURE_SKEW_SECONDS = 300;

/** How long Twin should wait before retrying when Temporal could not take the event. */
const RETRY_AFTER_SECONDS = 5;
const RETRY_AFTER = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

export type WebhookSettings = Pick<
  Config,
  'WEBHOOK_MAX_BODY_BYTES' | 'WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS' | 'WEBHOOK_HANDOFF_TIMEOUT_MS'
>;

export interface WebhookRouteDeps {
  settings: WebhookSettings;
  secrets: SecretSource;
  handoff: EventHandoff;
  metrics: ReceiverMetrics;
}

type VerificationFailure =
  SignatureFailure | 'timestamp_invalid' | 'timestamp_too_old' | 'timestamp_in_future';

/** What the request log line says about a delivery, filled in as the steps learn it. */
export interface DeliveryLog {
  event?: string;
  runId?: string;
  result?: DeliveryResult;
}

const envelopeSchema = z.object({ event: z.string() });

function isKnownEvent(event: string): event is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(event);
}

function requireIdentityEncoding(ctx: Context): void {
  const encoding = ctx.get('content-encoding').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return;
  // The signature covers the bytes Twin sent; inflating first would verify something else. Twin documents
  // no compression, so a compressed body is refused rather than guessed at.
  throw new HttpProblem(
    415,
    'compressed bodies are not accepted; send the JSON body uncompressed',
    'content_encoding',
    {
      'Accept-Encoding': 'identity',
    },
  );
}

function requireJsonContentType(ctx: Context): void {
  const charset = ctx.request.charset.toLowerCase();
  if (
    ctx.request.type === 'application/json' &&
    (charset === '' || charset === 'utf-8' || charset === 'utf8')
  )
    return;
  throw new HttpProblem(415, 'the body must be application/json in UTF-8', 'content_type');
}

async function readBody(ctx: Context, limit: number): Promise<Buffer> {
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

// fatal: invalid UTF-8 is an error, not U+FFFD. A leading BOM is dropped here, after the HMAC saw it.
// Stateless between calls (no `stream` option), so one decoder serves every request.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new HttpProblem(400, 'the body is not valid UTF-8', 'invalid_utf8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'the body is not valid JSON', 'invalid_json');
  }
}

function eventOf(json: unknown): string {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new HttpProblem(400, 'the body has no string "event"', 'invalid_payload');
  return envelope.data.event;
}

/** X-Cobb-Event is not signed: it may only agree with the body, never decide anything. */
function requireHeaderAgrees(ctx: Context, event: string): void {
  const header = ctx.get('x-cobb-event');
  if (header === '' || header === event) return;
  throw new HttpProblem(400, 'X-Cobb-Event does not match the signed body', 'event_header_mismatch');
}

function validatePayload(json: unknown): WebhookPayload {
  const parsed = webhookPayloadSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields = zodIssuePaths(parsed.error).join(', ');
  throw new HttpProblem(
    400,
    `the body does not match the webhook payload schema (${fields})`,
    'invalid_payload',
  );
}

export function timestampProblem(
  timestamp: string,
  toleranceSeconds: number,
  nowMs: number,
): VerificationFailure | undefined {
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at)) return 'timestamp_invalid';
  if (nowMs - at > toleranceSeconds * 1000) return 'timestamp_too_old';
  if (at - nowMs > FUTURE_SKEW_SECONDS * 1000) return 'timestamp_in_future';
  return undefined;
}

const VERIFICATION_DETAIL: Record<VerificationFailure, [status: number, detail: string]> = {
  missing_signature: [401, 'the X-Cobb-Signature header is missing'],
  malformed_signature: [401, 'X-Cobb-Signature must be "sha256=" followed by 64 hex digits'],
  signature_mismatch: [401, 'the signature does not match the body'],
  no_secrets: [401, 'the signature does not match the body'],
  secret_not_for_agent: [401, 'the signature does not match the body'],
  timestamp_invalid: [400, 'the signed timestamp is not a valid time'],
  timestamp_too_old: [400, 'the signed timestamp is outside the accepted window'],
  timestamp_in_future: [400, 'the signed timestamp is outside the accepted window'],
};

function answer(
  ctx: Context,
  status: number,
  outcome: HandoffOutcome | 'ignored',
  event: string,
  runId?: string,
): void {
  ctx.status = status;
  ctx.body = { status: outcome, event, ...(runId !== undefined && { run_id: runId }) };
}

export function createWebhookRouter(deps: WebhookRouteDeps): Router {
  const { settings, secrets, handoff, metrics } = deps;

  const verificationFailed = (reason: VerificationFailure): HttpProblem => {
    metrics.verificationFailures.inc({ reason });
    const [status, detail] = VERIFICATION_DETAIL[reason];
    return new HttpProblem(status, detail, reason);
  };

  const handOff = async (payload: WebhookPayload): Promise<HandoffOutcome> => {
    try {
      return await withTimeout(settings.WEBHOOK_HANDOFF_TIMEOUT_MS, (signal) =>
        handoff.deliver(observationOfWebhook(payload), signal),
      );
    } catch (error) {
      const reason = error instanceof HandoffTimeoutError ? 'timeout' : 'error';
      metrics.handoffErrors.inc({ reason });
      const detail = 'the event could not be recorded right now; retry later';
      throw new HttpProblem(503, detail, `handoff_${reason}`, RETRY_AFTER, { cause: error });
    }
  };

  const receive = async (ctx: Context, log: DeliveryLog): Promise<DeliveryResult> => {
    const signature = parseSignatureHeader(ctx.get('x-cobb-signature') || undefined);
    if (!signature.ok) throw verificationFailed(signature.reason);
    requireIdentityEncoding(ctx);
    requireJsonContentType(ctx);
    const body = await readBody(ctx, settings.WEBHOOK_MAX_BODY_BYTES);
    const digest = checkDigest(signature.digest, body, secrets.keys());
    if (!digest.ok) throw verificationFailed(digest.reason);

    const json = parseJson(body);
    const event = eventOf(json);
    log.event = isKnownEvent(event) ? event : 'unknown';
    requireHeaderAgrees(ctx, event);
    if (!isKnownEvent(event)) {
      // A future Twin event type: rejecting it would make Twin retry it forever. Accept and ignore.
      answer(ctx, 202, 'ignored', event);
      return 'ignored';
    }
    const payload = validatePayload(json);
    log.runId = payload.data.run_id;
    if (!signedForAgent(digest.matched, payload.data.agent_id))
      throw verificationFailed('secret_not_for_agent');
    const stale = timestampProblem(
      payload.timestamp,
      settings.WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS,
      Date.now(),
    );
    if (stale) throw verificationFailed(stale);

    const outcome = await handOff(payload);
    answer(ctx, 200, outcome, event, payload.data.run_id);
    return outcome;
  };

  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    const started = process.hrtime.bigint();
    const log: DeliveryLog = { event: 'unverified' };
    ctx.state.delivery = log;
    try {
      log.result = await receive(ctx, log);
    } catch (error) {
      log.result = error instanceof HttpProblem && error.status === 503 ? 'unavailable' : 'rejected';
      throw error;
    } finally {
      const result = log.result ?? 'rejected';
      metrics.deliveries.inc({ event: log.event ?? 'unverified', result });
      metrics.latency.observe({ result }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  router.all(WEBHOOK_PATH, () => {
    throw new HttpProblem(405, `${WEBHOOK_PATH} accepts POST only`, 'method_not_allowed', { Allow: 'POST' });
  });
  return router;
}
