// Steps that change an agent rather than run it, and timers: each call must reach Twin (the emulator) as
// Twin's own API shows it afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { failureOf, startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const WEEKDAYS_AT_NINE = '0 0 9 * * MON-FRI *';

const scheduling = definePipeline({
  name: 'admin-schedule',
  steps: [
    { id: 'set', kind: 'reschedule', agent: '{{input.agent}}', action: 'set', cron: WEEKDAYS_AT_NINE },
    { id: 'pause', kind: 'reschedule', agent: '{{input.agent}}', action: 'pause', after: ['set'] },
  ],
});

const lifecycle = definePipeline({
  name: 'admin-schedule-lifecycle',
  steps: [
    { id: 'set', kind: 'reschedule', agent: '{{input.agent}}', action: 'set', cron: '0 30 6 * * * *' },
    { id: 'pause', kind: 'reschedule', agent: '{{input.agent}}', action: 'pause', after: ['set'] },
    { id: 'resume', kind: 'reschedule', agent: '{{input.agent}}', action: 'resume', after: ['pause'] },
    { id: 'delete', kind: 'reschedule', agent: '{{input.agent}}', action: 'delete', after: ['resume'] },
  ],
});

const instructions = definePipeline({
  name: 'admin-instructions',
  steps: [
    { id: 'wait', kind: 'wait', duration: '200 milliseconds' },
    {
      id: 'update',
      kind: 'instructions',
      agent: '{{input.agent}}',
      after: ['wait'],
      content: 'Review {{input.repo}} every morning.',
    },
  ],
});

const timed = definePipeline({
  name: 'admin-wait-until',
  steps: [{ id: 'until', kind: 'wait', until: '{{input.at}}' }],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([scheduling, lifecycle, instructions, timed]);
});
afterAll(() => world.close());

describe('reschedule steps', () => {
  it('set the agent’s Twin schedule and pause it', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('admin-schedule', { agent });
    await handle.result();
    expect(await world.stack.twin.getSchedule(agent)).toEqual({
      schedule: { cron: WEEKDAYS_AT_NINE, paused: true },
    });
  });

  it('resume and delete it', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('admin-schedule-lifecycle', { agent });
    const steps = stepsById(await handle.result());
    expect(Object.values(steps).map((s) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(await world.stack.twin.getSchedule(agent)).toEqual({ schedule: null });
  });

  it('fail the step when Twin refuses, naming the reason', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    await world.stack.control.setDeployment(agent, false);
    const { handle } = await world.start('admin-schedule', { agent });
    await failureOf(handle.result());
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.set?.status).toBe('failed');
    expect(steps.set?.error).toMatch(/deploy/i);
  });
});

describe('an instructions step', () => {
  it('replaces the agent’s instructions with the rendered content', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('admin-instructions', { agent, repo: 'acme/web' });
    await handle.result();
    expect(await world.stack.twin.getInstructions(agent)).toMatchObject({
      instructions: { content: 'Review acme/web every morning.' },
    });
  });
});

describe('a wait step', () => {
  it('waits until a time from the input', async () => {
    const at = new Date(Date.now() + 500).toISOString();
    const { handle } = await world.start('admin-wait-until', { at });
    const steps = stepsById(await handle.result());
    expect(Date.parse(steps.until?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(at));
  });

  it('fails when the time does not parse', async () => {
    const { handle } = await world.start('admin-wait-until', { at: 'tomorrow-ish' });
    await failureOf(handle.result());
    expect(stepsById(await handle.query(pipelineStateQuery)).until?.error).toBe(
      'until "tomorrow-ish" is not an ISO-8601 time',
    );
  });
});
