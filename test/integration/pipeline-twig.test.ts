// Twig steps against the Twig emulator through real Temporal: a query's answer in later templates, an article
// created then updated by the ID the create reported, a sync waited for with its progress in the heartbeat, a sync
// whose timeout passes (the step says Twig goes on, since the seed has no cancel), 429s waited out per
// X-RateLimit-Reset, and a query whose answer was lost, never sent again: adopted from Twig's interactions when one
// is there, failed when none is yet (the emulator's request log and interactions are the truth).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TwigClient } from '../../providers/twig/index.js';
import type { RunningTwigEmulator } from '../../providers/twig/emulator/server.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import type { pipelineWorkflow } from '../../workflows/pipeline.js';
import { TWIG_FAILURES } from '../../providers/twig/workflows/twig-api.js';
import { eventually, historyEvents } from '../support/twinflow-stack.js';
import { clientFor } from '../providers/twig/support.js';
import { startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const answered = definePipeline({
  name: 'twig-answered',
  steps: [
    { id: 'q', kind: 'twig.query', agent: '{{input.agent}}', query: '{{input.question}}', session: 'chat-1' },
    {
      id: 'note',
      kind: 'twig.kb',
      action: 'create',
      after: ['q'],
      title: 'Answer: {{input.question}}',
      content:
        '{{steps.q.output}} [{{steps.q.interactionId}}, {{steps.q.json.metadata.model}}, {{steps.q.sources}}]',
    },
    {
      id: 'revise',
      kind: 'twig.kb',
      action: 'update',
      after: ['note'],
      articleId: '{{steps.note.articleId}}',
      content: 'Revised: {{steps.q.output}}',
    },
  ],
});

const single = definePipeline({
  name: 'twig-single',
  steps: [{ id: 'q', kind: 'twig.query', agent: '{{input.agent}}', query: '{{input.question}}' }],
});

/** One sync of the data source in the input, with the step's timeout. */
const syncing = (name: string, timeout: string) =>
  definePipeline({
    name,
    steps: [{ id: 'sync', kind: 'twig.sync', dataSource: '{{input.source}}', timeout }],
  });
const synced = syncing('twig-synced', '30 seconds');
const impatient = syncing('twig-impatient', '3 seconds');

let world: PipelineWorld;
let twig: RunningTwigEmulator;
/** Sets the emulator up with a key of its own, so the workers' rate budget is theirs alone. */
let setup: TwigClient;

beforeAll(async () => {
  world = await startPipelineWorld([answered, single, synced, impatient], {
    twig: true,
    // Short, so a late answer is a lost one within a test's time.
    env: { TWIG_RATE_LIMIT_PER_SECOND: '20', TWIG_TIMEOUT_MS: '1500' },
  });
  twig = world.stack.twig as RunningTwigEmulator;
  setup = clientFor(twig);
});
afterAll(() => world?.close());
// Not reset(): that would forget the key the workers' client holds.
afterEach(() => twig.setFaults({}));

async function newSource(): Promise<string> {
  return (
    await setup.createDataSource({ type: 'website', name: 'Docs', config: { url: 'https://docs.test' } })
  ).id;
}

async function newAgent(): Promise<string> {
  return (await setup.createAgent({ name: 'Support', data_source_ids: [await newSource()] })).id;
}

async function settle(handle: WorkflowHandle<typeof pipelineWorkflow>) {
  const outcome = await handle.result().then(
    () => 'succeeded' as const,
    () => 'failed' as const,
  );
  return { outcome, steps: stepsById(await handle.query(pipelineStateQuery)) };
}

async function run(name: string, input: Record<string, unknown>) {
  const { handle } = await world.start(name, input);
  return { handle, ...(await settle(handle)) };
}

async function interactionsAsking(agentId: string, query: string) {
  const { interactions } = await setup.listInteractions({ agent_id: agentId, limit: 200 });
  return interactions.filter((i) => i.query === query);
}

describe('a twig.query step', () => {
  it('hands its answer to later templates; a kb create then updates the article it made', async () => {
    const agent = await newAgent();
    const { outcome, steps } = await run('twig-answered', { agent, question: 'What is the refund policy?' });
    expect(outcome).toBe('succeeded');
    const [interaction] = await interactionsAsking(agent, 'What is the refund policy?');
    expect(steps.q).toMatchObject({
      status: 'succeeded',
      output: 'Emulated answer to: What is the refund policy?',
      sources: ['Emulated Document'],
      interactionId: interaction?.id,
      sessionId: 'chat-1',
    });
    const { articles } = await setup.listKbArticles({ limit: 200 });
    const article = articles.find((a) => a.id === steps.note?.articleId);
    expect(steps.revise).toMatchObject({ status: 'succeeded', articleId: steps.note?.articleId });
    expect(article).toMatchObject({
      title: 'Answer: What is the refund policy?',
      content: 'Revised: Emulated answer to: What is the refund policy?',
      version: 2,
    });
    expect(twig.requests('createKbArticle')).toHaveLength(1);
  });

  it('waits out 429s until X-RateLimit-Reset, in the client and then in Temporal', async () => {
    const agent = await newAgent();
    // Four 429s use up the client's attempts: the fifth request is Temporal's retry, after nextRetryDelay.
    twig.setFaults({ api: [{ endpoint: 'query', status: 429, resetInSeconds: 1, times: 4 }] });
    const before = twig.requests('query').length;
    const { outcome, handle, steps } = await run('twig-single', { agent, question: 'Rate limited?' });
    expect(outcome).toBe('succeeded');
    expect(steps.q?.output).toBe('Emulated answer to: Rate limited?');
    const requests = twig.requests('query').slice(before);
    expect(requests.map((r) => r.status)).toEqual([429, 429, 429, 429, 200]);
    // A reset is a whole second on Twig's clock: each wait ends on the next second boundary at the earliest.
    for (let i = 1; i < requests.length; i++) {
      const previous = requests[i - 1]?.at ?? 0;
      expect(requests[i]?.at ?? 0).toBeGreaterThanOrEqual(Math.floor(previous / 1000 + 1) * 1000);
    }
    const events = await historyEvents(world.stack.client, handle.workflowId);
    const started = events.filter((e) => e.activityTaskStartedEventAttributes).at(-1);
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
    const lastFailure = started?.activityTaskStartedEventAttributes?.lastFailure;
    expect(lastFailure?.applicationFailureInfo?.type).toBe('TwigApiError');
    expect(await interactionsAsking(agent, 'Rate limited?')).toHaveLength(1);
  });

  it('adopts, from Twig’s interactions, a query whose answer was lost, without sending it again', async () => {
    const agent = await newAgent();
    // Performed at once, answered after the client gave up: Twig recorded the interaction.
    twig.setFaults({ api: [{ endpoint: 'query', delayMs: 2_500 }] });
    const before = twig.requests('query').length;
    const { outcome, steps } = await run('twig-single', { agent, question: 'Lost?' });
    expect(outcome).toBe('succeeded');
    const [interaction, ...others] = await interactionsAsking(agent, 'Lost?');
    expect(others).toEqual([]);
    expect(steps.q).toMatchObject({ output: 'Emulated answer to: Lost?', interactionId: interaction?.id });
    expect(steps.q?.summary).toContain("found in Twig's interactions");
    expect(twig.requests('query').length - before).toBe(1);
  });

  it('fails, sending nothing again, when the interaction of a lost answer is not there yet', async () => {
    const agent = await newAgent();
    // Answered (and recorded) only after the client gave up.
    twig.scriptAnswers(agent, [{ response: 'Late.', delayMs: 2_500 }]);
    const before = twig.requests('query').length;
    const { outcome, handle, steps } = await run('twig-single', { agent, question: 'Slow?' });
    expect(outcome).toBe('failed');
    expect(steps.q?.error).toContain('not sent again');
    const events = await historyEvents(world.stack.client, handle.workflowId);
    const failed = events.flatMap(
      (e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ?? [],
    );
    expect(failed).toEqual([TWIG_FAILURES.queryUnconfirmed]);
    // Twig did answer it, once.
    await eventually('the late interaction', async () =>
      (await interactionsAsking(agent, 'Slow?')).length === 1 ? true : undefined,
    );
    expect(twig.requests('query').length - before).toBe(1);
  });
});

describe('a twig.sync step', () => {
  it('waits for the data source to sync, its progress shown in the pipeline’s status', async () => {
    const source = await newSource();
    twig.scriptSync({ data_source_id: source, durationMs: 4_000, steps: 4, chunks: 120 });
    const { key, handle } = await world.start('twig-synced', { source });
    const live = await eventually(
      'the sync step’s progress in the status',
      async () => {
        const step = (await world.status('twig-synced', key)).state?.steps.find((s) => s.id === 'sync');
        const progress = step?.syncProgress;
        return progress && (progress.percent ?? 0) > 0 && progress.status === 'processing'
          ? progress
          : undefined;
      },
      10_000,
    );
    expect(live.percent).toBeLessThan(100);
    const { outcome, steps } = await settle(handle);
    expect(outcome).toBe('succeeded');
    expect(steps.sync).toMatchObject({ status: 'succeeded', output: 'active' });
    expect(steps.sync?.summary).toMatch(
      /^data source ds_\w+ synced, 120 chunks indexed; progress seen 0%, .*100%$/,
    );
    expect(twig.requests('syncDataSource')).toHaveLength(1);
  });

  it('fails at its timeout, saying Twig offers no cancel, while the sync goes on', async () => {
    const source = await newSource();
    twig.scriptSync({ data_source_id: source, durationMs: 60_000, steps: 60 });
    const { outcome, steps } = await run('twig-impatient', { source });
    expect(outcome).toBe('failed');
    expect(steps.sync?.error).toMatch(
      /within 3 seconds \(last seen processing, \d+%\); Twig offers no cancel/,
    );
    expect((await setup.getDataSourceStatus(source)).status).toBe('processing');
  });
});
