// The rich profile: the emulator as it was before the documented profile, for demos and tests of the extras.
// Run objects carry seed 000's fields and user_message, `finished` events carry the outcome and summary, and
// requests are treated leniently (no integrator-observed gateway behaviour).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../providers/twin/emulator/server.js';
import { startFixture, waitFor, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
let agentId: string;
beforeAll(async () => {
  fx = await startFixture({ profile: 'rich' });
  agentId = (
    await fx.control.createAgent({ script: [{ durationMs: 10, outcome: 'partial', summary: 'half done' }] })
  ).agent_id;
});
afterEach(() => fx.control.setFaults({}));
afterAll(() => fx.close());

describe('Twin emulator, rich profile: run objects', () => {
  it('start without run_mode (it defaults to run) and answer the extras', async () => {
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, { user_message: 'hello' });
    expect(res.status).toBe(201);
    expect(res.body.run).toMatchObject({ policy_type: 'runner_v2', user_message: 'hello', event_count: '2' });
    const runId = res.body.run.run_id;
    const listed = await waitFor(async () => {
      const run = (await fx.api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${runId}`)).body.runs[0];
      return run?.is_finished ? run : undefined;
    });
    expect(listed).toMatchObject({ status: 'finished', outcome: 'partial', summary: 'half done' });
    const events = (await fx.api('GET', `/v1/agents/${agentId}/runs/${runId}/events`)).body.events;
    expect(events.at(-1).event).toEqual({ finished: { outcome: 'partial', summary: 'half done' } });
  });
});

describe('Twin emulator, rich profile: lenient requests', () => {
  it('answers problem bodies with type, and 400 for JSON of the wrong type', async () => {
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs`, { user_message: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'about:blank',
      status: 400,
      detail: expect.stringContaining('user_message'),
    });
  });

  it('answers a single-run GET or a PATCH on a run with a 405 problem, and unknown run events with 404', async () => {
    for (const method of ['GET', 'PATCH']) {
      const res = await fx.api(method, `/v1/agents/${agentId}/runs/run_nope`);
      expect(res).toMatchObject({ status: 405, body: { type: 'about:blank', status: 405 } });
    }
    expect((await fx.api('GET', `/v1/agents/${agentId}/runs/run_nope/events`)).status).toBe(404);
  });

  it('adds Retry-After-Ms beside Retry-After on a rate limit', async () => {
    await fx.control.setFaults({ api: { rate429: 1, retryAfterMs: 1500 } });
    const res = await fx.api('GET', '/v1/me');
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('retry-after-ms')).toBe('1500');
  });
});

describe('Twin emulator profiles', () => {
  it('refuses an unknown profile with a clear error', async () => {
    // @ts-expect-error -- a caller without types can pass anything
    await expect(startEmulator({ profile: 'fancy' })).rejects.toThrow(
      /profile must be one of documented, rich/,
    );
  });
});
