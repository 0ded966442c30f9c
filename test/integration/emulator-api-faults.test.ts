import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startFixture, waitFor, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
let agentId: string;
beforeAll(async () => {
  fx = await startFixture();
  agentId = (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;
});
afterEach(() => fx.control.setFaults({}));
afterAll(() => fx.close());

describe('Twin emulator: API faults (seeded)', () => {
  it('answers 429 with Retry-After in whole seconds (and no Retry-After-Ms) at rate429 1', async () => {
    await fx.control.setFaults({ api: { rate429: 1, retryAfterMs: 1500 } });
    const res = await fx.api('GET', '/v1/agents');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('retry-after-ms')).toBeNull();
    expect(res.body).toMatchObject({ title: 'Too Many Requests', status: 429 });
  });

  it('answers 500 at rate500 1 without performing the action', async () => {
    await fx.control.setFaults({ api: { rate500: 1 } });
    const before = (await fx.control.runs(agentId)).length;
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, {});
    expect(res.status).toBe(500);
    expect((await fx.control.runs(agentId)).length).toBe(before);
  });

  it('performs a slow request even when the caller gives up waiting', async () => {
    await fx.control.setFaults({ api: { slowRate: 1, slowMs: 400 } });
    const before = (await fx.control.runs(agentId)).length;
    const call = callApi(
      fx.emulator.url,
      fx.apiKey,
      'POST',
      `/v1/agents/${agentId}/runs`,
      { run_mode: 'run', user_message: 'slow one' },
      AbortSignal.timeout(50),
    );
    await expect(call).rejects.toThrow();
    const runs = await waitFor(async () => {
      const all = await fx.control.runs(agentId);
      return all.length > before ? all : undefined;
    });
    expect(runs.at(-1)?.user_message).toBe('slow one');
  });

  it('performs a request at resetRate 1, then hangs up without an answer', async () => {
    await fx.control.setFaults({ api: { resetRate: 1, match: { method: 'POST' } } });
    const before = (await fx.control.runCounts())[agentId] ?? 0;
    const call = fx.startRun(agentId, { user_message: 'never answered' });
    await expect(call).rejects.toThrow(/fetch failed/);
    expect((await fx.control.runCounts())[agentId]).toBe(before + 1);
    expect((await fx.control.runs(agentId)).at(-1)?.user_message).toBe('never answered');
    expect((await fx.api('GET', '/v1/me')).status).toBe(200);
  });

  it('hangs up on a request that fails as well', async () => {
    await fx.control.setFaults({ api: { resetRate: 1 } });
    await expect(fx.api('GET', '/v1/agents/agent_nope')).rejects.toThrow(/fetch failed/);
  });

  it('repeats the same fault sequence for the same seed', async () => {
    const statuses = async () => {
      await fx.control.setFaults({ seed: 42, api: { rate429: 0.3, rate500: 0.2, retryAfterMs: 0 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await fx.api('GET', '/v1/me')).status);
      return out;
    };
    const first = await statuses();
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
    expect(await statuses()).toEqual(first);
  });

  it('limits faults to matching requests', async () => {
    await fx.control.setFaults({ api: { rate500: 1, match: { method: 'POST', path: '/runs$' } } });
    expect((await fx.api('GET', '/v1/me')).status).toBe(200);
    expect((await fx.api('POST', `/v1/agents/${agentId}/runs`, {})).status).toBe(500);
  });

  it('never applies faults to the control API', async () => {
    await fx.control.setFaults({ api: { rate500: 1 } });
    await expect(fx.control.runs()).resolves.toBeInstanceOf(Array);
  });

  it('answers 400 for an invalid fault configuration', async () => {
    await expect(fx.control.setFaults({ api: { rate429: 2 } })).rejects.toMatchObject({ status: 400 });
    await expect(fx.control.setFaults({ webhooks: { delayMs: [50, 10] } })).rejects.toMatchObject({
      status: 400,
    });
  });
});
