// The client's retry rules, observed on the emulator's request log and its truth view: 429 waits out Retry-After
// and is sent again (asks included, since Twin refused before acting); GET and DELETE are retried after a 5xx or a
// lost answer; an ask, a create or a resolve whose outcome is unknown is reported unconfirmed and never sent again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TwinAiClient } from '../../../providers/twin-ai/client.js';
import { TwinAiApiError, TwinAiUnconfirmedError } from '../../../providers/twin-ai/errors.js';
import {
  startTwinAiEmulator,
  type RunningTwinAiEmulator,
} from '../../../providers/twin-ai/emulator/server.js';
import {
  DEFAULT_TWIN_AI_RETRY,
  retryAfterMs,
  retryDecision,
} from '../../../providers/twin-ai/retry-policy.js';
import { clientFor, rejection } from './support.js';

let emulator: RunningTwinAiEmulator;

beforeAll(async () => {
  emulator = await startTwinAiEmulator({ port: 0 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

const statuses = (endpoint: Parameters<RunningTwinAiEmulator['requests']>[0]) =>
  emulator.requests(endpoint).map((r) => r.status);

describe('429', () => {
  it('waits the Retry-After seconds before sending again', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', status: 429, retryAfterSeconds: 1 }] });
    await clientFor(emulator).getStats();
    const [first, second] = emulator.requests('getStats');
    expect(statuses('getStats')).toEqual([429, 200]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('sends an ask again after a 429, and Twin answers it once', async () => {
    emulator.setFaults({ api: [{ endpoint: 'ask', status: 429, retryAfterSeconds: 0 }] });
    await clientFor(emulator).ask({ message: 'q' });
    expect(statuses('ask')).toEqual([429, 200]);
    expect(emulator.truth().asksExecuted).toBe(1);
  });

  it('gives up at once when Retry-After is longer than the client may wait', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', status: 429, retryAfterSeconds: 30 }] });
    const client = clientFor(emulator, { retry: { maxRateLimitWaitMs: 1_000 } });
    const error = await rejection(client.getStats());
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryable: true,
      attempts: 1,
      retryAfterMs: 30_000,
    });
  });

  it('falls back to backoff when the 429 has no Retry-After', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', status: 429, retryAfterSeconds: null }] });
    await clientFor(emulator).getStats();
    expect(statuses('getStats')).toEqual([429, 200]);
  });

  it('stops after maxAttempts, each earlier 429 kept as the cause', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', status: 429, retryAfterSeconds: 0, times: 5 }] });
    const error = await rejection(clientFor(emulator, { retry: { maxAttempts: 3 } }).getStats());
    expect(error).toMatchObject({ status: 429, attempts: 3 });
    expect((error.cause as TwinAiApiError).attempts).toBe(2);
    expect(emulator.requests('getStats')).toHaveLength(3);
  });

  it('meets the emulator’s real per-key limit with its Retry-After', async () => {
    emulator.setRateLimit(1);
    const client = clientFor(emulator, { retry: { maxRateLimitWaitMs: 0 } });
    await client.getStats();
    const error = await rejection(client.getStats());
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});

describe('5xx and lost answers of idempotent calls', () => {
  it.each([500, 502, 503, 504] as const)('retries a GET after %i and succeeds', async (status) => {
    emulator.setFaults({ api: [{ endpoint: 'listDocs', status, times: 2 }] });
    await clientFor(emulator).listDocs();
    expect(statuses('listDocs')).toEqual([status, status, 200]);
  });

  it('gives up after maxAttempts, marked retryable', async () => {
    emulator.setFaults({ api: [{ endpoint: 'listDocs', status: 503, times: 9 }] });
    const error = await rejection(clientFor(emulator, { retry: { maxAttempts: 2 } }).listDocs());
    expect(error).toMatchObject({ status: 503, attempts: 2, retryable: true });
  });

  it('retries a GET whose answer timed out', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', delayMs: 300 }] });
    await clientFor(emulator, { timeoutMs: 100 }).getStats();
    expect(emulator.requests('getStats')).toHaveLength(2);
  });

  it('shows a DELETE whose first try was performed: 404, with the 500 as its cause', async () => {
    const client = clientFor(emulator);
    const { doc } = await client.createDoc({ title: 't', content: 'c' });
    emulator.setFaults({ api: [{ endpoint: 'deleteDoc', status: 500, when: 'after' }] });
    const error = await rejection(client.deleteDoc(doc?.id ?? ''));
    expect(error).toMatchObject({ status: 404, attempts: 2 });
    expect(error.cause).toMatchObject({ status: 500, attempts: 1 });
    expect(emulator.truth().documents).toHaveLength(0);
  });
});

describe('unconfirmed: non-idempotent calls are sent once', () => {
  it('an ask answered 503 after Twin performed it', async () => {
    emulator.setFaults({ api: [{ endpoint: 'ask', status: 503, when: 'after' }] });
    const error = await rejection(clientFor(emulator).ask({ message: 'q' }), TwinAiUnconfirmedError);
    expect(error).toMatchObject({ code: 'unconfirmed', status: 503, retryable: false, attempts: 1 });
    expect(error.cause).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(emulator.requests('ask')).toHaveLength(1);
    expect(emulator.truth()).toMatchObject({ asksExecuted: 1, answersUsed: 1 });
  });

  it('an ask answered 500 before Twin acted: the client cannot tell, so still unconfirmed', async () => {
    emulator.setFaults({ api: [{ endpoint: 'ask', status: 500 }] });
    await rejection(clientFor(emulator).ask({ message: 'q' }), TwinAiUnconfirmedError);
    expect(emulator.requests('ask')).toHaveLength(1);
    expect(emulator.truth().asksExecuted).toBe(0);
  });

  it('an ask whose answer did not come within the timeout', async () => {
    emulator.setFaults({ api: [{ endpoint: 'ask', delayMs: 300, when: 'after' }] });
    const error = await rejection(
      clientFor(emulator, { timeoutMs: 100 }).ask({ message: 'q' }),
      TwinAiUnconfirmedError,
    );
    expect(error).toMatchObject({ status: 0 });
    expect(error.cause).toMatchObject({ code: 'timeout' });
    expect(emulator.requests('ask')).toHaveLength(1);
  });

  it('a create whose connection was cut after Twin stored the document', async () => {
    emulator.setFaults({ api: [{ endpoint: 'createDoc', hangUp: true, when: 'after' }] });
    const error = await rejection(
      clientFor(emulator).createDoc({ title: 'once', content: 'c' }),
      TwinAiUnconfirmedError,
    );
    expect(error.cause).toMatchObject({ code: 'network_error' });
    expect(emulator.requests('createDoc')).toHaveLength(1);
    expect(emulator.truth().documents.map((d) => d.title)).toEqual(['once']);
  });

  it('a resolve answered 502', async () => {
    emulator.setFaults({ api: [{ endpoint: 'resolveEscalation', status: 502 }] });
    await rejection(clientFor(emulator).resolveEscalation('esc_any'), TwinAiUnconfirmedError);
    expect(emulator.requests('resolveEscalation')).toHaveLength(1);
  });
});

describe('requests that never left', () => {
  it('an ask to a closed port is retried (nothing was sent) and ends a retryable network_error', async () => {
    const closed = await startTwinAiEmulator({ port: 0 });
    await closed.close();
    const client = new TwinAiClient({
      apiKey: 'twin_live_sk_x',
      baseUrl: closed.url,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const error = await rejection(client.ask({ message: 'q' }));
    expect(error).not.toBeInstanceOf(TwinAiUnconfirmedError);
    expect(error).toMatchObject({ code: 'network_error', retryable: true, attempts: 2 });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('caller abort', () => {
  it('rejects with the signal’s own reason while waiting out a 429', async () => {
    emulator.setFaults({ api: [{ endpoint: 'getStats', status: 429, retryAfterSeconds: 10 }] });
    const reason = new Error('shutting down');
    const controller = new AbortController();
    const call = clientFor(emulator).getStats({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    await expect(call).rejects.toBe(reason);
  });
});

describe('retry decisions', () => {
  const policy = DEFAULT_TWIN_AI_RETRY;

  it('reads Retry-After as seconds or an HTTP date, and nothing else', () => {
    expect(retryAfterMs('30', 0)).toBe(30_000);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 0)).toBe(5_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs('-1', 0)).toBeUndefined();
  });

  it.each([400, 401, 402, 403, 404, 409, 422])('never retries %i', (status) => {
    expect(retryDecision(policy, { attempt: 1, idempotent: true, kind: 'status', status })).toEqual({
      retry: false,
      unconfirmed: false,
    });
  });

  it('calls a lost POST unconfirmed and retries a lost GET', () => {
    expect(retryDecision(policy, { attempt: 1, idempotent: false, kind: 'lost' })).toMatchObject({
      retry: false,
      unconfirmed: true,
    });
    expect(retryDecision(policy, { attempt: 1, idempotent: true, kind: 'lost' }).retry).toBe(true);
  });
});
