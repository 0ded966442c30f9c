// The webhook peer's one activity: start the step's Twin run, then tell the run's forwarder which pipeline waits
// for it. Signal-with-start, because the run's webhook may already have created the forwarder.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { startTwinRun, type TwinTarget } from '../twin-http.js';
import { forwarderId, pipelineKnownSignal, WEBHOOK_PEER_TASK_QUEUE } from './api.js';

export interface WebhookPeerActivities {
  startRun(input: { agentId: string; message: string }): Promise<string>;
}

export function webhookPeerActivities(twin: TwinTarget, client: Client): WebhookPeerActivities {
  return {
    async startRun({ agentId, message }) {
      const pipelineId = Context.current().info.workflowExecution?.workflowId;
      if (!pipelineId) throw new Error('startRun runs only on behalf of a pipeline workflow');
      const runId = await startTwinRun(twin, agentId, message);
      await client.workflow.signalWithStart('runForwarder', {
        workflowId: forwarderId(runId),
        taskQueue: WEBHOOK_PEER_TASK_QUEUE,
        args: [{ runId }],
        signal: pipelineKnownSignal,
        signalArgs: [pipelineId],
      });
      return runId;
    },
  };
}
