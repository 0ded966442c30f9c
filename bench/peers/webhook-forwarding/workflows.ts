// The webhook peer's workflows, as a Temporal user would write them by hand. The pipeline starts each step's run
// in an activity and waits for a signal; a forwarder per Twin run collects the webhook (which can arrive before
// the pipeline even knows the run ID) and the pipeline's ID, whichever comes first, then signals the pipeline.
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { WebhookPeerActivities } from './activities.js';
import {
  pipelineKnownSignal,
  runEndedSignal,
  runEventSignal,
  type ForwarderInput,
  type PipelineInput,
  type PipelineResult,
  type RunEvent,
} from './api.js';

const { startRun } = proxyActivities<WebhookPeerActivities>({ startToCloseTimeout: '30 seconds' });

const TERMINAL_EVENTS = new Set(['run.completed', 'run.failed', 'run.stopped']);

export async function webhookPipeline({ agentId, steps }: PipelineInput): Promise<PipelineResult> {
  // Keyed by run: a signal may arrive before the activity that started the run has completed.
  const ended = new Map<string, string>();
  setHandler(runEndedSignal, ({ runId, event }) => void ended.set(runId, event));
  const runIds: string[] = [];
  for (let step = 1; step <= steps; step++) {
    const runId = await startRun({ agentId, message: `step ${step} of ${steps}` });
    runIds.push(runId);
    await condition(() => ended.has(runId));
    if (ended.get(runId) !== 'run.completed')
      throw ApplicationFailure.nonRetryable(`step ${step}: run ${runId} ended with ${ended.get(runId)}`);
  }
  return { runIds };
}

export async function runForwarder({ runId }: ForwarderInput): Promise<void> {
  let pipelineId: string | undefined;
  let ended: RunEvent | undefined;
  setHandler(pipelineKnownSignal, (id) => void (pipelineId ??= id));
  // The first terminal delivery wins; duplicates and run.started/run.paused change nothing.
  setHandler(runEventSignal, (e) => {
    if (TERMINAL_EVENTS.has(e.event)) ended ??= e;
  });
  await condition(() => pipelineId !== undefined && ended !== undefined);
  await getExternalWorkflowHandle(pipelineId as string).signal(runEndedSignal, {
    runId,
    event: (ended as RunEvent).event,
  });
}
