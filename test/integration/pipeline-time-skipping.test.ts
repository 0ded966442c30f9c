// Hour- and day-long timers, backoffs and deadlines, on the time-skipping test server: the pipeline's
// durable timers fire as soon as nothing else can happen, so each case finishes in real seconds. A test
// here would hang until vitest's timeout if the timer did not come from Temporal (a sleep in an activity,
// say), and the history shows the exact timer the definition asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { startTimeSkippingTemporal } from '../support/temporal.js';
import { failureOf, startPipelineWorld, stepsById, type PipelineWorld } from './pipeline-fixture.js';

const HOUR_S = 3_600;

const overnight = definePipeline({
  name: 'skip-overnight',
  steps: [
    { id: 'night', kind: 'wait', duration: '8 hours' },
    { id: 'morning', kind: 'agent', agent: '{{input.agent}}', after: ['night'] },
  ],
});

const slowBackoff = definePipeline({
  name: 'skip-backoff',
  steps: [
    {
      id: 'flaky',
      kind: 'agent',
      agent: '{{input.agent}}',
      retry: { maximumAttempts: 3, initialInterval: '1 hour', backoffCoefficient: 2 },
    },
  ],
});

const unattended = definePipeline({
  name: 'skip-unattended',
  steps: [
    { id: 'gate', kind: 'approval', timeout: '3 days' },
    { id: 'ship', kind: 'agent', agent: '{{input.agent}}', after: ['gate'] },
  ],
});

const bounded = definePipeline({
  name: 'skip-bounded',
  steps: [{ id: 'endless', kind: 'agent', agent: '{{input.agent}}', timeout: '10 minutes' }],
});

const silent = definePipeline({
  name: 'skip-silent',
  steps: [{ id: 'quiet', kind: 'agent', agent: '{{input.agent}}', timeout: '1 hour' }],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([overnight, slowBackoff, unattended, bounded, silent], {
    temporal: startTimeSkippingTemporal,
    // The production silence window: polls once a simulated minute, not once a simulated second.
    env: { RUN_RECONCILE_AFTER_SECONDS: '60' },
  });
});
afterAll(() => world.close());

type History = temporal.api.history.v1.IHistory;

async function historyOf(workflowId: string): Promise<History> {
  return world.stack.client.workflow.getHandle(workflowId).fetchHistory();
}

/** Every timer the workflow started, in seconds, in order. */
function timerSeconds(history: History): number[] {
  return (history.events ?? []).flatMap((event) => {
    const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0)] : [];
  });
}

describe('on a time-skipping server', () => {
  it('a wait of eight hours fires, and the next step runs', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 20 }]);
    const { handle } = await world.start('skip-overnight', { agent });

    const state = await handle.result();

    expect(state.status).toBe('succeeded');
    expect(timerSeconds(await historyOf(handle.workflowId))).toContain(8 * HOUR_S);
    expect(await world.stack.runsOf(agent)).toHaveLength(1);
  });

  it('a failed step is retried after its hour-long backoff, growing by the coefficient, one Twin run per attempt', async () => {
    const agent = await world.stack.newAgent([
      { durationMs: 20, result: 'failed' },
      { durationMs: 20, result: 'failed' },
      { durationMs: 20, result: 'completed' },
    ]);
    const { handle } = await world.start('skip-backoff', { agent });

    const state = await handle.result();

    expect(state.status).toBe('succeeded');
    expect(stepsById(state).flaky?.attempts).toBe(3);
    expect(await world.stack.runsOf(agent)).toHaveLength(3);
    const backoffs = timerSeconds(await historyOf(handle.workflowId)).filter((s) => s >= HOUR_S);
    expect(backoffs).toEqual([HOUR_S, 2 * HOUR_S]);
  });

  it('an approval nobody gives is rejected when its three days are up, and nothing after it runs', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 20 }]);
    const { handle } = await world.start('skip-unattended', { agent });

    await failureOf(handle.result());

    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.gate).toMatchObject({
      status: 'failed',
      decidedBy: 'timeout',
      error: 'no decision within 3 days',
    });
    expect(await world.stack.runsOf(agent)).toHaveLength(0);
  });

  it('a step past its ten-minute timeout has its Twin run cancelled', async () => {
    const agent = await world.stack.newAgent([{ result: 'never' }]);
    const { handle } = await world.start('skip-bounded', { agent });

    await failureOf(handle.result());

    const runs = await world.stack.runsOf(agent);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('stopped');
  });

  it('polls a run that stays silent less and less often, but at least every ten minutes', async () => {
    const agent = await world.stack.newAgent([{ result: 'never' }]);
    const { handle } = await world.start('skip-silent', { agent });
    await failureOf(handle.result());

    const [run] = await world.stack.runsOf(agent);
    const silences = timerSeconds(await historyOf(runTrackerWorkflowId(run?.run_id ?? '')));
    // The first window may be cut short by the step's own subscription, which counts as news.
    expect(silences.join(' ')).toContain('60 120 240 480 600 600');
  });
});
