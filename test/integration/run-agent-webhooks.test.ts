// runAgent with webhooks on: the emulator signs and delivers each run event to the real receiver, which
// signals the run's tracker. Reconciliation is an hour away (for the step and for trackers the receiver creates),
// so only the webhooks can settle these steps, including a run so short that its end reaches Temporal before the
// step has subscribed. Under the documented contract the webhook is also the only source of the outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { historyEvents, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

/** The fields these tests read from an observeRun or subscribeRun payload. */
interface SignalBody {
  source?: string;
  observation?: { source?: string };
}

describe('runAgent with webhooks delivered to the receiver', () => {
  let stack: TwinflowStack;

  beforeAll(async () => {
    stack = await startTwinflowStack({ env: { RUN_RECONCILE_AFTER_SECONDS: '3600' } });
  });
  afterAll(() => stack.close());

  /** An agent whose run events go to the receiver, which knows the secret Twin returned for it. */
  function agentWithWebhook(durationMs: number): Promise<string> {
    return stack.newAgent([{ durationMs, outcome: 'partial', output: 'via webhook' }]);
  }

  it('settles from the run.completed webhook, not from reconciliation', async () => {
    const agentId = await agentWithWebhook(200);
    const handle = await stack.startAgentRun({ agentId, options: { reconcileAfter: '1 hour' } });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'partial', output: 'via webhook' });
    const tracker = await stack.client.workflow
      .getHandle(runTrackerWorkflowId(result.runId))
      .query(runTrackerStateQuery);
    expect(tracker.final?.source).toBe('webhook');
    expect(tracker.polls).toBe(0);
  });

  it('hands the tracker what the start read inside the subscription, in one signal', async () => {
    const agentId = await agentWithWebhook(200);
    const { runId } = await (await stack.startAgentRun({ agentId })).result();
    const signals = (await historyEvents(stack.client, runTrackerWorkflowId(runId)))
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((signal) => signal !== undefined && signal !== null)
      .map((signal) => {
        const data = signal.input?.payloads?.[0]?.data;
        const body = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as SignalBody) : {};
        return `${signal.signalName}:${body.source ?? body.observation?.source ?? '-'}`;
      });
    expect(signals.filter((s) => s.startsWith('subscribeRun'))).toEqual(['subscribeRun:start']);
    expect(signals).not.toContain('observeRun:start');
  });

  it('settles a run whose end reached its tracker before the step subscribed', async () => {
    const agentId = await agentWithWebhook(0);
    // Twin answers the start late, so both webhooks reach the tracker before the start activity can subscribe.
    await stack.control.setFaults({
      api: { slowRate: 1, slowMs: 300, match: { method: 'POST', path: '/runs$' } },
    });
    try {
      const handle = await stack.startAgentRun({ agentId, options: { reconcileAfter: '1 hour' } });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', outcome: 'partial', output: 'via webhook' });
      const signals = (await historyEvents(stack.client, runTrackerWorkflowId(result.runId)))
        .map((e) => e.workflowExecutionSignaledEventAttributes)
        .filter((signal) => signal !== undefined && signal !== null)
        .map((signal) => {
          const data = signal.input?.payloads?.[0]?.data;
          const body = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { status?: string }) : {};
          return `${signal.signalName}${body.status ? `:${body.status}` : ''}`;
        });
      expect(signals.indexOf('observeRun:completed')).toBeGreaterThan(-1);
      expect(signals.indexOf('observeRun:completed')).toBeLessThan(signals.indexOf('subscribeRun'));
    } finally {
      await stack.control.setFaults({});
    }
  });

  it('takes the outcome from a run.completed webhook that arrives after a poll saw the run end', async () => {
    const agentId = await agentWithWebhook(0);
    // Every delivery is 3 s late: the tracker polls first (after 2 s of silence) and finds the run completed
    // with no outcome; it waits up to one reconcile window for the webhook, which then tells the outcome.
    await stack.control.setFaults({ webhooks: { delayMs: [3_000, 3_000] } });
    try {
      const handle = await stack.startAgentRun({ agentId, options: { reconcileAfter: '2 seconds' } });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', outcome: 'partial', output: 'via webhook' });
      const tracker = await stack.client.workflow
        .getHandle(runTrackerWorkflowId(result.runId))
        .query(runTrackerStateQuery);
      expect(tracker.final?.source).toBe('poll');
    } finally {
      await stack.control.setFaults({});
    }
  });
});
