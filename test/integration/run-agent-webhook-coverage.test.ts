// An agent without a webhook would have each step wait the whole reconcile window before its run's end is
// polled: the worker asks Twin which agents have one, and the runs of the others are polled soon.
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNWEBHOOKED_RECONCILE_MS } from '../../providers/twin/activities/webhook-coverage.js';
import {
  runTrackerWorkflowId,
  type RunTrackerInput,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { historyEvents, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

const WINDOW_SECONDS = 60;
let stack: TwinflowStack;

beforeAll(async () => {
  stack = await startTwinflowStack({ env: { RUN_RECONCILE_AFTER_SECONDS: String(WINDOW_SECONDS) } });
});
afterAll(() => stack?.close());

async function trackerWindowOf(runId: string): Promise<number | undefined> {
  const [started] = await historyEvents(stack.client, runTrackerWorkflowId(runId));
  const payload = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<RunTrackerInput>(payload).reconcileAfterMs : undefined;
}

describe('webhook coverage', () => {
  it('polls the runs of an agent without a webhook soon instead of after the whole window', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100 }], { webhook: false });
    const handle = await stack.startAgentRun({ agentId });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(await trackerWindowOf(result.runId)).toBe(UNWEBHOOKED_RECONCILE_MS);
  });

  it('keeps the configured window for an agent whose webhook reports its runs', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100, outcome: 'success' }]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result.outcome).toBe('success');
    // The run.started webhook may create the tracker before the start activity does; either way no short window.
    expect([WINDOW_SECONDS * 1000, undefined]).toContain(await trackerWindowOf(result.runId));
  });
});
