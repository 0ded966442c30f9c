// The polling peer's workflow: each step starts a Twin run in one activity and waits for its end in a second,
// long-running one that polls and heartbeats. Two activities, not one, so a retried poll never starts a
// second run.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { PollingPeerActivities } from './activities.js';
import type { PipelineInput, PipelineResult } from './api.js';

const { startRun } = proxyActivities<PollingPeerActivities>({ startToCloseTimeout: '30 seconds' });
// A missed heartbeat (a dead worker) hands the poll to another worker within 10 s; the run may take hours.
const { waitForRun } = proxyActivities<PollingPeerActivities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '10 seconds',
});

export async function pollingPipeline({ agentId, steps }: PipelineInput): Promise<PipelineResult> {
  const runIds: string[] = [];
  for (let step = 1; step <= steps; step++) {
    const runId = await startRun({ agentId, message: `step ${step} of ${steps}` });
    runIds.push(runId);
    const status = await waitForRun({ agentId, runId });
    if (status !== 'finished' && status !== 'completed')
      throw ApplicationFailure.nonRetryable(`step ${step}: run ${runId} ended ${status}`);
  }
  return { runIds };
}
