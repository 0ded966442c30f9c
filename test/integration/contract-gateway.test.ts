// Contract of the Twin client with what integrators met on the live gateway (shared/twin-api.md), as the
// emulator's documented profile plays it. The client has no call for an undocumented path, so a rewriting fetch
// sends one of its calls there instead: it stands in for any call the gateway routes but does not implement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';

let fx: ContractFixture;
let agentId: string;
let runId: string;
beforeAll(async () => {
  fx = await startContract();
  agentId = (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;
  runId = (await fx.twin.startRun(agentId)).run.run_id;
});
afterAll(() => fx.close());

/** A fetch that sends the client's request to `path` with `changes` applied, keeping its headers (the key). */
const rewritten =
  (path: string, changes: RequestInit = {}): typeof fetch =>
  (_input, init) =>
    fetch(`${fx.emulator.url}${path}`, { ...init, ...changes });

describe('the live gateway, met by the client', () => {
  it('an HTTP 200 answered as gRPC UNIMPLEMENTED with no body is an UNIMPLEMENTED error, not a success', async () => {
    const client = fx.clientWith({ fetch: rewritten(`/v1/agents/${agentId}/runs/${runId}`) });
    const error = await failure(client.listRunEvents(agentId, runId));
    expect(error).toMatchObject({ status: 200, code: 'UNIMPLEMENTED', retryable: false });
  });

  it('a bodiless 405 is a final error that names the allowed methods', async () => {
    const client = fx.clientWith({ fetch: rewritten(`/v1/agents/${agentId}/runs/${runId}`) });
    const error = await failure(client.updateWebhook(agentId, 'any', { status: 'disabled' }));
    expect(error).toMatchObject({ status: 405, retryable: false, allowedMethods: ['DELETE'] });
  });

  it('a 422 for JSON of the wrong type is INVALID_ARGUMENT and final', async () => {
    const body = JSON.stringify({ run_mode: 'run', user_message: { text: 'not a string' } });
    const client = fx.clientWith({ fetch: rewritten(`/v1/agents/${agentId}/runs`, { body }) });
    const error = await failure(client.startRun(agentId, { user_message: 'a string' }));
    expect(error).toMatchObject({ status: 422, code: 'INVALID_ARGUMENT', retryable: false });
    expect(error.detail).toMatch(/invalid type: map, expected a string/);
  });

  it('a start without run_mode would be refused with 400, so the client always sends one', async () => {
    const client = fx.clientWith({ fetch: rewritten(`/v1/agents/${agentId}/runs`, { body: '{}' }) });
    const error = await failure(client.startRun(agentId));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', retryable: false });
    expect(error.detail).toBe('run_mode must be explicitly set to Builder, Run, or SubAgent');
    await expect(fx.twin.startRun(agentId)).resolves.toMatchObject({ run: { status: 'in_progress' } });
  });
});
