// Per-scope budgets: the token bucket's arithmetic on a fake clock, the client's four buckets staying independent
// over real HTTP, and the emulator enforcing the seed's limits per key and scope with its rate-limit headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TWIG_ENDPOINTS } from '../../../providers/twig/endpoints.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { TokenBucket, TWIG_RATE_LIMITS } from '../../../providers/twig/rate-budget.js';
import { clientFor } from './support.js';

describe('token bucket', () => {
  it('lets a burst through at once, then one request per refill interval', () => {
    const bucket = new TokenBucket({ perMinute: 60, burst: 3 }, 0);
    expect([0, 0, 0].map((t) => bucket.reserve(t))).toEqual([0, 0, 0]);
    expect(bucket.reserve(0)).toBe(1_000);
    expect(bucket.reserve(0)).toBe(2_000);
  });

  it('refills at perMinute and never above burst', () => {
    const bucket = new TokenBucket({ perMinute: 60, burst: 2 }, 0);
    bucket.reserve(0);
    bucket.reserve(0);
    expect(bucket.remaining(1_000)).toBe(1);
    expect(bucket.remaining(60_000)).toBe(2);
  });

  it('holds everything until a 429’s reset', () => {
    const bucket = new TokenBucket({ perMinute: 60, burst: 5 }, 0);
    bucket.blockUntil(3_000);
    expect(bucket.reserve(1_000)).toBe(2_000);
    expect(bucket.tryTake(1_000)).toBe(false);
  });

  it('refuses a limit that could never admit a request', () => {
    expect(() => new TokenBucket({ perMinute: 0, burst: 1 }, 0)).toThrow(/perMinute > 0/);
  });

  it('has the seed’s table as defaults', () => {
    expect(TWIG_RATE_LIMITS).toEqual({
      execute: { perMinute: 100, burst: 120 },
      write: { perMinute: 10, burst: 15 },
      read: { perMinute: 200, burst: 250 },
      admin: { perMinute: 50, burst: 60 },
    });
  });

  it('charges each endpoint to the scope the seed names', () => {
    expect(TWIG_ENDPOINTS.query.scope).toBe('execute');
    expect(TWIG_ENDPOINTS.submitFeedback.scope).toBe('execute');
    expect(TWIG_ENDPOINTS.createKbArticle.scope).toBe('write');
    expect(TWIG_ENDPOINTS.listInteractions.scope).toBe('read');
    expect(TWIG_ENDPOINTS.createUser.scope).toBe('admin');
  });
});

describe('client budgets', () => {
  let emulator: RunningTwigEmulator;
  beforeAll(async () => {
    emulator = await startTwigEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  it('an exhausted Write budget delays writes but not reads', async () => {
    const client = clientFor(emulator, { rateLimits: { write: { perMinute: 60, burst: 1 } } });
    const started = Date.now();
    await client.createKbArticle({ title: 'first', content: 'spends the only write token' });
    const write = client
      .createKbArticle({ title: 'second', content: 'waits a second' })
      .then(() => Date.now() - started);
    const read = client.listKbArticles().then(() => Date.now() - started);
    const [writeMs, readMs] = await Promise.all([write, read]);
    // The write waits for the Write bucket's next token (1 s at 60/min); the read, on its own bucket, does not.
    expect(writeMs).toBeGreaterThanOrEqual(1_000);
    expect(readMs).toBeLessThan(writeMs);
  });
});

describe('emulator limits per key and scope', () => {
  let emulator: RunningTwigEmulator;
  beforeAll(async () => {
    emulator = await startTwigEmulator({ port: 0, rateLimits: { read: { perMinute: 60, burst: 1 } } });
  });
  afterAll(() => emulator.close());

  const get = (apiKey: string, path: string) =>
    fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });

  it('answers 429 in the seed’s shape with X-RateLimit headers once the scope is spent', async () => {
    const apiKey = emulator.issueKey();
    expect((await get(apiKey, '/api/v1/agents')).headers.get('x-ratelimit-limit')).toBe('60');
    const refused = await get(apiKey, '/api/v1/agents');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000),
    );
    expect(await refused.json()).toMatchObject({
      error: { code: 'rate_limit_exceeded' },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('keeps other scopes and other keys unaffected', async () => {
    const apiKey = emulator.issueKey();
    await get(apiKey, '/api/v1/agents');
    expect((await get(apiKey, '/api/v1/users')).status).toBe(200);
    expect((await get(emulator.issueKey(), '/api/v1/agents')).status).toBe(200);
  });

  it('a client waits for the reset the emulator gives and then gets through', async () => {
    const client = clientFor(emulator, { rateLimits: { read: { perMinute: 6_000, burst: 10 } } });
    await client.listKbArticles();
    const second = await client.listKbArticles();
    expect(second.articles).toEqual([]);
  });
});
