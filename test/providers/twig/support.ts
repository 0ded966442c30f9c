// Shared by the Twig specs: a client pointed at an emulator with fast retries, and a webhook sink on 127.0.0.1 that
// keeps each delivery's exact bytes and headers (what a receiver would verify) and can be told to fail first.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwigClient, type TwigClientOptions } from '../../../providers/twig/client.js';
import { TwigApiError } from '../../../providers/twig/errors.js';
import type { RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';

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
export async function twigFailure(promise: Promise<unknown>): Promise<TwigApiError> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof TwigApiError)) throw outcome;
  return outcome;
}

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
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery = { body: Buffer.concat(chunks), headers: req.headers };
      deliveries.push(delivery);
      if (failing > 0) {
        failing -= 1;
        res.writeHead(500).end();
        return;
      }
      accepted.push(delivery);
      res.writeHead(204).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/twig`,
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
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
