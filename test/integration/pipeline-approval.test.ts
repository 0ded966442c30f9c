// Approval steps: the pipeline waits for a human decision by update or signal, with or without a deadline,
// and pause holds back new steps while running ones finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveStep,
  PipelineConflictError,
  pausePipeline,
  resumePipeline,
} from '../../services/control/pipelines.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { approveStepSignal, pipelineStateQuery, type PipelineState } from '../../workflows/pipeline-api.js';
import { eventually } from '../support/twinflow-stack.js';
import { failureOf, startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const gated = definePipeline({
  name: 'approval-gated',
  steps: [
    { id: 'gate', kind: 'approval', prompt: 'Ship {{input.release}}?' },
    {
      id: 'ship',
      kind: 'agent',
      agent: '{{input.agent}}',
      after: ['gate'],
      // A decision need not carry a comment, and a missing value fails a step unless it has a default.
      message: 'approved by {{steps.gate.decidedBy}}: {{steps.gate.comment ?? "no comment"}}',
    },
  ],
});

const deadline = definePipeline({
  name: 'approval-deadline',
  steps: [
    { id: 'gate', kind: 'approval', timeout: '1 second' },
    { id: 'ship', kind: 'agent', agent: '{{input.agent}}', after: ['gate'] },
  ],
});

const autoApproved = definePipeline({
  name: 'approval-auto',
  steps: [
    { id: 'gate', kind: 'approval', timeout: '1 second', onTimeout: 'approve' },
    { id: 'ship', kind: 'agent', agent: '{{input.agent}}', after: ['gate'] },
  ],
});

const pausable = definePipeline({
  name: 'approval-pausable',
  steps: [
    { id: 'first', kind: 'agent', agent: '{{input.agent}}' },
    { id: 'second', kind: 'agent', agent: '{{input.agent}}', after: ['first'] },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([gated, deadline, autoApproved, pausable]);
});
afterAll(() => world.close());

function waitingAt(
  handle: Awaited<ReturnType<PipelineWorld['start']>>['handle'],
  stepId: string,
): Promise<PipelineState> {
  return eventually(`step ${stepId} to wait for approval`, async () => {
    const state = await handle.query(pipelineStateQuery);
    return stepsById(state)[stepId]?.status === 'waiting_approval' ? state : undefined;
  });
}

describe('an approval step', () => {
  it('holds the pipeline in waiting_approval and shows its prompt', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, handle } = await world.start('approval-gated', { agent, release: 'v2.1' });
    const state = await waitingAt(handle, 'gate');
    expect(state.status).toBe('waiting_approval');
    expect(stepsById(state).gate?.prompt).toBe('Ship v2.1?');
    expect(await world.stack.runsOf(agent)).toHaveLength(0);
    await approveStep(world.control, { name: 'approval-gated', key }, { stepId: 'gate', approved: true });
    await handle.result();
  });

  it('lets the pipeline go on once approved by update, passing who approved to later steps', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, handle } = await world.start('approval-gated', { agent, release: 'v2.2' });
    await waitingAt(handle, 'gate');
    const step = await approveStep(
      world.control,
      { name: 'approval-gated', key },
      { stepId: 'gate', approved: true, by: 'ada', comment: 'lgtm' },
    );
    await handle.result();
    const [run] = await world.stack.runsOf(agent);
    expect(step).toMatchObject({ id: 'gate', status: 'succeeded', decidedBy: 'ada', comment: 'lgtm' });
    expect(run?.user_message).toMatch(/^approved by ada: lgtm/);
  });

  it('fails the pipeline when rejected', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, handle } = await world.start('approval-gated', { agent, release: 'v2.3' });
    await waitingAt(handle, 'gate');
    const step = await approveStep(
      world.control,
      { name: 'approval-gated', key },
      { stepId: 'gate', approved: false, by: 'bob', comment: 'not today' },
    );
    const failure = await failureOf(handle.result());
    expect(step).toMatchObject({ status: 'failed', error: 'rejected by bob: not today' });
    expect(failure.cause?.toString()).toMatch(/failed at step gate/);
    expect(await world.stack.runsOf(agent)).toHaveLength(0);
  });

  it('accepts a decision by signal too', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('approval-gated', { agent, release: 'v2.4' });
    await waitingAt(handle, 'gate');
    await handle.signal(approveStepSignal, { stepId: 'gate', approved: true, by: 'signal' });
    expect(stepsById(await handle.result()).gate).toMatchObject({ status: 'succeeded', decidedBy: 'signal' });
    const [run] = await world.stack.runsOf(agent);
    expect(run?.user_message).toMatch(/^approved by signal: no comment/);
  });

  it('refuses a decision for a step that is not waiting', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, handle } = await world.start('approval-gated', { agent, release: 'v2.5' });
    await waitingAt(handle, 'gate');
    const decide = approveStep(
      world.control,
      { name: 'approval-gated', key },
      { stepId: 'ship', approved: true },
    );
    await expect(decide).rejects.toBeInstanceOf(PipelineConflictError);
    await approveStep(world.control, { name: 'approval-gated', key }, { stepId: 'gate', approved: true });
    await handle.result();
  });

  it('with a deadline and no decision, fails the step by default', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('approval-deadline', { agent });
    await failureOf(handle.result());
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.gate).toMatchObject({
      status: 'failed',
      decidedBy: 'timeout',
      error: 'no decision within 1 second',
    });
    expect(await world.stack.runsOf(agent)).toHaveLength(0);
  });

  it('with onTimeout approve, goes on when nobody decides', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('approval-auto', { agent });
    const steps = stepsById(await handle.result());
    expect(steps.gate).toMatchObject({ status: 'succeeded', decidedBy: 'timeout' });
    expect(steps.ship?.status).toBe('succeeded');
  });
});

describe('pause and resume', () => {
  it('start no new step while paused, let the running one finish, and go on after resume', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 1_500 }]);
    const { key, handle } = await world.start('approval-pausable', { agent });
    await eventually('the first run to start', async () =>
      (await world.stack.runsOf(agent)).length === 1 ? true : undefined,
    );
    await pausePipeline(world.control, { name: 'approval-pausable', key });
    const paused = await eventually('the first step to finish while paused', async () => {
      const state = await handle.query(pipelineStateQuery);
      return stepsById(state).first?.status === 'succeeded' ? state : undefined;
    });
    expect(paused.paused).toBe(true);
    expect(stepsById(paused).second?.status).toBe('pending');
    expect(await world.stack.runsOf(agent)).toHaveLength(1);
    await resumePipeline(world.control, { name: 'approval-pausable', key });
    expect(stepsById(await handle.result()).second?.status).toBe('succeeded');
    expect(await world.stack.runsOf(agent)).toHaveLength(2);
  });
});
