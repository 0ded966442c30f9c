// Shared by the Twin.ai specs: a client pointed at an emulator with fast retries; a way to get the exact error a
// call rejected with; and a webhook receiver on 127.0.0.1 that keeps each delivery's raw bytes and headers (what a
// real receiver would verify) and answers a scripted sequence of statuses.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwinAiClient, type TwinAiClientOptions } from '../../../providers/twin-ai/client.js';
import { TwinAiApiError } from '../../../providers/twin-ai/errors.js';
import type { RunningTwinAiEmulator } from '../../../providers/twin-ai/emulator/server.js';

export function clientFor(
  emulator: RunningTwinAiEmulator,
  options: Partial<TwinAiClientOptions> = {},
): TwinAiClient {
  return new TwinAiClient({
    apiKey: emulator.issueKey(),
    baseUrl: emulator.url,
    ...options,
    retry: { baseDelayMs: 10, maxDelayMs: 50, ...options.retry },
  });
}

/** The error a call rejected with, checked to be a `type`; fails the test if it resolved or threw anything else. */
export async function rejection<E extends TwinAiApiError = TwinAiApiError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E = TwinAiApiError as never,
): Promise<E> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof type)) throw outcome;
  return outcome;
}

export interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; afterwards 204. */
  answerNext(...statuses: number[]): void;
  /** Resolves once `count` requests were answered 2xx. */
  accepted(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const script: number[] = [];
  const wakers = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = script.shift() ?? 204;
      received.push({ body: Buffer.concat(chunks), headers: req.headers, status });
      res.writeHead(status).end();
      for (const wake of wakers) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ok = () => received.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twin-ai`,
    received,
    answerNext: (...statuses) => void script.push(...statuses),
    accepted(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          wakers.delete(check);
          reject(new Error(`only ${ok().length} of ${count} deliveries accepted within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (ok().length < count) return;
          clearTimeout(timer);
          wakers.delete(check);
          resolve(ok().slice(0, count));
        };
        wakers.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits a little, for asserting that something did NOT happen (a delivery that must not come). */
export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
