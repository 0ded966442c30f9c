// Shared by the Twin.ai specs: a client pointed at an emulator with fast retries; a way to get the exact error a
// call rejected with; and a webhook receiver on 127.0.0.1 that keeps each delivery's raw bytes and headers (what a
// real receiver would verify) and answers a scripted sequence of statuses.
import type { IncomingHttpHeaders } from 'node:http';
import { TwinAiClient, type TwinAiClientOptions } from '../../../providers/twin-ai/client.js';
import { TwinAiApiError } from '../../../providers/twin-ai/errors.js';
import type { RunningTwinAiEmulator } from '../../../providers/twin-ai/emulator/server.js';
import { rejection as rejectionOf, type ErrorClass } from '../../../providers/shared/testing/failures.js';
import { startHttpPeer } from '../../../providers/shared/testing/http-peer.js';

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
export const rejection = <E extends TwinAiApiError = TwinAiApiError>(
  promise: Promise<unknown>,
  type: ErrorClass<E> = TwinAiApiError as never,
): Promise<E> => rejectionOf(promise, type);

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
  const peer = await startHttpPeer((request) => {
    const status = script.shift() ?? 204;
    received.push({ ...request, status });
    // The waiters run once this answer is written: their promises resolve after the handler returns.
    for (const wake of wakers) wake();
    return { status };
  });
  const ok = () => received.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `${peer.url}/webhooks/twin-ai`,
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
    close: () => peer.close(),
  };
}

/** Waits a little, for asserting that something did NOT happen (a delivery that must not come). */
export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
