// Reading a run's output is off the path to the next step when no later step reads it: the step settles with
// the run's end (status and outcome come from the webhook), the next step starts, and the output joins the step's
// state before the pipeline ends. A step whose output a later template reads still hands it on before that step
// starts. Twin's event reads are slowed here, so the two orders are told apart by the emulator's own clock.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { startPipelineWorld, stepsById, withoutMarker, type PipelineWorld } from './pipeline-fixture.js';

const EVENT_READ_MS = 2_000;

const unread = definePipeline({
  name: 'output-later-unread',
  steps: [
    { id: 'draft', kind: 'agent', agent: '{{input.agents.draft}}', message: 'Draft it.' },
    { id: 'notify', kind: 'agent', agent: '{{input.agents.notify}}', after: ['draft'], message: 'Done.' },
  ],
});

const read = definePipeline({
  name: 'output-later-read',
  steps: [
    { id: 'draft', kind: 'agent', agent: '{{input.agents.draft}}', message: 'Draft it.' },
    {
      id: 'review',
      kind: 'agent',
      agent: '{{input.agents.review}}',
      after: ['draft'],
      message: 'Review: {{steps.draft.output}}',
    },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([unread, read]);
});
beforeEach(() =>
  world.stack.control.setFaults({
    api: { slowRate: 1, slowMs: EVENT_READ_MS, match: { method: 'GET', path: '/events$' } },
  }),
);
afterEach(() => world.stack.control.setFaults({}));
afterAll(() => world.close());

async function handOffMs(from: string, to: string): Promise<number> {
  const [ended] = await world.stack.runsOf(from);
  const [started] = await world.stack.runsOf(to);
  return Date.parse(started?.started_at ?? '') - Date.parse(ended?.finished_at ?? '');
}

describe('a step no later step reads', () => {
  it('lets the next step start before its output is read, and still ends with that output', async () => {
    const agents = {
      draft: await world.stack.newAgent([{ durationMs: 50, output: 'first draft' }]),
      notify: await world.stack.newAgent([{ durationMs: 50, output: 'sent' }]),
    };
    const { handle } = await world.start('output-later-unread', { agents });
    const steps = stepsById(await handle.result());
    expect(await handOffMs(agents.draft, agents.notify)).toBeLessThan(EVENT_READ_MS);
    expect(steps.draft).toMatchObject({ status: 'succeeded', output: 'first draft' });
    expect(steps.notify).toMatchObject({ status: 'succeeded', output: 'sent' });
  });
});

describe('a step a later template reads', () => {
  it('hands its output on before the reading step starts', async () => {
    const agents = {
      draft: await world.stack.newAgent([{ durationMs: 50, output: 'first draft' }]),
      review: await world.stack.newAgent([{ durationMs: 50 }]),
    };
    const { handle } = await world.start('output-later-read', { agents });
    await handle.result();
    expect(await handOffMs(agents.draft, agents.review)).toBeGreaterThanOrEqual(EVENT_READ_MS);
    const [run] = await world.stack.runsOf(agents.review);
    expect(withoutMarker(run?.user_message)).toBe('Review: first draft');
  });
});
