// A run can end before the step that started it has even recorded its ID: Twin fires webhooks right after
// POST /runs answers. Here the run's end reaches its tracker (as the receiver would deliver it) while the start
// activity is still running, and the tracker's settle signal lands in the step's history before the activity
// completes. The step must still see it: nothing else could settle the run (polling is an hour away). The test
// plays the receiver itself, so the stack registers no webhooks of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartTwinRunInput } from '../../providers/twin/activities/twin-runs.js';
import { observeRunSignal, runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import {
  eventually,
  historyEvents,
  startTwinflowStack,
  type TwinflowStack,
} from '../support/twinflow-stack.js';

describe('runAgent and a run that ends before its wait begins', () => {
  let stack: TwinflowStack;
  beforeAll(async () => {
    stack = await startTwinflowStack({
      webhooks: false,
      decorate: (activities, { client }) => ({
        ...activities,
        main: {
          ...activities.main,
          async startTwinRun(input: StartTwinRunInput) {
            const started = await activities.main.startTwinRun(input);
            await client.workflow.getHandle(runTrackerWorkflowId(started.runId)).signal(observeRunSignal, {
              runId: started.runId,
              agentId: started.agentId,
              status: 'completed',
              outcome: 'partial',
              observedAt: new Date().toISOString(),
              source: 'webhook',
            });
            await eventually('the settle to reach the step', async () => {
              const events = await historyEvents(client, input.subscriber.workflowId);
              return (
                events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'runSettled') ||
                undefined
              );
            });
            return started;
          },
        },
      }),
    });
  });
  afterAll(() => stack.close());

  it('keeps the settle that arrived before the wait and returns its result', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }]);
    const handle = await stack.startAgentRun({ agentId, options: { reconcileAfter: '1 hour' } });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'partial' });
    const events = await historyEvents(stack.client, handle.workflowId);
    const startScheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startTwinRun',
    );
    const startCompletedAt = events.findIndex(
      (e) =>
        String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(startScheduled?.eventId),
    );
    const settledAt = events.findIndex(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'runSettled',
    );
    expect(startCompletedAt).toBeGreaterThan(-1);
    expect(settledAt).toBeGreaterThan(-1);
    expect(settledAt).toBeLessThan(startCompletedAt);
  });
});
