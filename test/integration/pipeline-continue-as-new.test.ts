// A long pipeline keeps its history bounded: after a number of settled steps it continues as new, carrying
// every step's state, and the chain still ends with the whole pipeline done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, type StepDefinition } from '../../workflows/pipeline-definition.js';
import { eventually } from '../support/twinflow-stack.js';
import { startPipelineWorld, type PipelineWorld } from './pipeline-fixture.js';

const STEPS = 60;
const AFTER_STEPS = 20;

const steps: StepDefinition[] = Array.from({ length: STEPS }, (_, i) => ({
  id: `step-${i + 1}`,
  kind: 'instructions',
  agent: '{{input.agent}}',
  content: `version ${i + 1}`,
  ...(i > 0 && { after: [`step-${i}`] }),
}));

const long = definePipeline({
  name: 'long-sequence',
  steps,
  options: { continueAsNewAfterSteps: AFTER_STEPS },
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([long]);
});
afterAll(() => world.close());

describe(`a pipeline of ${STEPS} quick steps`, () => {
  it('finishes every step, in order, across continue-as-new', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('long-sequence', { agent });
    const state = await handle.result();
    const { instruction_versions: versions } = await world.stack.twin.getInstructionsHistory(agent);
    expect(state.steps.every((s) => s.status === 'succeeded')).toBe(true);
    expect(state.continuedAsNew).toBe(STEPS / AFTER_STEPS - 1);
    expect(
      versions
        .map((v) => v.content)
        .slice(0, STEPS)
        .reverse(),
    ).toEqual(steps.map((_, i) => `version ${i + 1}`));
  });

  it('keeps each run’s history short', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const { handle } = await world.start('long-sequence', { agent });
    await handle.result();
    // Visibility catches up with the last close shortly after the result.
    const executions = await eventually('the whole chain to be listed as closed', async () => {
      const listed = [];
      for await (const execution of world.stack.client.workflow.list({
        query: `WorkflowId = "${handle.workflowId}"`,
      })) {
        listed.push(execution);
      }
      return listed.every((e) => e.status.name !== 'RUNNING') ? listed : undefined;
    });
    expect(executions.map((e) => e.status.name).sort()).toEqual([
      'COMPLETED',
      'CONTINUED_AS_NEW',
      'CONTINUED_AS_NEW',
    ]);
    for (const execution of executions) expect(execution.historyLength).toBeLessThan(AFTER_STEPS * 12);
  });
});
