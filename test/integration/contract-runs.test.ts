// Contract of the Twin client with the emulator for runs and run events: starting (and when Twin refuses to),
// listing with filters and pages, cancelling, deleting, and the status words twinflow has to normalise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllRuns } from '../../providers/twin/client/paging.js';
import { normaliseRunStatus } from '../../providers/twin/vocabulary/run-status.js';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';

let fx: ContractFixture;
beforeAll(async () => {
  fx = await startContract();
});
afterAll(() => fx.close());

/** Runs of this agent stay in progress until cancelled or moved through the control API. */
const idleAgent = async () => (await fx.control.createAgent({ script: [{ result: 'never' }] })).agent_id;

async function startRuns(agentId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await fx.twin.startRun(agentId)).run.run_id);
  return ids;
}

const statusOf = async (agentId: string, runId: string) =>
  (await fx.twin.listRuns(agentId, { filter_run_id: runId })).runs[0]?.status;

describe('starting runs', () => {
  it('startRun sends a run_mode of its own, which the live gateway requires', async () => {
    const agentId = await idleAgent();
    const { run } = await fx.twin.startRun(agentId);
    expect(run.policy_type).toBe('runner_v2');
  });

  it('startRun on a deployed agent answers the run, in progress', async () => {
    const agentId = await idleAgent();
    const { run } = await fx.twin.startRun(agentId, { run_mode: 'run' });
    expect(run).toMatchObject({
      agent_id: agentId,
      status: 'in_progress',
      is_finished: false,
      is_paused: false,
      run_number: 1,
    });
  });

  it('startRun hands the user_message to Twin', async () => {
    const agentId = await idleAgent();
    const { run } = await fx.twin.startRun(agentId, { user_message: 'Summarise the inbox.' });
    const seen = (await fx.control.runs(agentId)).find((r) => r.run_id === run.run_id);
    expect(seen?.user_message).toBe('Summarise the inbox.');
  });

  it('startRun on an agent that is not deployed is refused with 409 FAILED_PRECONDITION', async () => {
    const agentId = (await fx.control.createAgent({ deployed: false })).agent_id;
    const error = await failure(fx.twin.startRun(agentId));
    expect(error).toMatchObject({ status: 409, code: 'FAILED_PRECONDITION', retryable: false });
    expect(await fx.control.runs(agentId)).toEqual([]);
  });

  it('startRun with skip_deploy_check starts a run on an agent that is not deployed', async () => {
    const agentId = (await fx.control.createAgent({ deployed: false, script: [{ result: 'never' }] }))
      .agent_id;
    const { run } = await fx.twin.startRun(agentId, { skip_deploy_check: true });
    expect(run.status).toBe('in_progress');
  });
});

describe('listing runs', () => {
  it('listRuns answers newest first, with total_runs as a string and as a number', async () => {
    const agentId = await idleAgent();
    const ids = await startRuns(agentId, 3);
    const answer = await fx.twin.listRuns(agentId);
    expect(answer.runs.map((r) => r.run_id)).toEqual([...ids].reverse());
    expect(answer).toMatchObject({ total_runs: '3', total_runs_count: 3, page: 1 });
  });

  it('listRuns filters by status', async () => {
    const agentId = await idleAgent();
    const [done = ''] = await startRuns(agentId, 2);
    await fx.control.moveRun(done, 'complete');
    const { runs } = await fx.twin.listRuns(agentId, { filter_status: 'finished' });
    expect(runs.map((r) => r.run_id)).toEqual([done]);
  });

  it('listRuns filters by run ID', async () => {
    const agentId = await idleAgent();
    const [, wanted] = await startRuns(agentId, 3);
    const { runs } = await fx.twin.listRuns(agentId, { filter_run_id: wanted });
    expect(runs.map((r) => r.run_id)).toEqual([wanted]);
  });

  it('listRuns filters by start time', async () => {
    const agentId = await idleAgent();
    const [runId] = await startRuns(agentId, 1);
    const window = {
      filter_started_after: '2000-01-01T00:00:00Z',
      filter_started_before: '2100-01-01T00:00:00Z',
    };
    expect((await fx.twin.listRuns(agentId, window)).runs.map((r) => r.run_id)).toEqual([runId]);
    const future = { filter_started_after: '2100-01-01T00:00:00Z' };
    expect((await fx.twin.listRuns(agentId, future)).runs).toEqual([]);
  });

  it('listAllRuns walks every page, newest first, each run once', async () => {
    const agentId = await idleAgent();
    const ids = await startRuns(agentId, 7);
    const seen: string[] = [];
    for await (const run of listAllRuns(fx.twin, agentId, { page_size: 3 })) seen.push(run.run_id);
    expect(seen).toEqual([...ids].reverse());
  });

  it('every status word of the run list is one twinflow normalises', async () => {
    const agentId = await idleAgent();
    const [completed, failed, stopped, paused, running] = await startRuns(agentId, 5);
    await fx.control.moveRun(completed ?? '', 'complete');
    await fx.control.moveRun(failed ?? '', 'fail');
    await fx.twin.cancelRun(agentId, stopped ?? '');
    await fx.control.moveRun(paused ?? '', 'pause');
    const statuses = Object.fromEntries(
      (await fx.twin.listRuns(agentId)).runs.map((r) => [r.run_id, normaliseRunStatus(r.status)]),
    );
    expect(statuses).toEqual({
      [completed ?? '']: 'completed',
      [failed ?? '']: 'failed',
      [stopped ?? '']: 'stopped',
      [paused ?? '']: 'paused',
      [running ?? '']: 'in_progress',
    });
  });
});

describe('cancelling and deleting runs', () => {
  it('cancelRun stops a run in progress and answers an empty error', async () => {
    const agentId = await idleAgent();
    const [runId = ''] = await startRuns(agentId, 1);
    expect(await fx.twin.cancelRun(agentId, runId, 'no longer needed')).toEqual({ error: '' });
    expect(await statusOf(agentId, runId)).toBe('stopped');
  });

  it('cancelRun of a finished run succeeds with an informational error', async () => {
    const agentId = await idleAgent();
    const [runId = ''] = await startRuns(agentId, 1);
    await fx.control.moveRun(runId, 'complete');
    const { error } = await fx.twin.cancelRun(agentId, runId);
    expect(error).not.toBe('');
    expect(await statusOf(agentId, runId)).toBe('finished');
  });

  it('deleteRun resolves to undefined and the run is no longer listed', async () => {
    const agentId = await idleAgent();
    const [runId = ''] = await startRuns(agentId, 1);
    expect(await fx.twin.deleteRun(agentId, runId)).toBeUndefined();
    expect((await fx.twin.listRuns(agentId, { filter_run_id: runId })).runs).toEqual([]);
  });

  it('deleteRun of an unknown run is 404 NOT_FOUND', async () => {
    const error = await failure(fx.twin.deleteRun(await idleAgent(), 'run_missing'));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});

describe('run events', () => {
  let agentId: string;
  let runId: string;
  beforeAll(async () => {
    agentId = await idleAgent();
    [runId = ''] = await startRuns(agentId, 1);
    await fx.control.moveRun(runId, 'complete', { outcome: 'partial', output: 'half done' });
  });

  it('listRunEvents answers the events in order, with their kind lifted out', async () => {
    const { events } = await fx.twin.listRunEvents(agentId, runId);
    expect(events.map((e) => [e.index, e.kind])).toEqual([
      [1, 'started'],
      [2, 'tool_call'],
      [3, 'assistant_message'],
      [4, 'finished'],
    ]);
  });

  it('the output is in the final assistant message; finished carries no outcome (the webhook does)', async () => {
    const { events } = await fx.twin.listRunEvents(agentId, runId);
    expect(events.at(-2)?.event).toEqual({ assistant_message: { role: 'assistant', text: 'half done' } });
    expect(events.at(-1)?.event).toEqual({ finished: {} });
  });

  it('listRunEvents pages with after_index and limit', async () => {
    const { events } = await fx.twin.listRunEvents(agentId, runId, { after_index: 1, limit: 2 });
    expect(events.map((e) => e.index)).toEqual([2, 3]);
  });

  it('listRunEvents of an unknown run is an empty page, not an error: an empty list proves nothing', async () => {
    const answer = await fx.twin.listRunEvents(agentId, '019cbf0d-76f6-70e1-b106-9150e93b6e0f');
    expect(answer.events).toEqual([]);
  });
});
