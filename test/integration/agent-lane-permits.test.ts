// Per-agent lanes against the real emulator: the run start and finish times Twin recorded show whether steps
// on one agent overlapped. A lane must also survive its holders: a cancelled holder gives the permit back, a
// terminated one has it taken back, so no agent is blocked forever.
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorRunView } from '../../providers/twin/emulator/control-client.js';
import { agentLaneWorkflow } from '../../providers/twin/workflows/agent-lane.js';
import { agentLaneWorkflowId, laneStateQuery } from '../../providers/twin/workflows/agent-lane-api.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { eventually, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

function byStart(runs: EmulatorRunView[]): EmulatorRunView[] {
  return [...runs].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
}

function endsBeforeStart(first: EmulatorRunView | undefined, second: EmulatorRunView | undefined): boolean {
  if (!first?.finished_at || !second) return false;
  return Date.parse(first.finished_at) <= Date.parse(second.started_at);
}

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The signals a workflow sent to other workflows, and the activities it scheduled, in order. */
function requestsIn(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)
      return [`signal ${e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName}`];
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      return [`activity ${e.activityTaskScheduledEventAttributes?.activityType?.name}`];
    return [];
  });
}

describe('agent lanes', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack({
      env: { AGENT_CONCURRENCY_DEFAULT: '1', AGENT_LANE_HOLDER_CHECK_SECONDS: '1' },
    });
  });
  afterAll(() => stack.close());

  const laneOf = (agentId: string) => stack.client.workflow.getHandle(agentLaneWorkflowId(agentId));
  const laneState = (agentId: string) => laneOf(agentId).query(laneStateQuery);
  const eventsOf = async (workflowId: string) =>
    (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];

  it('starts a lane that is not running through the activity, and asks a running lane by signal alone', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const first = await stack.startAgentRun({ agentId });
    await first.result();
    const second = await stack.startAgentRun({ agentId });
    await second.result();
    expect(requestsIn(await eventsOf(first.workflowId)).slice(0, 3)).toEqual([
      'signal requestPermit',
      'activity requestLanePermit',
      'activity startTwinRun',
    ]);
    expect(requestsIn(await eventsOf(second.workflowId)).slice(0, 2)).toEqual([
      'signal requestPermit',
      'activity startTwinRun',
    ]);
  });

  it("has the run's tracker give the permit back as the run ends, so the step sends no release of its own", async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const step = await stack.startAgentRun({ agentId });
    const { runId } = await step.result();
    expect(requestsIn(await eventsOf(step.workflowId))).not.toContain('signal releasePermit');
    // The release leaves the tracker in the same task as the settle, so it may land just after the step returns.
    await eventually('the permit to be given back', async () =>
      (await laneState(agentId)).held.length === 0 ? true : undefined,
    );
    const releasedBy = (await eventsOf(agentLaneWorkflowId(agentId)))
      .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'releasePermit')
      .map((e) => e.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId);
    expect(releasedBy).toEqual([runTrackerWorkflowId(runId)]);
  });

  it('never lets two steps run on one agent at once under the default limit of 1', async () => {
    const agentId = await stack.newAgent([{ durationMs: 300 }]);
    const handles = await Promise.all([stack.startAgentRun({ agentId }), stack.startAgentRun({ agentId })]);
    await Promise.all(handles.map((h) => h.result()));
    const [first, second] = byStart(await stack.runsOf(agentId));
    expect(endsBeforeStart(first, second)).toBe(true);
  });

  it('lets steps that ask for more permits run side by side', async () => {
    const agentId = await stack.newAgent([{ durationMs: 1_500 }]);
    const options = { concurrency: 2 };
    const handles = await Promise.all([
      stack.startAgentRun({ agentId, options }),
      stack.startAgentRun({ agentId, options }),
    ]);
    await Promise.all(handles.map((h) => h.result()));
    const [first, second] = byStart(await stack.runsOf(agentId));
    expect(endsBeforeStart(first, second)).toBe(false);
  });

  it('hands the permit of a cancelled holder to the next step once its run has stopped', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }, { durationMs: 100 }]);
    const holder = await stack.startAgentRun({ agentId });
    await eventually('the holder to start its run', async () => (await stack.runsOf(agentId))[0]);
    const waiter = await stack.startAgentRun({ agentId });
    await eventually('the second step to queue', async () =>
      (await laneState(agentId)).waiting.length === 1 ? true : undefined,
    );
    await holder.cancel();
    expect(await waiter.result()).toMatchObject({ status: 'completed' });
    const [stopped, next] = byStart(await stack.runsOf(agentId));
    expect(stopped?.status).toBe('stopped');
    expect(endsBeforeStart(stopped, next)).toBe(true);
  });

  it('withdraws the request of a step cancelled while it waits for a permit', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }]);
    const holder = await stack.startAgentRun({ agentId });
    await eventually('the holder to start its run', async () => (await stack.runsOf(agentId))[0]);
    const waiter = await stack.startAgentRun({ agentId });
    await eventually('the second step to queue', async () =>
      (await laneState(agentId)).waiting.length === 1 ? true : undefined,
    );
    await waiter.cancel();
    await expect(waiter.result()).rejects.toThrow();
    const lane = await laneState(agentId);
    expect(lane.waiting).toEqual([]);
    expect(lane.held.map((p) => p.workflowId)).toEqual([holder.workflowId]);
    expect(await stack.runsOf(agentId)).toHaveLength(1);
    await holder.cancel();
  });

  it('reclaims the permit of a holder that was terminated without giving it back', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }, { durationMs: 100 }]);
    const holder = await stack.startAgentRun({ agentId });
    await eventually('the holder to start its run', async () => (await stack.runsOf(agentId))[0]);
    const waiter = await stack.startAgentRun({ agentId });
    await holder.terminate('simulated crash');
    expect(await waiter.result()).toMatchObject({ status: 'completed' });
    expect(await laneState(agentId)).toMatchObject({ held: [], waiting: [], reclaimed: 1 });
  });

  it('continues as new after its grant budget and keeps granting in order', async () => {
    const agentId = await stack.newAgent([{ durationMs: 50 }]);
    const lane = await stack.client.workflow.start(agentLaneWorkflow, {
      workflowId: agentLaneWorkflowId(agentId),
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ agentId, limit: 1, grantsBeforeContinueAsNew: 1 }],
    });
    for (let step = 0; step < 2; step++) await (await stack.startAgentRun({ agentId })).result();
    const current = await laneOf(agentId).describe();
    expect(current.runId).not.toBe(lane.firstExecutionRunId);
    expect(await laneState(agentId)).toMatchObject({ granted: 2, held: [], waiting: [] });
  });
});
