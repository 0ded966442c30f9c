// Runs on the emulator's default, documented profile: starting, scripted and manual lifecycles, cancelling,
// deleting and listing. What a run object shows is only what seed 001 shows; outcomes, summaries and
// user_messages are checked through the control API, the emulator's ground truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import {
  startFixture,
  UUID_V7,
  waitFor,
  type ApiResponse,
  type EmulatorFixture,
} from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

async function agentWith(script?: RunBehaviourInput[]): Promise<string> {
  return (await fx.control.createAgent({ script })).agent_id;
}

async function finishedRun(agentId: string, runId: string) {
  return waitFor(async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${runId}`);
    const run = res.body.runs[0];
    return run?.finished_at ? run : undefined;
  });
}

async function truth(runId: string) {
  return (await fx.control.runs()).find((r) => r.run_id === runId);
}

describe('Twin emulator: starting runs', () => {
  it('answers 201 with an in_progress run carrying exactly the start answer of seed 001', async () => {
    const agentId = await agentWith();
    const res = await fx.startRun(agentId, { user_message: 'Please execute.' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      run: {
        run_id: expect.stringMatching(UUID_V7),
        agent_id: agentId,
        status: 'in_progress',
        started_at: expect.any(String),
        is_finished: false,
        is_paused: false,
        run_number: 1,
        policy_type: 'runner_v2',
      },
    });
    expect((await truth(res.body.run.run_id))?.user_message).toBe('Please execute.');
  });

  it('gives runs and agents time-ordered UUIDv7 IDs', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    expect(agentId).toMatch(UUID_V7);
    const first = (await fx.startRun(agentId)).body.run.run_id as string;
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = (await fx.startRun(agentId)).body.run.run_id as string;
    expect(second).toMatch(UUID_V7);
    expect(second > first).toBe(true);
  });

  it('refuses a not-deployed agent with 409 unless skip_deploy_check is set', async () => {
    const { agent_id } = await fx.control.createAgent({ deployed: false });
    const refused = await fx.startRun(agent_id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/not deployed/);
    expect((await fx.startRun(agent_id, { skip_deploy_check: true })).status).toBe(201);
  });

  it('answers 404 for an unknown agent', async () => {
    expect((await fx.startRun('agent_nope')).status).toBe(404);
  });

  it('completes by default: the list shows "finished" and finished_at, the outcome is success', async () => {
    const agentId = await agentWith([{ durationMs: 20 }]);
    const started = await fx.startRun(agentId);
    const run = await finishedRun(agentId, started.body.run.run_id);
    expect(run).toEqual({
      run_id: started.body.run.run_id,
      agent_id: agentId,
      status: 'finished',
      started_at: started.body.run.started_at,
      finished_at: expect.any(String),
    });
    expect(await truth(run.run_id)).toMatchObject({ outcome: 'success', output: expect.any(String) });
  });
});

describe('Twin emulator: scripted run outcomes', () => {
  it('plays the script one behaviour per run, repeating the last', async () => {
    const agentId = await agentWith([
      { durationMs: 10, outcome: 'fail' },
      { durationMs: 10, outcome: 'fail' },
      { durationMs: 10, outcome: 'success' },
    ]);
    for (let i = 0; i < 4; i++) await finishedRun(agentId, (await fx.startRun(agentId)).body.run.run_id);
    expect((await fx.control.runs(agentId)).map((r) => r.outcome)).toEqual([
      'fail',
      'fail',
      'success',
      'success',
    ]);
  });

  it('lists a failed run as status "error"; its reason is in the control API', async () => {
    const agentId = await agentWith([{ durationMs: 10, result: 'failed', reason: 'policy exploded' }]);
    const started = await fx.startRun(agentId);
    expect(await finishedRun(agentId, started.body.run.run_id)).toMatchObject({ status: 'error' });
    const run = await truth(started.body.run.run_id);
    expect(run).toMatchObject({ reason: 'policy exploded' });
    expect(run).not.toHaveProperty('outcome');
  });

  it('replaces the script through the control API, starting from its top', async () => {
    const agentId = await agentWith([{ durationMs: 10, outcome: 'fail' }]);
    await fx.control.setScript(agentId, [{ durationMs: 10, outcome: 'partial' }]);
    const started = await fx.startRun(agentId);
    await finishedRun(agentId, started.body.run.run_id);
    expect((await truth(started.body.run.run_id))?.outcome).toBe('partial');
  });
});

describe('Twin emulator: manual lifecycle moves', () => {
  it('pauses, resumes and completes a run that would otherwise never end', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await fx.startRun(agentId)).body;
    expect((await fx.control.moveRun(run.run_id, 'pause')).is_paused).toBe(true);
    expect((await fx.control.moveRun(run.run_id, 'resume')).status).toBe('in_progress');
    const done = await fx.control.moveRun(run.run_id, 'complete', { outcome: 'partial', output: 'by hand' });
    expect(done).toMatchObject({
      status: 'finished',
      outcome: 'partial',
      output: 'by hand',
      is_finished: true,
    });
  });

  it('fails a run by hand and refuses to move a finished run (409)', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await fx.startRun(agentId)).body;
    const failed = await fx.control.moveRun(run.run_id, 'fail', { reason: 'boom' });
    expect(failed).toMatchObject({ status: 'error', reason: 'boom' });
    await expect(fx.control.moveRun(run.run_id, 'pause')).rejects.toMatchObject({ status: 409 });
  });
});

describe('Twin emulator: cancelling and deleting runs', () => {
  it('stops a running run and answers an empty error', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await fx.startRun(agentId)).body;
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`, {
      reason: 'User requested',
    });
    expect(res).toMatchObject({ status: 200, body: { error: '' } });
    const listed = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${run.run_id}`);
    expect(listed.body.runs[0]).toMatchObject({ status: 'stopped', finished_at: expect.any(String) });
    expect(await truth(run.run_id)).toMatchObject({ reason: 'User requested' });
  });

  it('is idempotent: cancelling a finished run succeeds with an informational message', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await fx.startRun(agentId)).body;
    await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`);
    const again = await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.error).toMatch(/already finished/);
  });

  it('deletes a run with 204, after which cancel and delete are 404', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await fx.startRun(agentId)).body;
    expect((await fx.api('DELETE', `/v1/agents/${agentId}/runs/${run.run_id}`)).status).toBe(204);
    expect((await fx.api('DELETE', `/v1/agents/${agentId}/runs/${run.run_id}`)).status).toBe(404);
    expect((await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`)).status).toBe(404);
  });
});

describe('Twin emulator: listing runs', () => {
  let agentId: string;
  const runIds: string[] = [];
  let betweenStarts = '';

  beforeAll(async () => {
    agentId = await agentWith([{ durationMs: 5 }, { result: 'never' }, { durationMs: 5, result: 'failed' }]);
    runIds.push((await fx.startRun(agentId, { user_message: 'first of three' })).body.run.run_id);
    await finishedRun(agentId, runIds[0] as string);
    await new Promise((resolve) => setTimeout(resolve, 5));
    betweenStarts = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    runIds.push((await fx.startRun(agentId)).body.run.run_id);
    runIds.push((await fx.startRun(agentId, { run_mode: 'build', skip_deploy_check: true })).body.run.run_id);
    await finishedRun(agentId, runIds[2] as string);
  });

  const ids = (res: ApiResponse) => res.body.runs.map((r: { run_id: string }) => r.run_id);

  it('lists newest first with total_runs as a string', async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs`);
    expect(ids(res)).toEqual([...runIds].reverse());
    expect(res.body).toMatchObject({ total_runs: '3', page: 1, page_size: 100 });
  });

  it('pages with page and page_size', async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs?page=2&page_size=2`);
    expect(ids(res)).toEqual([runIds[0]]);
    expect(res.body).toMatchObject({ total_runs: '3', page: 2, page_size: 2 });
  });

  it.each([
    ['finished', 0],
    ['completed', 0],
    ['in_progress', 1],
    ['error', 2],
    ['failed', 2],
  ])('filters by status word %s', async (word, index) => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_status=${word}`);
    expect(ids(res)).toEqual([runIds[index]]);
    expect(res.body.total_runs).toBe('1');
  });

  it('filters by start time bounds', async () => {
    const after = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_started_after=${betweenStarts}`);
    expect(ids(after)).toEqual([runIds[2], runIds[1]]);
    const before = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_started_before=${betweenStarts}`);
    expect(ids(before)).toEqual([runIds[0]]);
  });

  it('filters by policy type and policy group', async () => {
    const byType = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_policy_type=builder_v3`);
    expect(ids(byType)).toEqual([runIds[2]]);
    const byGroup = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_policy_group=runner`);
    expect(ids(byGroup)).toEqual([runIds[1], runIds[0]]);
  });

  it('answers 400 for an unknown status word or a bad date', async () => {
    expect((await fx.api('GET', `/v1/agents/${agentId}/runs?filter_status=exploded`)).status).toBe(400);
    expect((await fx.api('GET', `/v1/agents/${agentId}/runs?filter_started_after=yesterday`)).status).toBe(
      400,
    );
  });

  it('lists every run with its user_message, and counts runs per agent, on the control API', async () => {
    const runs = await fx.control.runs(agentId);
    expect(runs.map((r) => r.run_id)).toEqual(runIds);
    expect(runs[0]).toMatchObject({
      trigger: 'api',
      user_message: 'first of three',
      started_at: expect.any(String),
    });
    expect((await fx.control.runCounts())[agentId]).toBe(3);
  });
});
