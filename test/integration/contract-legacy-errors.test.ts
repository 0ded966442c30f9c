// Contract of the Twin client with an emulator answering errors in the legacy seed-000 shape
// `{error:{code,message}}`: the client reads the code and message from it, and the same failure carries the
// same code it has in problem+json, so callers never care which shape a deployment speaks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';

let fx: ContractFixture;
beforeAll(async () => {
  fx = await startContract({ legacyErrors: true });
});
afterEach(() => fx.control.setFaults({}));
afterAll(() => fx.close());

describe('legacy {error:{code,message}} answers', () => {
  it('an unknown agent is NOT_FOUND, with the message as detail', async () => {
    const error = await failure(fx.twin.getAgent('agent_nope'));
    expect(error).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      title: 'Not Found',
      detail: expect.stringContaining('agent_nope'),
      retryable: false,
    });
  });

  it('a run on an agent that is not deployed is FAILED_PRECONDITION, as in problem+json', async () => {
    const agentId = (await fx.control.createAgent({ deployed: false })).agent_id;
    const error = await failure(fx.twin.startRun(agentId));
    expect(error).toMatchObject({ status: 409, code: 'FAILED_PRECONDITION', retryable: false });
  });

  it('an agent ID that is taken keeps the body’s own code, ALREADY_EXISTS', async () => {
    const agentId = (await fx.control.createAgent()).agent_id;
    const error = await failure(fx.twin.createAgent({ agent_id: agentId }));
    expect(error).toMatchObject({ status: 409, code: 'ALREADY_EXISTS', retryable: false });
  });

  it('an unknown API key is UNAUTHENTICATED', async () => {
    const error = await failure(fx.clientWith({ apiKey: 'tw_live_unknown' }).me());
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', retryable: false });
  });

  it('an invalid request is INVALID_ARGUMENT', async () => {
    const agentId = (await fx.control.createAgent()).agent_id;
    const error = await failure(fx.twin.listRuns(agentId, { filter_started_after: 'last tuesday' }));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', retryable: false });
  });

  it('a rate limit is RESOURCE_EXHAUSTED, retryable, with the wait of Retry-After in milliseconds', async () => {
    await fx.control.setFaults({ api: { rate429: 1, retryAfterMs: 1500 } });
    const error = await failure(fx.twin.me());
    expect(error).toMatchObject({
      status: 429,
      code: 'RESOURCE_EXHAUSTED',
      retryable: true,
      retryAfterMs: 2000,
    });
  });
});
