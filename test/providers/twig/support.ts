// Shared by the Twig specs: a client pointed at an emulator with fast retries, and a webhook sink on 127.0.0.1 that
// keeps each delivery's exact bytes and headers (what a receiver would verify) and can be told to fail first.
import type { IncomingHttpHeaders } from 'node:http';
import { TwigClient, type TwigClientOptions } from '../../../providers/twig/client.js';
import { TwigApiError } from '../../../providers/twig/errors.js';
import type { RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { rejection } from '../../../providers/shared/testing/failures.js';
import { startHttpPeer } from '../../../providers/shared/testing/http-peer.js';

export function clientFor(
  emulator: RunningTwigEmulator,
  options: Partial<TwigClientOptions> = {},
): TwigClient {
  return new TwigClient({
    apiKey: emulator.issueKey(),
    baseUrl: emulator.url,
    ...options,
    retry: { baseDelayMs: 20, maxDelayMs: 100, ...options.retry },
  });
}

/** The TwigApiError a call rejected with; fails the test if it resolved or rejected with anything else. */
export const twigFailure = (promise: Promise<unknown>): Promise<TwigApiError> =>
  rejection(promise, TwigApiError);

export interface Delivery {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

export interface WebhookSink {
  url: string;
  deliveries: Delivery[];
  /** Answer this many deliveries with 500 before accepting. */
  failNext(count: number): void;
  /** Resolves once `count` deliveries were accepted (2xx). */
  accepted(count: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const deliveries: Delivery[] = [];
  const accepted: Delivery[] = [];
  let failing = 0;
  let waiters: Array<() => void> = [];
  const peer = await startHttpPeer((delivery) => {
    deliveries.push(delivery);
    if (failing > 0) {
      failing -= 1;
      return { status: 500 };
    }
    accepted.push(delivery);
    // The waiters run once this answer is written: their promises resolve after the handler returns.
    for (const wake of waiters) wake();
    return { status: 204 };
  });
  return {
    url: `${peer.url}/webhooks/twig`,
    deliveries,
    failNext(count) {
      failing = count;
    },
    accepted(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (accepted.length < count) return;
          waiters = waiters.filter((w) => w !== check);
          resolve(accepted.slice(0, count));
        };
        waiters.push(check);
        check();
      });
    },
    close: () => peer.close(),
  };
}
