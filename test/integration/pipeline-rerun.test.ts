// Rerunning a finished pipeline run: a new run with the same input, linked to the original, that takes over the
// recorded results of the steps before `--from` instead of running those agents again (runs cost money and act).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPipelineStatus } from '../../services/control/pipelines.js';
import { PipelineConflictError, UnknownStepError } from '../../services/control/errors.js';
import { rerunPipeline } from '../../services/control/rerun.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { startPipelineWorld, stepsById, withoutMarker, type PipelineWorld } from './pipeline-fixture.js';

const chain = definePipeline({
  name: 'rerun-chain',
  steps: [
    { id: 'collect', kind: 'agent', agent: '{{input.agents.collect}}', message: 'Collect {{input.repo}}.' },
    {
      id: 'write',
      kind: 'agent',
      agent: '{{input.agents.write}}',
      after: ['collect'],
      message: 'Write about: {{steps.collect.output}}',
    },
    {
      id: 'publish',
      kind: 'agent',
      agent: '{{input.agents.publish}}',
      after: ['write'],
      message: 'Publish: {{steps.write.output}}',
    },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([chain]);
});
afterAll(() => world?.close());

async function failedOnce() {
  const agents = {
    collect: await world.stack.newAgent([{ durationMs: 50, output: 'three PRs merged' }]),
    // Fails its first run, then works: the rerun must find it working.
    write: await world.stack.newAgent([
      { durationMs: 50, result: 'failed', reason: 'model overloaded' },
      { durationMs: 50, output: 'a digest of three PRs' },
    ]),
    publish: await world.stack.newAgent([{ durationMs: 50, output: 'posted' }]),
  };
  const { key, handle } = await world.start('rerun-chain', { repo: 'acme/api', agents });
  await expect(handle.result()).rejects.toThrow();
  return { key, agents };
}

describe('rerun --from a step', () => {
  it('reuses the steps before it and runs it and the steps after it again', async () => {
    const { key, agents } = await failedOnce();
    const started = await rerunPipeline(world.control, { name: 'rerun-chain', key }, { from: 'write' });
    expect(started.reused).toEqual(['collect']);
    const final = await world.stack.client.workflow.getHandle(started.workflowId).result();
    const steps = stepsById(final);
    expect(final.status).toBe('succeeded');
    expect(steps.collect).toMatchObject({ status: 'succeeded', reusedFrom: `pipeline/rerun-chain/${key}` });
    expect(steps.publish).toMatchObject({ status: 'succeeded', output: 'posted' });
    expect(await world.stack.runsOf(agents.collect)).toHaveLength(1);
    const [, secondWrite] = await world.stack.runsOf(agents.write);
    expect(withoutMarker(secondWrite?.user_message)).toBe('Write about: three PRs merged');
  });

  it('names the original in the new run, for status and the Web UI', async () => {
    const { key } = await failedOnce();
    const started = await rerunPipeline(world.control, { name: 'rerun-chain', key }, { from: 'write' });
    await world.stack.client.workflow.getHandle(started.workflowId).result();
    const status = await getPipelineStatus(world.control, { name: 'rerun-chain', key: started.key });
    expect(status.state?.rerunOf).toBe(`pipeline/rerun-chain/${key}`);
    const description = await world.stack.client.workflow.getHandle(started.workflowId).describe();
    expect(await description.memo).toMatchObject({ rerunOf: `pipeline/rerun-chain/${key}` });
  });
});

describe('rerun without --from', () => {
  it('runs every step again with the same input', async () => {
    const { key, agents } = await failedOnce();
    const started = await rerunPipeline(world.control, { name: 'rerun-chain', key });
    expect(started.reused).toEqual([]);
    await world.stack.client.workflow.getHandle(started.workflowId).result();
    expect(await world.stack.runsOf(agents.collect)).toHaveLength(2);
  });
});

describe('rerun refuses', () => {
  it('a step the pipeline does not have', async () => {
    const { key } = await failedOnce();
    await expect(
      rerunPipeline(world.control, { name: 'rerun-chain', key }, { from: 'wirte' }),
    ).rejects.toBeInstanceOf(UnknownStepError);
  });

  it('a run that is still running', async () => {
    const agents = {
      collect: await world.stack.newAgent([{ result: 'never' }]),
      write: await world.stack.newAgent([{ durationMs: 50 }]),
      publish: await world.stack.newAgent([{ durationMs: 50 }]),
    };
    const { key, handle } = await world.start('rerun-chain', { repo: 'acme/api', agents });
    try {
      await expect(rerunPipeline(world.control, { name: 'rerun-chain', key })).rejects.toBeInstanceOf(
        PipelineConflictError,
      );
    } finally {
      await handle.cancel();
    }
  });
});
