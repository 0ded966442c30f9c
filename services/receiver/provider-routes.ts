// The webhook route of a provider other than Twin (POST /webhooks/twin-ai, /webhooks/twig, ...): signed events usable
// as pipeline triggers. Each route reads the raw bytes like the Twin route (delivery.ts), lets the provider's own
// verifier (providers/<name>/webhook.ts: constant-time HMAC over those bytes, then the payload) decide, derives the
// event's dedupe key, and answers 2xx only once Temporal has started, or already had,
// `provider-event/<provider>/<key>`. The provider declares its route in providers/<name>/provider.ts.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { WebhookRouteDeps } from '../../providers/provider.js';
import type { Config } from '../shared/config.js';
import { HttpProblem } from '../shared/http-problem.js';
import type { ProviderEventType, ProviderName } from '../../workflows/provider-event-api.js';
import {
  handOffWithin,
  mountDelivery,
  readBody,
  requireIdentityEncoding,
  requireJsonContentType,
  type DeliveryLog,
} from './delivery.js';
import type { DeliveryResult } from './metrics.js';

/** What a verified delivery is, whichever provider sent it. */
export interface VerifiedEvent {
  event: ProviderEventType;
  payload: Record<string, unknown>;
  eventKey: string;
}

/** A verifier throws an error with these: `authentic` is false when the sender may be anyone. */
interface VerifierError {
  reason: string;
  authentic: boolean;
  message: string;
}

/** One provider's route: where it is, which header signs, which secrets verify, and its verifier. */
export interface ProviderRoute {
  provider: ProviderName;
  path: string;
  /** The header the signature travels in, for the 401 wording. */
  header: string;
  secrets(config: Config): readonly string[];
  /** Throws an error with `reason` and `authentic` (providers/<name>/webhook.ts) for anything not genuine. */
  verify(
    body: Buffer,
    headers: IncomingHttpHeaders,
    secrets: readonly string[],
    maxBytes: number,
  ): VerifiedEvent;
}

/** A key that is safe in a workflow ID as it is (no `/`, short), or else the SHA-256 of what would be. */
export function eventKeyOf(id: string | undefined, rawBody: Buffer): string {
  if (id !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(id)) return id;
  return `sha256-${createHash('sha256')
    .update(id ?? rawBody)
    .digest('hex')}`;
}

function isVerifierError(error: unknown): error is VerifierError {
  return (
    error instanceof Error &&
    typeof (error as Partial<VerifierError>).reason === 'string' &&
    typeof (error as Partial<VerifierError>).authentic === 'boolean'
  );
}

/** A refusal as a problem; never says which secret or byte was wrong. */
function refusal(route: ProviderRoute, error: VerifierError): HttpProblem {
  if (error.authentic) return new HttpProblem(400, error.message, error.reason);
  if (error.reason === 'missing_signature')
    return new HttpProblem(401, `the ${route.header} header is missing`, error.reason);
  if (error.reason === 'malformed_signature' || error.reason === 'duplicate_signature')
    return new HttpProblem(401, error.message, error.reason);
  if (error.reason === 'body_too_large') return new HttpProblem(413, error.message, error.reason);
  // signature_mismatch and no_secret: one answer, so a prober cannot tell "no secret configured" apart.
  return new HttpProblem(401, 'the signature does not match the body', error.reason);
}

/** The route of one provider; where the receiver has no provider hand-off, it answers nothing (404). */
export function providerWebhookRouter(deps: WebhookRouteDeps, route: ProviderRoute): Router {
  const router = new Router();
  const { config: settings, providerHandoff: handoff, metrics } = deps;
  if (!handoff) return router;
  const { provider } = route;
  const receive = async (ctx: Context, log: DeliveryLog): Promise<DeliveryResult> => {
    requireIdentityEncoding(ctx);
    requireJsonContentType(ctx);
    const body = await readBody(ctx, settings.WEBHOOK_MAX_BODY_BYTES);
    let verified: VerifiedEvent;
    try {
      verified = route.verify(body, ctx.headers, route.secrets(settings), settings.WEBHOOK_MAX_BODY_BYTES);
    } catch (error) {
      if (!isVerifierError(error)) throw error;
      if (!error.authentic) metrics.providerVerificationFailures.inc({ provider, reason: error.reason });
      else log.event = 'unknown';
      if (error.reason !== 'unknown_event') throw refusal(route, error);
      // A signed event this version does not know (the provider added one): refusing it would have the sender
      // retry it for as long as its policy lasts. Accepted and ignored, like the Twin route's unknown events.
      ctx.status = 202;
      ctx.body = { status: 'ignored', provider };
      return 'ignored';
    }
    const { event, eventKey, payload } = verified;
    Object.assign(log, { event, eventKey });
    const outcome = await handOffWithin(settings.WEBHOOK_HANDOFF_TIMEOUT_MS, metrics, (signal) =>
      handoff.deliver({ provider, event, eventKey, payload }, signal),
    );
    ctx.status = 200;
    ctx.body = { status: outcome, provider, event, event_key: eventKey };
    return outcome;
  };
  const count = (log: DeliveryLog, result: DeliveryResult) =>
    metrics.providerDeliveries.inc({ provider, event: log.event ?? 'unverified', result });
  mountDelivery(router, route.path, metrics, count, receive, { provider });
  return router;
}
