// Triggers: a Twin run twinflow did not start ends, its webhook reaches the run tracker through the receiver's
// hand-off, and the tracker's trigger evaluation starts the matching pipeline, once per event however often
// the event arrives or is evaluated. The source agent has a real webhook; the tests that repeat an event hand the
// same observation over again themselves, as a duplicated delivery would.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriggerActivities } from '../../activities/triggers.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineWorkflowId, triggerKey } from '../../workflows/pipeline-api.js';
import { eventually } from '../support/twinflow-stack.js';
import { startPipelineWorld, withoutMarker, type PipelineWorld } from './pipeline-fixture.js';

// A trigger names its agent literally, so these IDs are chosen before the agents exist: UUIDs, like Twin's own.
const SOURCE_AGENT = randomUUID();
const TARGET_AGENT = randomUUID();

const onSuccess = definePipeline({
  name: 'triggered-report',
  triggers: [
    {
      event: 'run.completed',
      agent: SOURCE_AGENT,
      outcome: 'success',
      input: { note: 'after {{event.runId}}' },
    },
  ],
  steps: [
    {
      id: 'report',
      kind: 'agent',
      agent: TARGET_AGENT,
      message: '{{input.note}} ({{input.trigger.outcome}})',
    },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([onSuccess]);
  await world.stack.newAgent([{ durationMs: 50 }], { agentId: SOURCE_AGENT });
  await world.stack.newAgent([{ durationMs: 50 }], { agentId: TARGET_AGENT });
});
afterAll(() => world.close());

/** A run started straight through Twin's API (as a Twin schedule would), and its terminal observation. */
async function externalRun(outcome: 'success' | 'fail'): Promise<RunObservation> {
  await world.stack.control.setScript(SOURCE_AGENT, [{ durationMs: 50, outcome }]);
  const { run } = await world.stack.twin.startRun(SOURCE_AGENT, {
    run_mode: 'run',
    user_message: 'scheduled',
  });
  const finished = await eventually('the external run to finish', async () => {
    const found = (await world.stack.runsOf(SOURCE_AGENT)).find((r) => r.run_id === run.run_id);
    return found?.finished_at ? found : undefined;
  });
  return {
    runId: run.run_id,
    agentId: SOURCE_AGENT,
    status: 'completed',
    outcome,
    finishedAt: finished.finished_at ?? undefined,
    observedAt: finished.finished_at ?? new Date().toISOString(),
    source: 'webhook',
  };
}

function deliver(observation: RunObservation) {
  const handoff = createTemporalHandoff({
    client: world.stack.client,
    taskQueue: world.stack.config.TEMPORAL_TASK_QUEUE,
  });
  return handoff.deliver(observation, new AbortController().signal);
}

/** The tracker evaluates triggers on its own time: waits for the triggered pipeline to exist, then to end. */
async function triggeredPipelineResult(runId: string): Promise<string> {
  const workflowId = pipelineWorkflowId('triggered-report', triggerKey(runId));
  const handle = world.stack.client.workflow.getHandle(workflowId);
  await eventually(`${workflowId} to start`, () =>
    handle.describe().then(
      () => true,
      () => undefined,
    ),
  );
  await handle.result();
  return workflowId;
}

async function targetRunsAfter(runId: string) {
  return (await world.stack.runsOf(TARGET_AGENT)).filter((r) => r.user_message?.startsWith(`after ${runId}`));
}

describe('a pipeline trigger', () => {
  it('starts the pipeline when Twin delivers the end of a matching run, with the event in its input', async () => {
    const observation = await externalRun('success');
    await triggeredPipelineResult(observation.runId);
    const [run] = await targetRunsAfter(observation.runId);
    expect(withoutMarker(run?.user_message)).toBe(`after ${observation.runId} (success)`);
  });

  it('starts it once when the same terminal observation is delivered twice', async () => {
    const observation = await externalRun('success');
    await deliver(observation);
    await deliver(observation);
    const workflowId = await triggeredPipelineResult(observation.runId);
    const executions = [];
    for await (const execution of world.stack.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
      executions.push(execution);
    expect(executions).toHaveLength(1);
    expect(await targetRunsAfter(observation.runId)).toHaveLength(1);
  });

  it('does not start it again when the evaluation is repeated after the pipeline has finished', async () => {
    const observation = await externalRun('success');
    await deliver(observation);
    const workflowId = await triggeredPipelineResult(observation.runId);
    const { evaluateTriggers } = createTriggerActivities({
      registry: world.registry,
      temporal: world.stack.client,
      taskQueue: world.stack.config.TEMPORAL_TASK_QUEUE,
    });
    const again = await evaluateTriggers({ observation, sourceWorkflowId: 'test' });
    expect(again).toEqual({ started: [], alreadyStarted: [workflowId], refused: [] });
    expect(await targetRunsAfter(observation.runId)).toHaveLength(1);
  });

  it('ignores a run whose outcome does not match', async () => {
    const observation = await externalRun('fail');
    const { evaluateTriggers } = createTriggerActivities({
      registry: world.registry,
      temporal: world.stack.client,
      taskQueue: world.stack.config.TEMPORAL_TASK_QUEUE,
    });
    expect(await evaluateTriggers({ observation, sourceWorkflowId: 'test' })).toEqual({
      started: [],
      alreadyStarted: [],
      refused: [],
    });
  });
});
