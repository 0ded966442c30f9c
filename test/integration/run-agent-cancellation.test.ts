// The ways a runAgent step ends early or uncertainly: its own deadline, the caller being cancelled, and a start
// call whose answer never arrives although Twin created the run. In each, Twin must end up with exactly the
// runs the step meant to have, and none left running.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import {
  AGENT_RUN_TIMED_OUT,
  type AgentRunTimeoutDetails,
} from '../../providers/twin/workflows/agent-run-api.js';
import { agentLaneWorkflowId, laneStateQuery } from '../../providers/twin/workflows/agent-lane-api.js';
import {
  eventually,
  historyEvents,
  startTwinflowStack,
  type TwinflowStack,
} from '../support/twinflow-stack.js';

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as WorkflowFailedError).cause;
}

/** The activity attempt that finally completed each `startTwinRun`, read from the step's history. */
async function startAttempts(stack: TwinflowStack, workflowId: string): Promise<number[]> {
  const events = await historyEvents(stack.client, workflowId);
  const startIds = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startTwinRun')
      .map((e) => Number(e.eventId)),
  );
  return events
    .filter((e) => startIds.has(Number(e.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
}

describe('runAgent when a step ends early', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack();
  });
  afterEach(() => stack.control.setFaults({}));
  afterAll(() => stack.close());

  it('cancels the Twin run when the step timeout expires and reports how it ended', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }]);
    const handle = await stack.startAgentRun({ agentId, options: { timeout: '2 seconds' } });
    const cause = await failureOf(handle.result());
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const failure = cause as ApplicationFailure;
    expect(failure.type).toBe(AGENT_RUN_TIMED_OUT);
    const [run] = await stack.runsOf(agentId);
    expect(run?.status).toBe('stopped');
    const details = failure.details?.[0] as AgentRunTimeoutDetails;
    expect(details).toMatchObject({ agentId, runIds: [run?.run_id], lastObservation: { status: 'stopped' } });
  });

  it('cancels the Twin run and gives the permit back when the calling workflow is cancelled', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }]);
    const handle = await stack.startAgentRun({ agentId });
    await eventually('the Twin run to start', async () => (await stack.runsOf(agentId))[0]);
    await handle.cancel();
    expect(await failureOf(handle.result())).toBeInstanceOf(CancelledFailure);
    const [run] = await stack.runsOf(agentId);
    expect(run?.status).toBe('stopped');
    const lane = await stack.client.workflow.getHandle(agentLaneWorkflowId(agentId)).query(laneStateQuery);
    expect(lane.held).toEqual([]);
  });

  it('gives a start its own time, so an answer slower than callTimeout is not lost and nothing is retried', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100, outcome: 'success' }]);
    // Slower than the step's callTimeout, faster than the Twin client's own timeout.
    await stack.control.setFaults({
      api: { slowRate: 1, slowMs: 2_500, match: { method: 'POST', path: '/runs$' } },
    });
    try {
      const handle = await stack.startAgentRun({ agentId, options: { callTimeout: '1 second' } });
      const result = await handle.result();
      const runs = await stack.runsOf(agentId);
      expect(runs).toHaveLength(1);
      expect(result).toMatchObject({ runId: runs[0]?.run_id, status: 'completed' });
      expect(await startAttempts(stack, handle.workflowId)).toEqual([1]);
      expect(result.runs[0]?.resolution).toBe('answered');
    } finally {
      await stack.control.setFaults({});
    }
  });
});
