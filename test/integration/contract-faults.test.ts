// Contract of the Twin client with the emulator's injected faults (PUT /_emulator/faults): a rate limit, a
// server error, an answer that comes too late and a connection reset each become a TwinApiError that says to
// retry, and when to; a late or lost answer also says the request may have been performed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';
import { waitFor } from './emulator-fixture.js';

let fx: ContractFixture;
beforeAll(async () => {
  fx = await startContract();
});
afterEach(() => fx.control.setFaults({}));
afterAll(() => fx.close());

describe('rate limits (429)', () => {
  it('are RESOURCE_EXHAUSTED and retryable', async () => {
    await fx.control.setFaults({ api: { rate429: 1 } });
    const error = await failure(fx.twin.listAgents());
    expect(error).toMatchObject({ status: 429, code: 'RESOURCE_EXHAUSTED', retryable: true });
  });

  it('carry the wait Twin asked for, in milliseconds, from Retry-After (whole seconds)', async () => {
    await fx.control.setFaults({ api: { rate429: 1, retryAfterMs: 1500 } });
    expect((await failure(fx.twin.me())).retryAfterMs).toBe(2000);
  });
});

describe('server errors (500)', () => {
  it('are INTERNAL and retryable', async () => {
    await fx.control.setFaults({ api: { rate500: 1 } });
    const error = await failure(fx.twin.listWorkspaces());
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL', retryable: true, retryAfterMs: undefined });
  });
});

describe('answers slower than the client’s timeout', () => {
  it('are a retryable TIMEOUT with status 0', async () => {
    await fx.control.setFaults({ api: { slowRate: 1, slowMs: 2000 } });
    const error = await failure(fx.clientWith({ timeoutMs: 100 }).me());
    expect(error).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it('may still have done what was asked: the run exists although the start timed out', async () => {
    const agentId = (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;
    await fx.control.setFaults({ api: { slowRate: 1, slowMs: 2000, match: { method: 'POST' } } });
    const start = fx.clientWith({ timeoutMs: 100 }).startRun(agentId, { user_message: 'late answer' });
    expect(await failure(start)).toMatchObject({ code: 'TIMEOUT', retryable: true });
    const runs = await waitFor(async () => {
      const all = await fx.control.runs(agentId);
      return all.length > 0 ? all : undefined;
    });
    expect(runs.map((r) => r.user_message)).toEqual(['late answer']);
  });
});

describe('connections reset after the request was performed', () => {
  it('are a retryable NETWORK error that may have been performed, and the run exists', async () => {
    const agentId = (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;
    await fx.control.setFaults({ api: { resetRate: 1, match: { method: 'POST' } } });
    const error = await failure(fx.twin.startRun(agentId, { user_message: 'lost answer' }));
    expect(error).toMatchObject({ status: 0, code: 'NETWORK', retryable: true, mayHavePerformed: true });
    expect((await fx.control.runCounts())[agentId]).toBe(1);
  });
});
