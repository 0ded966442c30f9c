// runAgent against the real emulator playing the documented Twin, a real Temporal dev server and the real
// receiver: outcomes come from the run.completed webhook, the agent's answer from the run's events. What a caller
// gets back, how retries count Twin runs, what polling alone can and cannot learn, and what never reaches a
// workflow history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { INVALID_RUN_AGENT_OPTIONS } from '../../providers/twin/workflows/agent-run-api.js';
import { agentLaneWorkflowId } from '../../providers/twin/workflows/agent-lane-api.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { historyEvents, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';
import { historyText } from '../support/history.js';

describe('runAgent', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack();
  });
  afterAll(() => stack.close());

  it('returns the outcome and the output of a run that completes', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100, outcome: 'success', output: 'all green' }]);
    const handle = await stack.startAgentRun({ agentId, options: { stepKey: 'check' } });
    const result = await handle.result();
    const runs = await stack.runsOf(agentId);
    expect(runs).toHaveLength(1);
    expect(result).toMatchObject({
      agentId,
      runId: runs[0]?.run_id,
      status: 'completed',
      outcome: 'success',
      output: 'all green',
      succeeded: true,
      attempts: 1,
      runIds: [runs[0]?.run_id],
      runs: [{ runId: runs[0]?.run_id, status: 'completed', outcome: 'success', resolution: 'answered' }],
    });
    // The documented Twin serves no summary, and twinflow makes none up.
    expect(result.summary).toBeUndefined();
    expect(result.json).toBeUndefined();
  });

  it('parses an output that is a JSON document', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, output: '{"items":["a","b"],"count":2}' }]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result.json).toEqual({ items: ['a', 'b'], count: 2 });
    expect(result.outputTruncated).toBeUndefined();
  });

  it("returns a failed run's reason, read from its events", async () => {
    const agentId = await stack.newAgent([
      { durationMs: 50, result: 'failed', reason: 'policy refused push' },
    ]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result).toMatchObject({
      status: 'failed',
      succeeded: false,
      reason: 'policy refused push',
      runs: [{ status: 'failed', reason: 'policy refused push' }],
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
      { durationMs: 50, result: 'failed', reason: 'flaked' },
      { durationMs: 50, outcome: 'success', output: 'second time lucky' },
    ]);
    const handle = await stack.startAgentRun({
      agentId,
      options: { retry: { maximumAttempts: 3, initialInterval: '100 milliseconds' } },
    });
    const result = await handle.result();
    const runs = await stack.runsOf(agentId);
    expect(runs.map((r) => r.status)).toEqual(expect.arrayContaining(['error', 'finished']));
    expect(runs).toHaveLength(2);
    expect(result).toMatchObject({
      status: 'completed',
      succeeded: true,
      attempts: 2,
      output: 'second time lucky',
    });
    expect(new Set(result.runIds)).toEqual(new Set(runs.map((r) => r.run_id)));
    // Why the first attempt failed is kept beside the run that succeeded.
    expect(result.runs).toMatchObject([
      { runId: result.runIds[0], status: 'failed', reason: 'flaked' },
      { runId: result.runIds[1], status: 'completed', outcome: 'success' },
    ]);
    expect(result.reason).toBeUndefined();
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
    const agentId = await stack.newAgent([{ durationMs: 50, output: 'done' }]);
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
      expect.stringMatching(/^triage: fetch events of run \S+$/),
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

describe('runAgent on an agent without a webhook', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack({ webhooks: false });
  });
  afterAll(() => stack.close());

  it('settles the run by polling and reads its output from the events', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, outcome: 'success', output: 'polled answer' }]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'unknown', output: 'polled answer' });
    const tracker = await stack.client.workflow
      .getHandle(runTrackerWorkflowId(result.runId))
      .query(runTrackerStateQuery);
    expect(tracker.final?.source).toBe('poll');
  });

  it('records the outcome as unknown, which the default retryOn counts as failure', async () => {
    // Only the run.completed webhook carries an outcome; a poll cannot tell success from fail.
    const agentId = await stack.newAgent([{ durationMs: 50, outcome: 'success' }]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'unknown', succeeded: false, attempts: 1 });
  });

  it('does not start another run for an unknown outcome unless retryOn names unknown', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const result = await (
      await stack.startAgentRun({
        agentId,
        options: { retry: { maximumAttempts: 3, initialInterval: '100 milliseconds' } },
      })
    ).result();
    expect(result).toMatchObject({ outcome: 'unknown', succeeded: false, attempts: 1 });
    expect(await stack.runsOf(agentId)).toHaveLength(1);
  });

  it('retries an unknown outcome where retryOn names it', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const result = await (
      await stack.startAgentRun({
        agentId,
        options: {
          retry: { maximumAttempts: 2, initialInterval: '100 milliseconds', retryOn: ['unknown'] },
        },
      })
    ).result();
    expect(result).toMatchObject({ outcome: 'unknown', succeeded: false, attempts: 2 });
    expect(await stack.runsOf(agentId)).toHaveLength(2);
  });
});

describe('runAgent against a Twin that serves run summaries', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack({ profile: 'rich' });
  });
  afterAll(() => stack.close());

  it('passes the summary on beside the output', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, summary: 'all green', output: 'details' }]);
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result).toMatchObject({ outcome: 'success', summary: 'all green', output: 'details' });
  });

  it('learns the outcome from the run record when polling alone settled the run', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50, outcome: 'partial' }], { webhook: false });
    const result = await (await stack.startAgentRun({ agentId })).result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'partial', succeeded: true });
  });
});
