// POST /webhooks/twin: the one door through which Twin's run events enter twinflow. The body is read as raw
// bytes (delivery.ts, shared with the Twin.ai and Twig routes), the signature is verified before the body means
// anything, routing uses only the signed body, and the answer is 2xx only once Temporal has the event. Steps run
// cheapest-first; each failure is one typed problem.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { zodIssuePaths } from '../shared/zod-issues.js';
import type { Config } from '../shared/config.js';
import { WEBHOOK_EVENTS, type WebhookEventType } from '../../providers/twin/vocabulary/run-status.js';
import {
  observationOfWebhook,
  webhookPayloadSchema,
  type WebhookPayload,
} from '../../providers/twin/vocabulary/webhook-payload.js';
import type { EventHandoff, HandoffOutcome } from './handoff.js';
import type { DeliveryResult, ReceiverMetrics } from './metrics.js';
import { HttpProblem } from '../shared/http-problem.js';
import {
  handOffWithin,
  mountDelivery,
  readBody,
  requireIdentityEncoding,
  requireJsonContentType,
  type DeliveryLog,
} from './delivery.js';
import type { SecretSource } from './secrets.js';
import {
  checkDigest,
  parseSignatureHeader,
  signedForAgent,
  type SignatureFailure,
} from '../../providers/twin/webhook.js';

export const WEBHOOK_PATH = '/webhooks/twin';

/** A signed timestamp may be this far ahead of our clock (sender clock skew); further is refused. */
export const FUTURE_SKEW_SECONDS = 300;

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

const envelopeSchema = z.object({ event: z.string() });

function isKnownEvent(event: string): event is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(event);
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

  const handOff = (payload: WebhookPayload): Promise<HandoffOutcome> =>
    handOffWithin(settings.WEBHOOK_HANDOFF_TIMEOUT_MS, metrics, (signal) =>
      handoff.deliver(observationOfWebhook(payload), signal),
    );

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
  const count = (log: DeliveryLog, result: DeliveryResult) =>
    metrics.deliveries.inc({ event: log.event ?? 'unverified', result });
  mountDelivery(router, WEBHOOK_PATH, metrics, count, receive);
  return router;
}
