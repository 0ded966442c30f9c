import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunBehaviourInput } from '../../services/twin-emulator/control-client.js';
import { startFixture, waitFor, type ApiResponse, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

async function agentWith(script?: RunBehaviourInput[]): Promise<string> {
  return (await fx.control.createAgent({ script })).agent_id;
}

function startRun(agentId: string, body: object = {}): Promise<ApiResponse> {
  return fx.api('POST', `/v1/agents/${agentId}/runs`, body);
}

async function finishedRun(agentId: string, runId: string) {
  return waitFor(async () => {
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${runId}`);
    const run = res.body.runs[0];
    return run?.is_finished ? run : undefined;
  });
}

describe('Twin emulator: starting runs', () => {
  it('answers 201 with an in_progress run', async () => {
    const agentId = await agentWith();
    const res = await startRun(agentId, { run_mode: 'run', user_message: 'Please execute.' });
    expect(res.status).toBe(201);
    expect(res.body.run).toMatchObject({
      run_id: expect.stringMatching(/^run_/),
      agent_id: agentId,
      status: 'in_progress',
      started_at: expect.any(String),
      is_finished: false,
      is_paused: false,
      run_number: 1,
      policy_type: 'runner_v2',
      user_message: 'Please execute.',
    });
  });

  it('refuses a not-deployed agent with 409 unless skip_deploy_check is set', async () => {
    const { agent_id } = await fx.control.createAgent({ deployed: false });
    const refused = await startRun(agent_id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/not deployed/);
    expect((await startRun(agent_id, { skip_deploy_check: true })).status).toBe(201);
  });

  it('answers 400 for a bad run_mode and 404 for an unknown agent', async () => {
    const agentId = await agentWith();
    expect((await startRun(agentId, { run_mode: 'fly' })).status).toBe(400);
    expect((await startRun('agent_nope')).status).toBe(404);
  });

  it('completes by default with success and a summary', async () => {
    const agentId = await agentWith([{ durationMs: 20 }]);
    const started = await startRun(agentId);
    const run = await finishedRun(agentId, started.body.run.run_id);
    expect(run).toMatchObject({
      status: 'finished',
      outcome: 'success',
      summary: `Run 1 of ${agentId} completed`,
    });
    expect(run.finished_at).toEqual(expect.any(String));
  });
});

describe('Twin emulator: scripted run outcomes', () => {
  it('plays the script one behaviour per run, repeating the last', async () => {
    const agentId = await agentWith([
      { durationMs: 10, outcome: 'fail', summary: 'first try failed' },
      { durationMs: 10, outcome: 'fail' },
      { durationMs: 10, outcome: 'success' },
    ]);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const started = await startRun(agentId);
      outcomes.push((await finishedRun(agentId, started.body.run.run_id)).outcome);
    }
    expect(outcomes).toEqual(['fail', 'fail', 'success', 'success']);
  });

  it('reports a failed run as status "error" without an outcome', async () => {
    const agentId = await agentWith([{ durationMs: 10, result: 'failed', summary: 'policy exploded' }]);
    const started = await startRun(agentId);
    const run = await finishedRun(agentId, started.body.run.run_id);
    expect(run).toMatchObject({ status: 'error', summary: 'policy exploded' });
    expect(run).not.toHaveProperty('outcome');
  });

  it('pauses and resumes on its own when scripted to', async () => {
    const agentId = await agentWith([{ durationMs: 20, pauseAfterMs: 5, pauseForMs: 20 }]);
    const started = await startRun(agentId);
    await finishedRun(agentId, started.body.run.run_id);
    const events = await fx.api('GET', `/v1/agents/${agentId}/runs/${started.body.run.run_id}/events`);
    const kinds = events.body.events.map((e: { event: object }) => Object.keys(e.event)[0]);
    expect(kinds).toEqual(['started', 'tool_call', 'paused', 'resumed', 'message', 'finished']);
  });

  it('replaces the script through the control API, starting from its top', async () => {
    const agentId = await agentWith([{ durationMs: 10, outcome: 'fail' }]);
    await fx.control.setScript(agentId, [{ durationMs: 10, outcome: 'partial' }]);
    const started = await startRun(agentId);
    expect((await finishedRun(agentId, started.body.run.run_id)).outcome).toBe('partial');
  });
});

describe('Twin emulator: manual lifecycle moves', () => {
  it('pauses, resumes and completes a run that would otherwise never end', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    expect((await fx.control.moveRun(run.run_id, 'pause')).is_paused).toBe(true);
    expect((await fx.control.moveRun(run.run_id, 'resume')).status).toBe('in_progress');
    const done = await fx.control.moveRun(run.run_id, 'complete', { outcome: 'partial', summary: 'by hand' });
    expect(done).toMatchObject({
      status: 'finished',
      outcome: 'partial',
      summary: 'by hand',
      is_finished: true,
    });
  });

  it('fails a run by hand and refuses to move a finished run (409)', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    expect((await fx.control.moveRun(run.run_id, 'fail', { summary: 'boom' })).status).toBe('error');
    await expect(fx.control.moveRun(run.run_id, 'pause')).rejects.toMatchObject({ status: 409 });
  });
});

describe('Twin emulator: cancelling and deleting runs', () => {
  it('stops a running run and answers an empty error', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    const res = await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`, {
      reason: 'User requested',
    });
    expect(res).toMatchObject({ status: 200, body: { error: '' } });
    const listed = await fx.api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${run.run_id}`);
    expect(listed.body.runs[0]).toMatchObject({ status: 'stopped', is_finished: true });
  });

  it('is idempotent: cancelling a finished run succeeds with an informational message', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`);
    const again = await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.error).toMatch(/already finished/);
  });

  it('deletes a run with 204, after which it is 404', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    expect((await fx.api('DELETE', `/v1/agents/${agentId}/runs/${run.run_id}`)).status).toBe(204);
    expect((await fx.api('GET', `/v1/agents/${agentId}/runs/${run.run_id}/events`)).status).toBe(404);
    expect((await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`)).status).toBe(404);
  });
});

describe('Twin emulator: run events', () => {
  it('lists events with increasing indexes, paged by limit and after_index', async () => {
    const agentId = await agentWith([{ durationMs: 10, outcome: 'success', summary: 'done' }]);
    const { run } = (await startRun(agentId)).body;
    await finishedRun(agentId, run.run_id);
    const path = `/v1/agents/${agentId}/runs/${run.run_id}/events`;

    const all = await fx.api('GET', path);
    expect(all.body.events.map((e: { index: number }) => e.index)).toEqual([1, 2, 3, 4]);
    expect(all.body.events[0]).toEqual({ index: 1, event: { started: {} } });
    expect(all.body.events[3]).toEqual({
      index: 4,
      event: { finished: { outcome: 'success', summary: 'done' } },
    });

    const page = await fx.api('GET', `${path}?limit=2&after_index=1`);
    expect(page.body.events.map((e: { index: number }) => e.index)).toEqual([2, 3]);
  });

  it('answers 400 for a negative after_index', async () => {
    const agentId = await agentWith([{ result: 'never' }]);
    const { run } = (await startRun(agentId)).body;
    expect(
      (await fx.api('GET', `/v1/agents/${agentId}/runs/${run.run_id}/events?after_index=-1`)).status,
    ).toBe(400);
  });
});

describe('Twin emulator: listing runs', () => {
  let agentId: string;
  const runIds: string[] = [];
  let betweenStarts = '';

  beforeAll(async () => {
    agentId = await agentWith([{ durationMs: 5 }, { result: 'never' }, { durationMs: 5, result: 'failed' }]);
    runIds.push((await startRun(agentId, { user_message: 'first of three' })).body.run.run_id);
    await finishedRun(agentId, runIds[0] as string);
    await new Promise((resolve) => setTimeout(resolve, 5));
    betweenStarts = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    runIds.push((await startRun(agentId)).body.run.run_id);
    runIds.push((await startRun(agentId, { run_mode: 'build', skip_deploy_check: true })).body.run.run_id);
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

  it('lists every run with its user_message on the control API', async () => {
    const runs = await fx.control.runs(agentId);
    expect(runs.map((r) => r.run_id)).toEqual(runIds);
    expect(runs[0]).toMatchObject({
      trigger: 'api',
      user_message: 'first of three',
      started_at: expect.any(String),
    });
  });
});
