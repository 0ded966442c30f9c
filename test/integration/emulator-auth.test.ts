import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startFixture, type EmulatorFixture } from './emulator-fixture.js';

describe('Twin emulator: API keys and authentication', () => {
  let fx: EmulatorFixture;
  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(() => fx.close());

  it('accepts a key issued by the control API and tells whose it is', async () => {
    const res = await fx.api('GET', '/v1/me');
    expect(res).toMatchObject({ status: 200, body: { user_id: 'user_emulator' } });
  });

  it('refuses a request without x-api-key with a 401 problem', async () => {
    const res = await callApi(fx.emulator.url, undefined, 'GET', '/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toEqual({
      title: 'Unauthorized',
      status: 401,
      detail: expect.any(String),
    });
  });

  it('refuses an unknown key', async () => {
    const res = await callApi(fx.emulator.url, 'tw_live_not_a_key', 'GET', '/v1/agents');
    expect(res.status).toBe(401);
  });

  it('creates a key through the public API that authenticates on its own', async () => {
    const created = await fx.api('POST', '/api/public/v1/access-api-keys', { name: 'integration' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key_id: expect.any(String),
      name: 'integration',
      created_at: expect.any(Number),
    });
    expect(created.body.api_key).toMatch(/^tw_live_/);
    expect(created.body.api_key.startsWith(created.body.display_prefix.replace(/\.\.\.$/, ''))).toBe(true);

    const me = await callApi(fx.emulator.url, created.body.api_key, 'GET', '/v1/me');
    expect(me.body).toEqual({ user_id: 'user_emulator' });
  });

  it('lists keys without ever returning the key itself', async () => {
    const res = await fx.api('GET', '/api/public/v1/access-api-keys');
    expect(res.status).toBe(200);
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({
        key_id: expect.any(String),
        name: expect.any(String),
        display_prefix: expect.any(String),
      });
      expect(key).not.toHaveProperty('api_key');
    }
  });

  it('stops accepting a revoked key at once', async () => {
    const created = await fx.api('POST', '/api/public/v1/access-api-keys', { name: 'short-lived' });
    const revoked = await fx.api('DELETE', `/api/public/v1/access-api-keys/${created.body.key_id}`);
    expect(revoked).toMatchObject({ status: 200, body: { revoked: true } });

    const res = await callApi(fx.emulator.url, created.body.api_key, 'GET', '/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/revoked/);
  });

  it('answers 404 when revoking an unknown key', async () => {
    const res = await fx.api('DELETE', '/api/public/v1/access-api-keys/key_missing');
    expect(res.status).toBe(404);
  });

  it('answers 400 when a key name is missing', async () => {
    const res = await fx.api('POST', '/api/public/v1/access-api-keys', {});
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/name/);
  });

  it('keeps users apart: another user cannot see my agents', async () => {
    const other = await fx.control.createApiKey({ user_id: 'user_other' });
    const agent = await fx.control.createAgent();
    const res = await callApi(fx.emulator.url, other.api_key, 'GET', `/v1/agents/${agent.agent_id}`);
    expect(res.status).toBe(404);
  });
});
