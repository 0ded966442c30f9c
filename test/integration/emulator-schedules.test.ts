import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startFixture, waitFor, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

async function deployedAgent(): Promise<string> {
  return (await fx.control.createAgent({ script: [{ durationMs: 5 }] })).agent_id;
}

const scheduledRuns = async (agentId: string) =>
  (await fx.control.runs(agentId)).filter((r) => r.trigger === 'schedule').length;

describe('Twin emulator: schedule management', () => {
  it('has no schedule until one is set', async () => {
    const agentId = await deployedAgent();
    expect((await fx.api('GET', `/v1/agents/${agentId}/schedule`)).body).toEqual({ schedule: null });
  });

  it('sets, reads, lists and deletes a schedule', async () => {
    const agentId = await deployedAgent();
    const path = `/v1/agents/${agentId}/schedule`;
    expect((await fx.api('PUT', path, { cron: '0 0 9 * * * *' })).body).toEqual({ success: true });
    expect((await fx.api('GET', path)).body).toEqual({ schedule: { cron: '0 0 9 * * * *', paused: false } });
    const all = await fx.api('GET', '/v1/schedules');
    expect(all.body.schedules).toContainEqual({ agent_id: agentId, cron: '0 0 9 * * * *', paused: false });
    expect((await fx.api('DELETE', path)).body).toEqual({ success: true });
    expect((await fx.api('GET', path)).body).toEqual({ schedule: null });
    expect((await fx.api('DELETE', path)).status).toBe(404);
  });

  it('refuses a schedule on a not-deployed agent with 409', async () => {
    const { agent_id } = await fx.control.createAgent({ deployed: false });
    const res = await fx.api('PUT', `/v1/agents/${agent_id}/schedule`, { cron: '0 0 9 * * * *' });
    expect(res.status).toBe(409);
  });

  it.each(['0 0 9 * * *', '61 * * * * * *', '0 0 9 * * * 19x9', '0 0 9 * * * 2030-2020'])(
    'refuses the invalid cron "%s" with 400',
    async (cron) => {
      const agentId = await deployedAgent();
      const res = await fx.api('PUT', `/v1/agents/${agentId}/schedule`, { cron });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/cron/);
    },
  );

  it('answers 404 when pausing an agent without a schedule', async () => {
    const agentId = await deployedAgent();
    expect((await fx.api('POST', `/v1/agents/${agentId}/schedule/pause`)).status).toBe(404);
  });
});

describe('Twin emulator: schedules firing', () => {
  let agentId: string;
  beforeAll(async () => {
    agentId = await deployedAgent();
    await fx.api('PUT', `/v1/agents/${agentId}/schedule`, { cron: '*/1 * * * * * *' });
  });

  it('starts a run every second on a seconds-level cron', async () => {
    await waitFor(async () => (await scheduledRuns(agentId)) >= 2, 4000);
    const runs = await fx.control.runs(agentId);
    expect(runs.every((r) => r.trigger === 'schedule' && r.schedule_agent_id === agentId)).toBe(true);
  });

  it('fires nothing while paused', async () => {
    expect((await fx.api('POST', `/v1/agents/${agentId}/schedule/pause`)).body).toEqual({ success: true });
    expect((await fx.api('GET', `/v1/agents/${agentId}/schedule`)).body.schedule.paused).toBe(true);
    const count = await scheduledRuns(agentId);
    await sleep(2200);
    expect(await scheduledRuns(agentId)).toBe(count);
  });

  it('fires again once resumed', async () => {
    const count = await scheduledRuns(agentId);
    expect((await fx.api('POST', `/v1/agents/${agentId}/schedule/resume`)).body).toEqual({ success: true });
    await waitFor(async () => (await scheduledRuns(agentId)) > count, 4000);
  });
});
