// What a Twin run's tracker shows a person in the Web UI: which workflow and step it served, so that its page
// (one among many internals) leads back to the pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelinesFilterUrl, PIPELINES_ONLY_QUERY } from '../../services/dev-stack/banner.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { eventually, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';
import { pipelineWorkflow } from '../../workflows/pipeline.js';
import { PipelineNameKey } from '../../workflows/search-attributes.js';
import { randomUUID } from 'node:crypto';

let stack: TwinflowStack;
beforeAll(async () => {
  stack = await startTwinflowStack();
});
afterAll(() => stack?.close());

describe("a run's tracker", () => {
  it('names the workflow and step it served in its memo', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const handle = await stack.startAgentRun({ agentId, options: { stepKey: 'draft' } });
    const { runId } = await handle.result();
    const description = await stack.client.workflow.getHandle(runTrackerWorkflowId(runId)).describe();
    expect(await description.memo).toMatchObject({ servedBy: [`${handle.workflowId} step draft`] });
  });
});

describe('the pipelines-only filter the local stack prints', () => {
  it('is a Web UI list URL whose query matches pipelines and nothing else', async () => {
    expect(pipelinesFilterUrl('http://127.0.0.1:8233')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(PIPELINES_ONLY_QUERY)}`,
    );
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const agentRun = await stack.startAgentRun({ agentId });
    const { runId } = await agentRun.result();
    const pipeline = await stack.client.workflow.start(pipelineWorkflow, {
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `pipeline/visibility-check/${randomUUID()}`,
      args: [
        {
          definition: { name: 'visibility-check', steps: [{ id: 'pause', kind: 'wait', duration: '1 ms' }] },
          input: {},
        },
      ],
      typedSearchAttributes: [{ key: PipelineNameKey, value: 'visibility-check' }],
    });
    await pipeline.result();
    const ids = [pipeline.workflowId, agentRun.workflowId, runTrackerWorkflowId(runId)];
    const query = `${PIPELINES_ONLY_QUERY} AND WorkflowId IN (${ids.map((id) => `"${id}"`).join(', ')})`;
    // Only the pipeline: a bare agent run and its run's tracker are internals the filter leaves out.
    const listed = await eventually('the pipeline to be listed', async () => {
      const found: string[] = [];
      for await (const info of stack.client.workflow.list({ query })) found.push(info.workflowId);
      return found.length > 0 ? found : undefined;
    });
    expect(listed).toEqual([pipeline.workflowId]);
  });
});
