// Contract of the Twin client with the emulator's error answers in today's shape, RFC 9457 problem+json: every
// failure arrives as one TwinApiError with the status, a gRPC-style code, the server's detail and whether a
// retry can help.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';

let fx: ContractFixture;
beforeAll(async () => {
  fx = await startContract();
});
afterAll(() => fx.close());

describe('problem+json answers', () => {
  it('an unknown agent is 404 NOT_FOUND with title and detail from a body without type', async () => {
    const error = await failure(fx.twin.getAgent('agent_nope'));
    expect(error).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      title: 'Not Found',
      detail: expect.stringContaining('agent_nope'),
      retryable: false,
    });
  });

  it('the error names the request, method and path, but not the base URL', async () => {
    const error = await failure(fx.twin.getAgent('agent_nope'));
    expect(error).toMatchObject({ method: 'GET', path: '/v1/agents/agent_nope' });
    expect(error.message).not.toContain(fx.emulator.url);
  });

  it('a request Twin finds invalid is 400 INVALID_ARGUMENT with Twin’s reason, not retryable', async () => {
    const agentId = (await fx.control.createAgent()).agent_id;
    const error = await failure(fx.twin.listRuns(agentId, { filter_started_after: 'last tuesday' }));
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining('filter_started_after'),
      retryable: false,
    });
  });

  it('an unknown API key is 401 UNAUTHENTICATED, and the key is not in the error', async () => {
    const apiKey = 'tw_live_not_a_key_the_emulator_issued';
    const error = await failure(fx.clientWith({ apiKey }).me());
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', retryable: false });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(apiKey);
  });
});
