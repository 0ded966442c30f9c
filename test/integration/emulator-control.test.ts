import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startFixture, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

async function control(method: string, path: string, body?: unknown) {
  return callApi(fx.emulator.url, undefined, method, `/_emulator${path}`, body);
}

describe('Twin emulator: control API', () => {
  it('creates a deployed agent with an explicit ID', async () => {
    const res = await control('POST', '/agents', { agent_id: 'agent_ctl' });
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({
      agent_id: 'agent_ctl',
      deployment_state: 'deployed',
      deployed_at: expect.any(String),
    });
  });

  it('marks an agent deployed or not', async () => {
    const { agent_id } = await fx.control.createAgent({ deployed: false });
    expect((await fx.control.setDeployment(agent_id, true)).deployment_state).toBe('deployed');
    const publicView = await fx.api('GET', `/v1/agents/${agent_id}`);
    expect(publicView.body.agent.deployment_state).toBe('deployed');
  });

  it('rejects unknown fields in control bodies with 400', async () => {
    const res = await control('POST', '/agents', { deploy: true });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('rejects a script with an unknown result with 400', async () => {
    const res = await control('PUT', '/agents/agent_ctl/script', { runs: [{ result: 'exploded' }] });
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown run or agent', async () => {
    expect((await control('POST', '/runs/run_nope/complete', {})).status).toBe(404);
    expect((await control('PUT', '/agents/agent_nope/script', { runs: [{}] })).status).toBe(404);
  });

  it('reports the current fault configuration', async () => {
    await fx.control.setFaults({ seed: 9, api: { rate500: 0.5 } });
    const res = await control('GET', '/faults');
    expect(res.body).toMatchObject({ seed: 9, api: { rate500: 0.5, rate429: 0 }, webhooks: null });
    await fx.control.setFaults({});
  });

  it('forgets everything on reset, keys included', async () => {
    expect((await control('POST', '/reset')).body).toEqual({ success: true });
    expect((await fx.api('GET', '/v1/me')).status).toBe(401);
    expect(await fx.control.runs()).toEqual([]);
  });
});
