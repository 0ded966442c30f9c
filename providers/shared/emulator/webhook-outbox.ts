// Emulators push webhooks the way a platform would: a signed POST of exact bytes, sent asynchronously (an API
// answer never waits for it), tried again after a non-2xx answer, a network error or a timeout with exponential
// backoff, abandoned at once on a reset or shutdown, and logged attempt by attempt so tests can see what was sent.
// That mechanism is the same for every emulator; the body, the signature header and its encoding, the fault plan's
// use and the log's field names are each platform's, in its emulator's webhooks.ts.
import type { Logger } from 'pino';
import type { z } from 'zod';
import { Timers } from '../../../services/shared/timers.js';

/** How patiently one delivery is retried; each platform's webhook config carries these fields. */
export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles for each later one. */
  baseDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

/** What one attempt came to: an HTTP status (delivered when 2xx) or the error that stopped it. */
export interface AttemptReport {
  attempt: number;
  delivered: boolean;
  httpStatus?: number;
  error?: string;
}

/** One event to one URL. */
export interface Delivery {
  url: string;
  /** The exact bytes signed and sent. */
  body: string;
  /** The signature header (and any other), added to `content-type: application/json`. */
  headers: Record<string, string>;
  /** Called after every attempt that was not cancelled, before any retry is scheduled. */
  onAttempt(report: AttemptReport): void;
  /** Called once the last attempt failed. */
  onGiveUp(): void;
}

/** What every log entry starts with: its order and when it was written. */
export interface LoggedDelivery {
  seq: number;
  at: string;
}

/**
 * The base of each emulator's WebhookSender: the parsed config (`C`, from input `I`), background deliveries that
 * can all be abandoned together, and the delivery log (`L` entries).
 */
export abstract class WebhookOutbox<C extends DeliveryPolicy, L extends LoggedDelivery, I> {
  protected config: C | undefined;
  private log: L[] = [];
  private seq = 0;
  private readonly timers = new Timers();
  private abort = new AbortController();

  protected constructor(
    private readonly schema: z.ZodType<C, I>,
    protected readonly faults: { webhookPlan(): { drop: boolean; duplicate: boolean } },
    protected readonly logger: Logger,
  ) {}

  /** Undefined stops sending. */
  configure(config: I | undefined): void {
    this.config = config === undefined ? undefined : this.schema.parse(config);
  }

  deliveries(): L[] {
    return [...this.log];
  }

  /** Abandons every pending and in-flight delivery (an attempt cut short logs nothing). */
  stop(clearLog: boolean): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.timers.clear();
    if (clearLog) this.log = [];
  }

  /** Appends a log entry, numbered and timestamped here. */
  protected record(fields: Omit<L, keyof LoggedDelivery>): void {
    this.log.push({ seq: ++this.seq, at: new Date().toISOString(), ...fields } as L);
  }

  /** Starts the first attempt now; never throws, never waits. */
  protected deliver(config: C, delivery: Delivery): void {
    void this.attempt(config, delivery, 1);
  }

  private async attempt(config: C, delivery: Delivery, attempt: number): Promise<void> {
    const cancelled = this.abort.signal;
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        body: delivery.body,
        // A receiver's redirect must not send the signed body elsewhere.
        redirect: 'manual',
        signal: AbortSignal.any([cancelled, AbortSignal.timeout(config.timeoutMs)]),
        headers: { 'content-type': 'application/json', ...delivery.headers },
      });
      await res.body?.cancel();
      const delivered = res.status >= 200 && res.status < 300;
      delivery.onAttempt({ attempt, delivered, httpStatus: res.status });
      if (!delivered) this.retryLater(config, delivery, attempt);
    } catch (err) {
      if (cancelled.aborted) return;
      delivery.onAttempt({ attempt, delivered: false, error: (err as Error).message });
      this.retryLater(config, delivery, attempt);
    }
  }

  private retryLater(config: C, delivery: Delivery, attempt: number): void {
    if (attempt >= config.attempts) {
      delivery.onGiveUp();
      return;
    }
    this.timers.later(
      () => void this.attempt(config, delivery, attempt + 1),
      config.baseDelayMs * 2 ** (attempt - 1),
    );
  }
}
