// Pushes events to the configured endpoint the way the seed describes Twig's webhooks ("HTTP POST to your
// endpoint", `X-Twig-Signature` HMAC-SHA256): a JSON body `{event, timestamp, data}`, signed over its exact bytes
// with the same signer the verifier is tested against, in either encoding the verifier accepts. Non-2xx answers,
// network errors and timeouts are retried with exponential backoff. Sending is asynchronous: an API answer never
// waits for a delivery.
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  signTwigWebhook,
  TWIG_SIGNATURE_HEADER,
  TWIG_WEBHOOK_EVENTS,
  type TwigWebhookEventType,
} from '../webhook.js';
import type { FaultBook } from './faults.js';
import { nowIso } from './http.js';
import { Timers } from '../../../services/shared/timers.js';

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

export class WebhookSender {
  private config: WebhookConfig | undefined;
  private log: DeliveryLogEntry[] = [];
  private seq = 0;
  private readonly timers = new Timers();
  private abort = new AbortController();

  constructor(
    private readonly faults: FaultBook,
    private readonly logger: Logger,
  ) {}

  /** Undefined stops sending. */
  configure(config: WebhookConfigInput | undefined): void {
    this.config = config === undefined ? undefined : webhookConfigSchema.parse(config);
  }

  send(event: TwigWebhookEventType, data: Record<string, unknown>): void {
    const config = this.config;
    if (!config || !config.events.includes(event)) return;
    const body = JSON.stringify({ event, timestamp: nowIso(), data });
    const plan = this.faults.webhookPlan();
    if (plan.drop)
      return this.record({ event, body, duplicated: false }, { attempt: 0, delivered: false, dropped: true });
    void this.attempt(config, event, body, 1, false);
    if (plan.duplicate) void this.attempt(config, event, body, 1, true);
  }

  deliveries(): DeliveryLogEntry[] {
    return [...this.log];
  }

  /** Abandons every pending and in-flight delivery. */
  stop(clearLog: boolean): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.timers.clear();
    if (clearLog) this.log = [];
  }

  private async attempt(
    config: WebhookConfig,
    event: TwigWebhookEventType,
    body: string,
    attempt: number,
    duplicated: boolean,
  ): Promise<void> {
    const job = { event, body, duplicated };
    const cancelled = this.abort.signal;
    try {
      const res = await fetch(config.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.any([cancelled, AbortSignal.timeout(config.timeoutMs)]),
        headers: {
          'content-type': 'application/json',
          [TWIG_SIGNATURE_HEADER]: signTwigWebhook(
            Buffer.from(body, 'utf8'),
            config.secret,
            config.signature,
          ),
        },
      });
      await res.body?.cancel();
      const delivered = res.status >= 200 && res.status < 300;
      this.record(job, { attempt, delivered, http_status: res.status, dropped: false });
      if (!delivered) this.retryLater(config, job, attempt);
    } catch (err) {
      if (cancelled.aborted) return;
      this.record(job, { attempt, delivered: false, error: (err as Error).message, dropped: false });
      this.retryLater(config, job, attempt);
    }
  }

  private retryLater(
    config: WebhookConfig,
    job: Pick<DeliveryLogEntry, 'event' | 'body' | 'duplicated'>,
    attempt: number,
  ): void {
    if (attempt >= config.attempts) {
      this.logger.warn({ event: job.event }, 'Twig emulator webhook delivery gave up');
      return;
    }
    this.timers.later(
      () => void this.attempt(config, job.event, job.body, attempt + 1, job.duplicated),
      config.baseDelayMs * 2 ** (attempt - 1),
    );
  }

  private record(
    job: Pick<DeliveryLogEntry, 'event' | 'body' | 'duplicated'>,
    result: Pick<DeliveryLogEntry, 'attempt' | 'delivered' | 'dropped' | 'http_status' | 'error'>,
  ): void {
    this.log.push({ seq: ++this.seq, at: nowIso(), ...job, ...result });
  }
}
