import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startFixture, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
let undeployed: string;
beforeAll(async () => {
  fx = await startFixture({ legacyErrors: true });
  undeployed = (await fx.control.createAgent({ deployed: false })).agent_id;
});
afterEach(() => fx.control.setFaults({}));
afterAll(() => fx.close());

describe('Twin emulator: legacy (seed 000) error shape', () => {
  it('answers an unknown agent with 404 NOT_FOUND as {error:{code,message}}', async () => {
    const res = await fx.api('GET', '/v1/agents/agent_nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('agent_nope') },
    });
  });

  it('answers a missing key with 401 UNAUTHENTICATED', async () => {
    const res = await callApi(fx.emulator.url, undefined, 'GET', '/v1/me');
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  });

  it('answers a bad body with 400 INVALID_ARGUMENT', async () => {
    const res = await fx.api('POST', `/v1/agents/${undeployed}/runs`, { run_mode: 'fly' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ARGUMENT' } } });
  });

  it('answers JSON of the wrong type with 422 INVALID_ARGUMENT', async () => {
    const res = await fx.api('POST', `/v1/agents/${undeployed}/runs`, { run_mode: 'run', user_message: {} });
    expect(res).toMatchObject({ status: 422, body: { error: { code: 'INVALID_ARGUMENT' } } });
  });

  it('answers a run on a not-deployed agent with 409 FAILED_PRECONDITION', async () => {
    const res = await fx.startRun(undeployed);
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'FAILED_PRECONDITION' } } });
  });

  it('answers an injected rate limit with 429 RESOURCE_EXHAUSTED', async () => {
    await fx.control.setFaults({ api: { rate429: 1 } });
    const res = await fx.api('GET', '/v1/me');
    expect(res).toMatchObject({ status: 429, body: { error: { code: 'RESOURCE_EXHAUSTED' } } });
  });

  it('answers an injected server error with 500 INTERNAL', async () => {
    await fx.control.setFaults({ api: { rate500: 1 } });
    const res = await fx.api('GET', '/v1/me');
    expect(res).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
  });
});

describe('Twin emulator: legacy error shape with the rich profile', () => {
  let rich: EmulatorFixture;
  beforeAll(async () => {
    rich = await startFixture({ legacyErrors: true, profile: 'rich' });
  });
  afterAll(() => rich.close());

  it('answers the same shape, and JSON of the wrong type with 400 INVALID_ARGUMENT', async () => {
    const missing = await rich.api('GET', '/v1/agents/agent_nope');
    expect(missing.body).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('agent_nope') },
    });
    const { agent_id } = await rich.control.createAgent();
    const res = await rich.api('POST', `/v1/agents/${agent_id}/runs`, { user_message: {} });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ARGUMENT' } } });
  });
});
