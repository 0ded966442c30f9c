// POST /webhooks/twin-ai and POST /webhooks/twig: signed events of the Twin.ai and Twig platforms, usable as pipeline
// triggers. Each route reads the raw bytes like the Twin route (delivery.ts), lets the provider's own verifier
// (providers/<name>/webhook.ts: constant-time HMAC over those bytes, then the payload) decide, derives the event's
// dedupe key, and answers 2xx only once Temporal has started, or already had, `provider-event/<provider>/<key>`.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { verifyTwigWebhook } from '../../providers/twig/index.js';
import { verifyTwinAiWebhook } from '../../providers/twin-ai/index.js';
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
import type { DeliveryResult, ReceiverMetrics } from './metrics.js';
import type { ProviderEventHandoff } from './provider-handoff.js';

export const TWIN_AI_WEBHOOK_PATH = '/webhooks/twin-ai';
export const TWIG_WEBHOOK_PATH = '/webhooks/twig';

export type ProviderWebhookSettings = Pick<
  Config,
  'WEBHOOK_MAX_BODY_BYTES' | 'WEBHOOK_HANDOFF_TIMEOUT_MS' | 'TWIN_AI_WEBHOOK_SECRETS' | 'TWIG_WEBHOOK_SECRETS'
>;

export interface ProviderRouteDeps {
  settings: ProviderWebhookSettings;
  handoff: ProviderEventHandoff;
  metrics: ReceiverMetrics;
}

/** What a verified delivery is, whichever provider sent it. */
interface VerifiedEvent {
  event: ProviderEventType;
  payload: Record<string, unknown>;
  eventKey: string;
}

/** Both verifiers throw an error with these: `authentic` is false when the sender may be anyone. */
interface VerifierError {
  reason: string;
  authentic: boolean;
  message: string;
}

interface ProviderRoute {
  provider: ProviderName;
  path: string;
  /** The header the signature travels in, for the 401 wording. */
  header: string;
  secrets: (settings: ProviderWebhookSettings) => readonly string[];
  verify(body: Buffer, ctx: Context, secrets: readonly string[], maxBytes: number): VerifiedEvent;
}

/** A key that is safe in a workflow ID as it is (no `/`, short), or else the SHA-256 of what would be. */
export function eventKeyOf(id: string | undefined, rawBody: Buffer): string {
  if (id !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(id)) return id;
  return `sha256-${createHash('sha256')
    .update(id ?? rawBody)
    .digest('hex')}`;
}

const ROUTES: readonly ProviderRoute[] = [
  {
    provider: 'twin-ai',
    path: TWIN_AI_WEBHOOK_PATH,
    header: 'Twin-Signature',
    secrets: (settings) => settings.TWIN_AI_WEBHOOK_SECRETS,
    verify(body, ctx, secrets, maxBytes) {
      const event = verifyTwinAiWebhook(body, ctx.headers, secrets, { maxBytes });
      // Twin.ai documents no delivery ID; the escalation's own ID is the event's (docs/twin-ai-contract.md A13).
      return { event: event.event, payload: event, eventKey: eventKeyOf(event.escalationId, body) };
    },
  },
  {
    provider: 'twig',
    path: TWIG_WEBHOOK_PATH,
    header: 'X-Twig-Signature',
    secrets: (settings) => settings.TWIG_WEBHOOK_SECRETS,
    verify(body, ctx, secrets) {
      const event = verifyTwigWebhook(body, ctx.headers, secrets);
      // Twig's events carry no ID of their own (a data source syncs many times), but a retry resends the same
      // bytes with the original timestamp (A15), so the body's hash names the event.
      return { event: event.event, payload: event, eventKey: eventKeyOf(undefined, body) };
    },
  },
];

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

export function createProviderWebhookRouter({ settings, handoff, metrics }: ProviderRouteDeps): Router {
  const router = new Router();
  for (const route of ROUTES) {
    const { provider } = route;
    const receive = async (ctx: Context, log: DeliveryLog): Promise<DeliveryResult> => {
      requireIdentityEncoding(ctx);
      requireJsonContentType(ctx);
      const body = await readBody(ctx, settings.WEBHOOK_MAX_BODY_BYTES);
      let verified: VerifiedEvent;
      try {
        verified = route.verify(body, ctx, route.secrets(settings), settings.WEBHOOK_MAX_BODY_BYTES);
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
  }
  return router;
}
