// runAgent with webhooks on: the emulator signs and delivers each run event to the real receiver, which
// signals the run's tracker. Reconciliation is an hour away, so only the webhooks can settle these steps,
// including a run so short that its end reaches Temporal before the step has subscribed.
import { createSecretKey } from 'node:crypto';
import type { SigningKey } from '../../services/receiver/secrets.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { WEBHOOK_PATH } from '../../services/receiver/webhook-route.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { WEBHOOK_EVENTS } from '../../services/twin-api/run-status.js';
import { runTrackerStateQuery, runTrackerWorkflowId } from '../../workflows/run-tracker.js';
import { historyEvents, startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

/** The fields these tests read from an observeRun or subscribeRun payload. */
interface SignalBody {
  source?: string;
  observation?: { source?: string };
}

describe('runAgent with webhooks delivered to the receiver', () => {
  let stack: TwinflowStack;
  let receiver: Server;
  let receiverUrl: string;
  const signingKeys: SigningKey[] = [];

  beforeAll(async () => {
    stack = await startTwinflowStack();
    const handoff = createTemporalHandoff({
      client: stack.client,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    });
    const logger = createLogger('receiver-test', 'silent');
    const app = createReceiverApp({
      config: loadConfig({}),
      secrets: { keys: () => signingKeys },
      handoff,
      logger,
    });
    receiver = createServer(app.callback());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await stack.close();
  });

  /** An agent whose run events go to the receiver, which knows the secret Twin returned for it. */
  async function agentWithWebhook(durationMs: number): Promise<string> {
    const agentId = await stack.newAgent([{ durationMs, outcome: 'success', summary: 'via webhook' }]);
    const hook = await stack.twin.createWebhook(agentId, { url: receiverUrl, events: [...WEBHOOK_EVENTS] });
    signingKeys.push({
      key: createSecretKey(Buffer.from(hook.signing_secret, 'utf8')),
      agentId: hook.agent_id,
    });
    return agentId;
  }

  it('settles from the run.completed webhook, not from reconciliation', async () => {
    const agentId = await agentWithWebhook(200);
    const handle = await stack.startAgentRun({ agentId, options: { reconcileAfter: '1 hour' } });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'success', summary: 'via webhook' });
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
      expect(result).toMatchObject({ status: 'completed', summary: 'via webhook' });
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
});
