// Pushes events to the configured endpoint the way the seed describes Twig's webhooks ("HTTP POST to your
// endpoint", `X-Twig-Signature` HMAC-SHA256): a JSON body `{event, timestamp, data}`, signed over its exact bytes
// with the same signer the verifier is tested against, in either encoding the verifier accepts. Non-2xx answers,
// network errors and timeouts are retried with exponential backoff. Sending is asynchronous: an API answer never
// waits for a delivery.
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookOutbox, type AttemptReport } from '../../shared/emulator/webhook-outbox.js';
import {
  signTwigWebhook,
  TWIG_SIGNATURE_HEADER,
  TWIG_WEBHOOK_EVENTS,
  type TwigWebhookEventType,
} from '../webhook.js';
import type { FaultBook } from './faults.js';
import { nowIso } from './http.js';

export const webhookConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(1),
  /** Events to send; default all four. */
  events: z
    .array(z.enum(TWIG_WEBHOOK_EVENTS))
    .min(1)
    .default([...TWIG_WEBHOOK_EVENTS]),
  signature: z.enum(['prefixed', 'bare']).default('prefixed'),
  attempts: z.number().int().min(1).max(20).default(5),
  baseDelayMs: z.number().int().min(0).default(200),
  timeoutMs: z.number().int().positive().default(5_000),
});
export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;

export interface DeliveryLogEntry {
  seq: number;
  at: string;
  event: TwigWebhookEventType;
  /** 0 for a delivery the fault book dropped before any attempt. */
  attempt: number;
  delivered: boolean;
  http_status?: number;
  error?: string;
  dropped: boolean;
  duplicated: boolean;
  /** The exact body sent, so tests can check what was signed. */
  body: string;
}

type Job = Pick<DeliveryLogEntry, 'event' | 'body' | 'duplicated'>;

export class WebhookSender extends WebhookOutbox<WebhookConfig, DeliveryLogEntry, WebhookConfigInput> {
  constructor(faults: FaultBook, logger: Logger) {
    super(webhookConfigSchema, faults, logger);
  }

  send(event: TwigWebhookEventType, data: Record<string, unknown>): void {
    const config = this.config;
    if (!config || !config.events.includes(event)) return;
    const body = JSON.stringify({ event, timestamp: nowIso(), data });
    const plan = this.faults.webhookPlan();
    if (plan.drop)
      return this.record({ event, body, duplicated: false, attempt: 0, delivered: false, dropped: true });
    this.sendJob(config, { event, body, duplicated: false });
    if (plan.duplicate) this.sendJob(config, { event, body, duplicated: true });
  }

  private sendJob(config: WebhookConfig, job: Job): void {
    const signature = signTwigWebhook(Buffer.from(job.body, 'utf8'), config.secret, config.signature);
    this.deliver(config, {
      url: config.url,
      body: job.body,
      headers: { [TWIG_SIGNATURE_HEADER]: signature },
      onAttempt: (report) => this.record({ ...job, ...wireNames(report), dropped: false }),
      onGiveUp: () => this.logger.warn({ event: job.event }, 'Twig emulator webhook delivery gave up'),
    });
  }
}

/** The log spells the status `http_status`, like the rest of Twig's snake_case control API. */
function wireNames({ httpStatus, ...rest }: AttemptReport): Omit<AttemptReport, 'httpStatus'> & {
  http_status?: number;
} {
  return httpStatus === undefined ? rest : { ...rest, http_status: httpStatus };
}
