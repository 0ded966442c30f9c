// What the Web UI and `listPipelines` see: readable workflow IDs, search attributes for "failed pipelines" and
// "pipelines that used agent X", timer summaries, and no secret anywhere in a finished pipeline's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPipelines, type PipelineRunSummary } from '../../services/control/pipelines.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { PipelineStatusKey, RunIdsKey } from '../../workflows/search-attributes.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { eventually } from '../support/twinflow-stack.js';
import { failureOf, startPipelineWorld, type PipelineWorld } from './pipeline-fixture.js';
import { historyText } from '../support/history.js';

const visible = definePipeline({
  name: 'visible',
  steps: [
    { id: 'pause', kind: 'wait', duration: '100 milliseconds' },
    {
      id: 'work',
      kind: 'agent',
      agent: '{{input.agent}}',
      after: ['pause'],
      failOn: ['fail', 'failed'],
      message: 'work on {{input.repo}}',
    },
  ],
});

const gated = definePipeline({
  name: 'visible-gated',
  steps: [{ id: 'gate', kind: 'approval' }],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([visible, gated]);
});
afterAll(() => world.close());

function listedEventually(
  what: string,
  filter: Parameters<typeof listPipelines>[1],
  workflowId: string,
): Promise<PipelineRunSummary> {
  return eventually(what, async () =>
    (await listPipelines(world.control, filter)).find((r) => r.workflowId === workflowId),
  );
}

describe('pipeline visibility', () => {
  it('names the workflow pipeline/<name>/<key>', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { key, handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await handle.result();
    expect(handle.workflowId).toBe(`pipeline/visible/${key}`);
  });

  it('finds failed pipelines by status', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50, outcome: 'fail' }]);
    const { handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await failureOf(handle.result());
    const listed = await listedEventually(
      'the failed pipeline',
      { status: 'failed', pipeline: 'visible' },
      handle.workflowId,
    );
    expect(listed).toMatchObject({ pipeline: 'visible', status: 'failed', execution: 'FAILED' });
  });

  it('finds every pipeline that used an agent, with the Twin run IDs it started', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await handle.result();
    const [run] = await world.stack.runsOf(agent);
    const listed = await listedEventually('the pipeline by agent', { agentId: agent }, handle.workflowId);
    expect(listed).toMatchObject({ agentIds: [agent], runIds: [run?.run_id], status: 'succeeded' });
  });

  it('shows a pipeline waiting for approval as waiting_approval', async () => {
    const { handle } = await world.start('visible-gated', {});
    const listed = await listedEventually(
      'the waiting pipeline',
      { status: 'waiting_approval', pipeline: 'visible-gated' },
      handle.workflowId,
    );
    expect(listed.status).toBe('waiting_approval');
    await handle.cancel();
  });

  it('writes search attributes only when they change', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    // The SDK records each patch marker in TemporalChangeVersion with an upsert of its own: not twinflow's writes.
    const upserts = events.filter((e) =>
      Object.keys(
        e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      ).some((name) => name !== 'TemporalChangeVersion'),
    );
    const description = await handle.describe();
    expect(upserts.length).toBeLessThanOrEqual(3);
    expect(description.typedSearchAttributes.get(PipelineStatusKey)).toBe('succeeded');
    expect(description.typedSearchAttributes.get(RunIdsKey)).toHaveLength(1);
  });

  it('gives its timers summaries', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const timer = events.find((e) => e.timerStartedEventAttributes);
    expect(historyText({ events: timer ? [timer] : [] })).toContain('pause: wait 100 milliseconds');
  });

  it('keeps the Twin API key out of the histories of the pipeline and its runs', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('visible', { agent, repo: 'acme/api' });
    await handle.result();
    const [run] = await world.stack.runsOf(agent);
    const histories = await Promise.all(
      [handle.workflowId, runTrackerWorkflowId(run?.run_id ?? '')].map(async (workflowId) =>
        historyText(await world.stack.client.workflow.getHandle(workflowId).fetchHistory()),
      ),
    );
    for (const text of histories) {
      expect(text).toContain(agent);
      expect(text).not.toContain(world.stack.apiKey);
    }
  });
});
