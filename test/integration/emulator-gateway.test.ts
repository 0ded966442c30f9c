// The documented profile behaves as integrators met the live Twin gateway (shared/twin-api.md, "As integrators
// met it"); each of these is a way the real API differs from a naive reading of seed 001.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from './emulator-fixture.js';

const RUN_MODE_REQUIRED = 'run_mode must be explicitly set to Builder, Run, or SubAgent';

let fx: EmulatorFixture;
let agentId: string;
let runId: string;
beforeAll(async () => {
  fx = await startFixture();
  agentId = (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;
  runId = (await fx.startRun(agentId)).body.run.run_id;
});
afterAll(() => fx.close());

const runs = () => fx.control.runs(agentId);

describe('run_mode', () => {
  it.each([
    ['missing', {}],
    ['capitalised', { run_mode: 'Run' }],
    ['a word the gateway names', { run_mode: 'SubAgent' }],
    ['unknown', { run_mode: 'fly' }],
  ])('is refused with 400 when %s, and no run starts', async (_case, body) => {
    const before = (await runs()).length;
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toEqual({ title: 'Bad Request', status: 400, detail: RUN_MODE_REQUIRED });
    expect((await runs()).length).toBe(before);
  });

  it.each(['run', 'build'])('is accepted as the documented lowercase "%s"', async (mode) => {
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, {
      run_mode: mode,
      skip_deploy_check: true,
    });
    expect(res.status).toBe(201);
  });
});

describe('problem bodies', () => {
  it('carry title, status and detail, without type', async () => {
    const res = await fx.api('GET', '/v1/agents/agent_nope');
    expect(res.status).toBe(404);
    expect(Object.keys(res.body).sort()).toEqual(['detail', 'status', 'title']);
  });
});

describe('JSON of the wrong type', () => {
  it('is 422 with a deserialiser-like detail naming the field', async () => {
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, { run_mode: 'run', user_message: {} });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      title: 'Unprocessable Entity',
      status: 422,
      detail: expect.stringMatching(
        /^Failed to deserialize the JSON body.*user_message: invalid type: map, expected a string/,
      ),
    });
  });

  it('is 422 for a number where a boolean is due, on any endpoint', async () => {
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, { run_mode: 'run', skip_deploy_check: 1 });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/skip_deploy_check: invalid type: integer `1`, expected a boolean/);
  });

  it('stays 400 for a value of the right type that is not allowed', async () => {
    const res = await fx.api('PUT', `/v1/agents/${agentId}/schedule`, { cron: 'every day' });
    expect(res.status).toBe(400);
  });
});

describe('routed but unimplemented paths', () => {
  it('answer a single-run GET with HTTP 200, application/grpc, grpc-status 12 and no body', async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs/${runId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/grpc');
    expect(res.headers.get('grpc-status')).toBe('12');
    expect(res.body).toBeUndefined();
  });

  it('answer PATCH on a run with 405, Allow: DELETE and no body', async () => {
    const res = await fx.api('PATCH', `/v1/agents/${agentId}/runs/${runId}`, { status: 'stopped' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE');
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.body).toBeUndefined();
  });
});

describe('events of an unknown run', () => {
  it('are an empty page with total_count 0, not a 404', async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs/019cbf0d-76f6-70e1-b106-9150e93b6e0f/events`);
    expect(res).toMatchObject({ status: 200, body: { events: [], total_count: 0 } });
  });

  it('include those of a deleted run', async () => {
    const { run } = (await fx.startRun(agentId)).body;
    await fx.api('DELETE', `/v1/agents/${agentId}/runs/${run.run_id}`);
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs/${run.run_id}/events`);
    expect(res.body).toEqual({ events: [], total_count: 0 });
  });

  it('still need a known agent (404)', async () => {
    expect((await fx.api('GET', `/v1/agents/agent_nope/runs/${runId}/events`)).status).toBe(404);
  });
});
