// The control functions the CLI calls: idempotent starts, status, and the typed errors callers map to exit
// codes and HTTP statuses.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cancelPipeline,
  getPipelineStatus,
  InvalidControlRequestError,
  listPipelines,
  PipelineConflictError,
  PipelineRunNotFoundError,
  startPipeline,
  TemporalUnavailableError,
} from '../../services/control/pipelines.js';
import { InvalidPipelineInputError, UnknownPipelineError } from '../../services/pipelines/registry.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { eventually } from '../support/twinflow-stack.js';
import { startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const single = {
  definition: definePipeline({
    name: 'control-single',
    steps: [{ id: 'only', kind: 'agent', agent: '{{input.agent}}', message: 'for {{input.repo}}' }],
  }),
  inputSchema: z.object({ agent: z.string().min(1), repo: z.string().default('acme/default') }),
};

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([single]);
});
afterAll(() => world.close());

describe('startPipeline', () => {
  it('maps the idempotency key to the workflow ID pipeline/<name>/<key>', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const started = await startPipeline(world.control, {
      name: 'control-single',
      input: { agent },
      idempotencyKey: 'release-42',
    });
    expect(started).toMatchObject({
      workflowId: 'pipeline/control-single/release-42',
      key: 'release-42',
      started: true,
    });
    await world.stack.client.workflow.getHandle(started.workflowId).result();
  });

  it('returns the same run for the same key instead of starting a second one', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 300 }]);
    const request = { name: 'control-single', input: { agent }, idempotencyKey: `same-${agent}` };
    const first = await startPipeline(world.control, request);
    const second = await startPipeline(world.control, request);
    await world.stack.client.workflow.getHandle(first.workflowId).result();
    expect(second).toEqual({
      ...first,
      started: false,
      existing: expect.objectContaining({ execution: expect.any(String) }),
    });
    expect(await world.stack.runsOf(agent)).toHaveLength(1);
  });

  it('does not start a finished pipeline again under its key', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const request = { name: 'control-single', input: { agent }, idempotencyKey: `done-${agent}` };
    const first = await startPipeline(world.control, request);
    await world.stack.client.workflow.getHandle(first.workflowId).result();
    expect((await startPipeline(world.control, request)).started).toBe(false);
    expect(await world.stack.runsOf(agent)).toHaveLength(1);
  });

  it('applies the pipeline’s input schema, defaults included', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { workflowId } = await startPipeline(world.control, { name: 'control-single', input: { agent } });
    await world.stack.client.workflow.getHandle(workflowId).result();
    const [run] = await world.stack.runsOf(agent);
    expect(run?.user_message).toMatch(/^for acme\/default/);
  });

  it('refuses input the schema rejects', async () => {
    const start = startPipeline(world.control, { name: 'control-single', input: { repo: 7 } });
    await expect(start).rejects.toBeInstanceOf(InvalidPipelineInputError);
  });

  it('refuses an unknown pipeline', async () => {
    await expect(startPipeline(world.control, { name: 'nope', input: {} })).rejects.toBeInstanceOf(
      UnknownPipelineError,
    );
  });

  it('refuses a key that cannot be part of a workflow ID', async () => {
    const start = startPipeline(world.control, {
      name: 'control-single',
      input: { agent: 'a' },
      idempotencyKey: 'a/b',
    });
    await expect(start).rejects.toBeInstanceOf(InvalidControlRequestError);
  });
});

describe('getPipelineStatus', () => {
  it('reports each step with its run IDs, attempts and duration', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, workflowId } = await startPipeline(world.control, {
      name: 'control-single',
      input: { agent },
    });
    await world.stack.client.workflow.getHandle(workflowId).result();
    const [run] = await world.stack.runsOf(agent);
    const status = await getPipelineStatus(world.control, { name: 'control-single', key });
    expect(status).toMatchObject({ workflowId, execution: 'COMPLETED', state: { status: 'succeeded' } });
    expect(stepsById(status.state).only).toMatchObject({
      status: 'succeeded',
      runIds: [run?.run_id],
      attempts: 1,
    });
    expect(stepsById(status.state).only?.durationMs).toBeGreaterThan(0);
  });

  it('says when there is no such run', async () => {
    const status = getPipelineStatus(world.control, { name: 'control-single', key: 'never-started' });
    await expect(status).rejects.toBeInstanceOf(PipelineRunNotFoundError);
  });
});

describe('cancelPipeline', () => {
  it('refuses a run that has already ended', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, workflowId } = await startPipeline(world.control, {
      name: 'control-single',
      input: { agent },
    });
    await world.stack.client.workflow.getHandle(workflowId).result();
    await expect(cancelPipeline(world.control, { name: 'control-single', key })).rejects.toBeInstanceOf(
      PipelineConflictError,
    );
  });

  it('says when there is no such run', async () => {
    const cancel = cancelPipeline(world.control, { name: 'control-single', key: 'never-started' });
    await expect(cancel).rejects.toBeInstanceOf(PipelineRunNotFoundError);
  });
});

describe('listPipelines', () => {
  it('filters by pipeline name and status', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { workflowId } = await startPipeline(world.control, { name: 'control-single', input: { agent } });
    await world.stack.client.workflow.getHandle(workflowId).result();
    const listed = await eventually('the run to be listed', async () =>
      (await listPipelines(world.control, { pipeline: 'control-single', status: 'succeeded' })).find(
        (r) => r.workflowId === workflowId,
      ),
    );
    expect(listed).toMatchObject({ pipeline: 'control-single', status: 'succeeded' });
  });

  it('refuses a filter value that would change the query', async () => {
    const list = listPipelines(world.control, { agentId: 'x" OR WorkflowId != "' });
    await expect(list).rejects.toBeInstanceOf(InvalidControlRequestError);
  });
});

describe('with Temporal unreachable', () => {
  it('every call fails with TemporalUnavailableError', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const control = { ...world.control, client: new Client({ connection }), callTimeoutMs: 1_000 };
    await expect(
      startPipeline(control, { name: 'control-single', input: { agent: 'a' } }),
    ).rejects.toBeInstanceOf(TemporalUnavailableError);
    await connection.close();
  });
});
