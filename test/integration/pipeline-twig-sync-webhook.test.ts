// A twig.sync step hurried by Twig's `data_source.synced` webhook, through a real receiver, Temporal and the Twig
// emulator. The wait's polls are spaced ten minutes apart, so a step that ends within seconds was ended by the
// webhook's nudge; yet it ends only on Twig's status: an early synced event does not end it, and a dropped one
// leaves the poll (at its usual spacing, in a world of its own) to end it.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { createTwigActivities } from '../../providers/twig/activities/twig.js';
import type { RunningTwigEmulator } from '../../providers/twig/emulator/server.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import type { pipelineWorkflow } from '../../workflows/pipeline.js';
import { eventually, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';
import { stepsById } from './pipeline-fixture.js';

const SECRET = 'twig_whsec_sync_test';
const TEN_MINUTES = 600_000;
const synced = definePipeline({
  name: 'twig-sync-hurried',
  steps: [{ id: 'sync', kind: 'twig.sync', dataSource: '{{input.source}}', timeout: '5 minutes' }],
});

/** The receiver's Twig route, beside the Twin route the stack reports. */
const twigRoute = (world: TwinflowStack) =>
  (world.webhookUrl ?? '').replace(/\/webhooks\/twin$/, '/webhooks/twig');

let stack: TwinflowStack;
let twig: RunningTwigEmulator;
let control: ControlDeps;

beforeAll(async () => {
  stack = await startTwinflowStack({
    twig: true,
    env: { TWIG_WEBHOOK_SECRETS: SECRET, TWIG_RATE_LIMIT_PER_SECOND: '20' },
    decorate: (activities, world) => ({
      ...activities,
      twig: {
        ...activities.twig,
        ...createTwigActivities({
          client: world.twigClient,
          firstPollIntervalMs: TEN_MINUTES,
          maxPollIntervalMs: TEN_MINUTES,
        }),
      },
    }),
  });
  twig = stack.twig as RunningTwigEmulator;
  twig.setWebhook({ url: twigRoute(stack), secret: SECRET, events: ['data_source.synced'], baseDelayMs: 50 });
  control = {
    client: stack.client,
    registry: createPipelineRegistry([synced]),
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
  };
});
afterAll(() => stack?.close());
afterEach(() => twig.setFaults({}));

async function newSource(): Promise<string> {
  const client = stack.twigClient;
  if (!client) throw new Error('the stack has no Twig client');
  return (
    await client.createDataSource({ type: 'website', name: 'Docs', config: { url: 'https://docs.test' } })
  ).id;
}

async function start(source: string): Promise<WorkflowHandle<typeof pipelineWorkflow>> {
  const { workflowId } = await startPipeline(control, {
    name: synced.name,
    input: { source },
    idempotencyKey: randomUUID(),
  });
  return stack.client.workflow.getHandle<typeof pipelineWorkflow>(workflowId);
}

async function syncStep(handle: WorkflowHandle<typeof pipelineWorkflow>) {
  return stepsById(await handle.query(pipelineStateQuery)).sync;
}

const finished = async (handle: WorkflowHandle<typeof pipelineWorkflow>) => {
  const step = await syncStep(handle);
  return step?.status === 'succeeded' || step?.status === 'failed' ? step : undefined;
};

describe('a twig.sync step with the synced webhook', () => {
  it('completes soon after the webhook, polls ten minutes apart', async () => {
    const source = await newSource();
    twig.scriptSync({ data_source_id: source, durationMs: 3_000, steps: 3, chunks: 90 });
    const handle = await start(source);
    const step = await eventually('the sync step to succeed', () => finished(handle), 30_000);
    expect(step).toMatchObject({ status: 'succeeded', output: 'active' });
    expect(step.summary).toMatch(/^data source ds_\w+ synced, 90 chunks indexed; progress seen 0%, .*100%$/);
    expect(twig.deliveries().some((d) => d.delivered && d.body.includes(source))).toBe(true);
  });

  it('does not complete on a synced event while Twig still reads processing', async () => {
    const source = await newSource();
    twig.scriptSync({ data_source_id: source, durationMs: 8_000, steps: 8, chunks: 40 });
    const before = twig.requests('getDataSourceStatus').length;
    const handle = await start(source);
    // The wait's first read, at once: the sync is processing.
    await eventually('the first status read', async () =>
      twig.requests('getDataSourceStatus').length > before ? true : undefined,
    );
    const reads = twig.requests('getDataSourceStatus').length;
    twig.emitWebhook('data_source.synced', { data_source_id: source, status: 'active', chunks_indexed: 40 });
    // The early event made the step read the status once more, and it read processing.
    await eventually('the nudged status read', async () =>
      twig.requests('getDataSourceStatus').length > reads ? true : undefined,
    );
    expect((await syncStep(handle))?.status).not.toBe('succeeded');
    const step = await eventually('the sync step to succeed', () => finished(handle), 30_000);
    expect(step).toMatchObject({ status: 'succeeded', output: 'active' });
    expect((await stack.twigClient?.getDataSourceStatus(source))?.status).toBe('active');
  });
});

describe('a twig.sync step whose webhook is dropped', () => {
  let polling: TwinflowStack;
  beforeAll(async () => {
    polling = await startTwinflowStack({ twig: true, env: { TWIG_WEBHOOK_SECRETS: SECRET } });
    const emulator = polling.twig as RunningTwigEmulator;
    emulator.setWebhook({ url: twigRoute(polling), secret: SECRET, events: ['data_source.synced'] });
    emulator.setFaults({ webhooks: { drop: 1 } });
  });
  afterAll(() => polling?.close());

  it('still completes by polling', async () => {
    const emulator = polling.twig as RunningTwigEmulator;
    const created = await polling.twigClient?.createDataSource({
      type: 'website',
      name: 'Docs',
      config: { url: 'https://docs.test' },
    });
    const source = created?.id ?? '';
    emulator.scriptSync({ data_source_id: source, durationMs: 2_000, steps: 2, chunks: 5 });
    const { workflowId } = await startPipeline(
      {
        client: polling.client,
        registry: createPipelineRegistry([synced]),
        taskQueue: polling.config.TEMPORAL_TASK_QUEUE,
      },
      { name: synced.name, input: { source }, idempotencyKey: randomUUID() },
    );
    const handle = polling.client.workflow.getHandle<typeof pipelineWorkflow>(workflowId);
    await handle.result();
    expect(stepsById(await handle.query(pipelineStateQuery)).sync).toMatchObject({
      status: 'succeeded',
      output: 'active',
    });
    expect(emulator.deliveries().filter((d) => d.body.includes(source))).toEqual([
      expect.objectContaining({ dropped: true, delivered: false }),
    ]);
  });
});
