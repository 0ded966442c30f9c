// What a pipeline does to Twin runs: retries start exactly as many runs as the policy allows, a step timeout
// stops its run, and cancelling the pipeline stops every run in flight.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelPipeline } from '../../services/control/pipelines.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { eventually } from '../support/twinflow-stack.js';
import { failureOf, startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const retried = definePipeline({
  name: 'runs-retried',
  steps: [
    {
      id: 'flaky',
      kind: 'agent',
      agent: '{{input.agent}}',
      retry: { maximumAttempts: 3, initialInterval: '100 milliseconds', backoffCoefficient: 2 },
      failOn: ['fail', 'failed'],
    },
  ],
});

const limited = definePipeline({
  name: 'runs-timeout',
  steps: [{ id: 'slow', kind: 'agent', agent: '{{input.agent}}', timeout: '3 seconds' }],
});

const parallel = definePipeline({
  name: 'runs-parallel',
  steps: [
    { id: 'left', kind: 'agent', agent: '{{input.left}}' },
    { id: 'right', kind: 'agent', agent: '{{input.right}}' },
    { id: 'after', kind: 'agent', agent: '{{input.left}}', after: ['left', 'right'] },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([retried, limited, parallel]);
});
afterAll(() => world.close());

describe('retries', () => {
  it('start one more Twin run after a failed run, and no more once one succeeds', async () => {
    const agent = await world.stack.newAgent([
      { durationMs: 50, result: 'failed' },
      { durationMs: 50, outcome: 'success' },
    ]);
    const { handle } = await world.start('runs-retried', { agent });
    const steps = stepsById(await handle.result());
    const runs = await world.stack.runsOf(agent);
    expect(runs).toHaveLength(2);
    expect(steps.flaky).toMatchObject({ status: 'succeeded', attempts: 2, outcome: 'success' });
    expect(new Set(steps.flaky?.runIds)).toEqual(new Set(runs.map((r) => r.run_id)));
  });

  it('count a `fail` outcome as failure when failOn names it', async () => {
    const agent = await world.stack.newAgent([
      { durationMs: 50, outcome: 'fail' },
      { durationMs: 50, outcome: 'success' },
    ]);
    const { handle } = await world.start('runs-retried', { agent });
    await handle.result();
    expect(await world.stack.runsOf(agent)).toHaveLength(2);
  });

  it('stop at maximumAttempts and fail the step', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50, outcome: 'fail' }]);
    const { handle } = await world.start('runs-retried', { agent });
    const failure = await failureOf(handle.result());
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(await world.stack.runsOf(agent)).toHaveLength(3);
    expect(stepsById(await handle.query(pipelineStateQuery)).flaky).toMatchObject({
      status: 'failed',
      attempts: 3,
    });
  });
});

describe('a step timeout', () => {
  it('cancels the Twin run and fails the step', async () => {
    const agent = await world.stack.newAgent([{ result: 'never' }]);
    const { handle } = await world.start('runs-timeout', { agent });
    await failureOf(handle.result());
    const [run] = await world.stack.runsOf(agent);
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(run?.status).toBe('stopped');
    expect(steps.slow).toMatchObject({ status: 'failed', runIds: [run?.run_id] });
    expect(steps.slow?.error).toMatch(/did not finish within 3 seconds/);
  });
});

describe('cancelling a pipeline', () => {
  it('cancels every Twin run in flight and records the pipeline as cancelled', async () => {
    const left = await world.stack.newAgent([{ result: 'never' }]);
    const right = await world.stack.newAgent([{ result: 'never' }]);
    const { key, handle } = await world.start('runs-parallel', { left, right });
    await eventually('both runs to start', async () => {
      const runs = [...(await world.stack.runsOf(left)), ...(await world.stack.runsOf(right))];
      return runs.length === 2 ? runs : undefined;
    });
    await cancelPipeline(world.control, { name: 'runs-parallel', key });
    const failure = await failureOf(handle.result());
    const runs = [...(await world.stack.runsOf(left)), ...(await world.stack.runsOf(right))];
    expect(failure.cause).toBeInstanceOf(CancelledFailure);
    expect(runs.map((r) => r.status)).toEqual(['stopped', 'stopped']);
  });

  it('shows each step’s end in the final state', async () => {
    const left = await world.stack.newAgent([{ result: 'never' }]);
    const right = await world.stack.newAgent([{ result: 'never' }]);
    const { key, handle } = await world.start('runs-parallel', { left, right });
    await eventually('both steps to be running', async () => {
      const state = await handle.query(pipelineStateQuery);
      return state.steps.filter((s) => s.runId).length === 2 ? state : undefined;
    });
    await cancelPipeline(world.control, { name: 'runs-parallel', key }, { reason: 'test' });
    await failureOf(handle.result());
    const state = await handle.query(pipelineStateQuery);
    expect(state.status).toBe('cancelled');
    expect(state.steps.map((s) => [s.id, s.status])).toEqual([
      ['left', 'cancelled'],
      ['right', 'cancelled'],
      ['after', 'cancelled'],
    ]);
  });
});
