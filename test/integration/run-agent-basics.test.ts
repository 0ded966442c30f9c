// runAgent against the real emulator and a real Temporal dev server, with no webhooks: every run settles through
// its tracker's reconciliation poll. What a caller gets back, how retries count Twin runs, and what never
// reaches a workflow history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { INVALID_RUN_AGENT_OPTIONS } from '../../workflows/run-agent.js';
import { agentLaneWorkflowId } from '../../workflows/agent-lane.js';
import { runTrackerWorkflowId } from '../../workflows/run-tracker.js';
import { historyEvents, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';
import { historyText } from '../support/history.js';

describe('runAgent', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack();
  });
  afterAll(() => stack.close());

  it('returns the outcome and summary of a run that completes', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100, outcome: 'success', summary: 'all green' }]);
    const handle = await stack.startAgentRun({ agentId, options: { stepKey: 'check' } });
    const result = await handle.result();
    const runs = await stack.runsOf(agentId);
    expect(runs).toHaveLength(1);
    expect(result).toMatchObject({
      agentId,
      runId: runs[0]?.run_id,
      status: 'completed',
      outcome: 'success',
      summary: 'all green',
      succeeded: true,
      attempts: 1,
      runIds: [runs[0]?.run_id],
    });
  });

  it('passes the user message to Twin with the start marker on a line of its own', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    await (await stack.startAgentRun({ agentId, options: { userMessage: 'review PR 7' } })).result();
    const [run] = await stack.runsOf(agentId);
    expect(run?.user_message).toMatch(/^review PR 7\n\n\[twinflow:[0-9a-f]{16}\]$/);
  });

  it('retries a failed run and starts exactly one more Twin run', async () => {
    const agentId = await stack.newAgent([
      { durationMs: 50, result: 'failed' },
      { durationMs: 50, outcome: 'success' },
    ]);
    const handle = await stack.startAgentRun({
      agentId,
      options: { retry: { maximumAttempts: 3, initialInterval: '100 milliseconds' } },
    });
    const result = await handle.result();
    const runs = await stack.runsOf(agentId);
    expect(runs.map((r) => r.status)).toEqual(expect.arrayContaining(['error', 'finished']));
    expect(runs).toHaveLength(2);
    expect(result).toMatchObject({ status: 'completed', succeeded: true, attempts: 2 });
    expect(new Set(result.runIds)).toEqual(new Set(runs.map((r) => r.run_id)));
  });

  it('returns the last run with succeeded false when its outcome still counts as failure', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, outcome: 'partial' }]);
    const handle = await stack.startAgentRun({
      agentId,
      options: { retry: { maximumAttempts: 2, initialInterval: '100 milliseconds', retryOn: ['partial'] } },
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'partial', succeeded: false, attempts: 2 });
    expect(await stack.runsOf(agentId)).toHaveLength(2);
  });

  it('does not retry a result that retryOn does not name', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, outcome: 'partial' }]);
    const handle = await stack.startAgentRun({ agentId, options: { retry: { maximumAttempts: 3 } } });
    expect(await handle.result()).toMatchObject({ outcome: 'partial', succeeded: true, attempts: 1 });
  });

  it('fails the step at once, starting no run, when its options cannot work', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const handle = await stack.startAgentRun({ agentId, options: { retry: { maximumAttempts: 0 } } });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toMatchObject({ type: INVALID_RUN_AGENT_OPTIONS });
    expect(await stack.runsOf(agentId)).toEqual([]);
  });

  it("includes the run's events when asked", async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, summary: 'done' }]);
    const result = await (await stack.startAgentRun({ agentId, options: { includeEvents: true } })).result();
    const emulated = await stack.twin.listRunEvents(agentId, result.runId);
    expect(result.events?.map((e) => e.index)).toEqual(emulated.events.map((e) => e.index));
    expect(result.events?.[0]?.kind).toBe('started');
    expect(result.eventsTruncated).toBe(false);
  });

  it('labels its activities with the step key, so the Web UI timeline reads as steps', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const handle = await stack.startAgentRun({
      agentId,
      options: { stepKey: 'triage', includeEvents: true },
    });
    await handle.result();
    const summaries = (await historyEvents(stack.client, handle.workflowId))
      .map((e) => e.userMetadata?.summary?.data)
      .filter((data) => data !== undefined && data !== null)
      .map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as string);
    expect(summaries).toEqual([
      `triage: wait for a permit of agent ${agentId}`,
      `triage: start run of agent ${agentId} (attempt 1)`,
      expect.stringMatching(/^triage: fetch events of run run_/),
    ]);
  });

  it('keeps the Twin API key out of the histories of the step, the run tracker and the lane', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const handle = await stack.startAgentRun({ agentId, options: { includeEvents: true } });
    const { runId } = await handle.result();
    const histories = await Promise.all(
      [handle.workflowId, runTrackerWorkflowId(runId), agentLaneWorkflowId(agentId)].map(async (workflowId) =>
        historyText(await stack.client.workflow.getHandle(workflowId).fetchHistory()),
      ),
    );
    for (const text of histories) {
      expect(text).toContain(agentId);
      expect(text).not.toContain(stack.apiKey);
    }
  });
});
