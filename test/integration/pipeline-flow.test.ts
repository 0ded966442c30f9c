// The interpreter's control flow against the emulator: sequence, fan-out and fan-in, conditions, templates and
// what a failing step does to the pipeline (fail, continue, compensate).
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import {
  INVALID_PIPELINE,
  PIPELINE_FAILED,
  pipelineStateQuery,
  type PipelineState,
} from '../../workflows/pipeline-api.js';
import { pipelineWorkflow } from '../../workflows/pipeline.js';
import {
  failureOf,
  startPipelineWorld,
  stepsById,
  withoutMarker,
  type PipelineWorld,
} from './pipeline-fixture.js';

const sequence = definePipeline({
  name: 'flow-sequence',
  steps: [
    { id: 'first', kind: 'agent', agent: '{{input.agents.a}}', message: 'Start on {{input.repo}}.' },
    {
      id: 'second',
      kind: 'agent',
      agent: '{{input.agents.b}}',
      after: ['first'],
      message: 'Go on from {{steps.first.output}} ({{steps.first.runId}}, {{steps.first.outcome}}).',
    },
    {
      id: 'third',
      kind: 'agent',
      agent: '{{input.agents.a}}',
      after: ['second'],
      message: 'Finish {{pipeline.name}}.',
    },
  ],
});

const fanOut = definePipeline({
  name: 'flow-fan-out',
  steps: [
    { id: 'lint', kind: 'agent', agent: '{{input.agents.lint}}' },
    { id: 'test', kind: 'agent', agent: '{{input.agents.test}}' },
    {
      id: 'fix',
      kind: 'agent',
      agent: '{{input.agents.fix}}',
      after: ['lint', 'test'],
      when: {
        any: [
          { step: 'lint', outcome: 'fail' },
          { step: 'test', outcome: 'fail' },
        ],
      },
      message: 'lint: {{steps.lint.output}} / test: {{steps.test.output}}',
    },
    {
      id: 'report',
      kind: 'agent',
      agent: '{{input.agents.report}}',
      after: ['lint', 'test', 'fix'],
      message: 'fix was {{steps.fix.status}}',
    },
  ],
});

const failing = definePipeline({
  name: 'flow-failing',
  steps: [
    { id: 'flaky', kind: 'agent', agent: '{{input.agents.flaky}}', failOn: ['fail'], onFailure: 'continue' },
    { id: 'after-flaky', kind: 'agent', agent: '{{input.agents.ok}}', after: ['flaky'] },
    { id: 'independent', kind: 'agent', agent: '{{input.agents.ok}}' },
    {
      id: 'deploy',
      kind: 'agent',
      agent: '{{input.agents.deploy}}',
      after: ['independent'],
      failOn: ['fail'],
      onFailure: { compensate: 'rollback' },
    },
    {
      id: 'rollback',
      kind: 'agent',
      agent: '{{input.agents.ok}}',
      message: 'undo {{steps.deploy.runId}}: {{steps.deploy.output}}',
    },
    { id: 'announce', kind: 'agent', agent: '{{input.agents.ok}}', after: ['deploy'] },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([sequence, fanOut, failing]);
});
afterAll(() => world.close());

async function agents(
  scripts: Record<string, Parameters<PipelineWorld['stack']['newAgent']>[0]>,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(scripts).map(
      async ([role, script]) => [role, await world.stack.newAgent(script)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

describe('a sequence', () => {
  it('runs each step after the one before and passes outputs on through templates', async () => {
    const ids = await agents({
      a: [{ durationMs: 50, output: 'found 3 issues', outcome: 'fail' }, { durationMs: 50 }],
      b: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('flow-sequence', { repo: 'acme/api', agents: ids });
    const state = await handle.result();
    const [firstRun, thirdRun] = await world.stack.runsOf(ids.a as string);
    const [secondRun] = await world.stack.runsOf(ids.b as string);
    expect(state.steps.map((s) => [s.id, s.status])).toEqual([
      ['first', 'succeeded'],
      ['second', 'succeeded'],
      ['third', 'succeeded'],
    ]);
    expect(withoutMarker(firstRun?.user_message)).toBe('Start on acme/api.');
    expect(withoutMarker(secondRun?.user_message)).toBe(
      `Go on from found 3 issues (${firstRun?.run_id}, fail).`,
    );
    expect(withoutMarker(thirdRun?.user_message)).toBe('Finish flow-sequence.');
  });

  it('starts a step only after the previous run has ended', async () => {
    const ids = await agents({ a: [{ durationMs: 100 }], b: [{ durationMs: 100 }] });
    const { handle } = await world.start('flow-sequence', { repo: 'acme/api', agents: ids });
    await handle.result();
    const [first, third] = await world.stack.runsOf(ids.a as string);
    const [second] = await world.stack.runsOf(ids.b as string);
    expect(Date.parse(second?.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(first?.finished_at ?? ''));
    expect(Date.parse(third?.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(second?.finished_at ?? ''));
  });

  it('reports each step’s run IDs, attempts, duration and the agent ID its template rendered to', async () => {
    const ids = await agents({ a: [{ durationMs: 50 }], b: [{ durationMs: 50 }] });
    const { handle } = await world.start('flow-sequence', { repo: 'acme/api', agents: ids });
    await handle.result();
    const runs = await world.stack.runsOf(ids.a as string);
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.first).toMatchObject({
      agentId: ids.a,
      runIds: [runs[0]?.run_id],
      runId: runs[0]?.run_id,
      attempts: 1,
      outcome: 'success',
    });
    expect(steps.second?.agentId).toBe(ids.b);
    expect(steps.first?.durationMs).toBeGreaterThan(0);
    expect(steps.third?.runIds).toEqual([runs[1]?.run_id]);
  });
});

describe('fan-out and fan-in', () => {
  it('runs independent steps side by side', async () => {
    const ids = await agents({
      lint: [{ durationMs: 400 }],
      test: [{ durationMs: 400 }],
      fix: [{ durationMs: 50 }],
      report: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('flow-fan-out', { agents: ids });
    await handle.result();
    const [lint] = await world.stack.runsOf(ids.lint as string);
    const [test] = await world.stack.runsOf(ids.test as string);
    expect(Date.parse(test?.started_at ?? '')).toBeLessThan(Date.parse(lint?.finished_at ?? ''));
    expect(Date.parse(lint?.started_at ?? '')).toBeLessThan(Date.parse(test?.finished_at ?? ''));
  });

  it('skips a conditional step whose condition does not hold, and the fan-in still runs', async () => {
    const ids = await agents({
      lint: [{ durationMs: 50 }],
      test: [{ durationMs: 50 }],
      fix: [{ durationMs: 50 }],
      report: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('flow-fan-out', { agents: ids });
    const steps = stepsById(await handle.result());
    expect(steps.fix?.status).toBe('skipped');
    expect(await world.stack.runsOf(ids.fix as string)).toHaveLength(0);
    const [report] = await world.stack.runsOf(ids.report as string);
    expect(withoutMarker(report?.user_message)).toBe('fix was skipped');
  });

  it('runs the conditional step when an earlier step ended with the named outcome, with both outputs', async () => {
    const ids = await agents({
      lint: [{ durationMs: 50, output: 'clean' }],
      test: [{ durationMs: 50, outcome: 'fail', output: '2 tests fail' }],
      fix: [{ durationMs: 50 }],
      report: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('flow-fan-out', { agents: ids });
    const steps = stepsById(await handle.result());
    const [fix] = await world.stack.runsOf(ids.fix as string);
    expect(steps.fix?.status).toBe('succeeded');
    expect(withoutMarker(fix?.user_message)).toBe('lint: clean / test: 2 tests fail');
  });

  it('starts the fan-in step only after every branch has ended', async () => {
    const ids = await agents({
      lint: [{ durationMs: 50 }],
      test: [{ durationMs: 300 }],
      fix: [{ durationMs: 50 }],
      report: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('flow-fan-out', { agents: ids });
    await handle.result();
    const [test] = await world.stack.runsOf(ids.test as string);
    const [report] = await world.stack.runsOf(ids.report as string);
    expect(Date.parse(report?.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(test?.finished_at ?? ''));
  });
});

describe('a failing step', () => {
  const healthy = { flaky: [{ durationMs: 50 }], ok: [{ durationMs: 50 }], deploy: [{ durationMs: 50 }] };

  it('with onFailure continue skips its dependants and lets other branches go on', async () => {
    const ids = await agents({ ...healthy, flaky: [{ durationMs: 50, outcome: 'fail' }] });
    const { handle } = await world.start('flow-failing', { agents: ids });
    const steps = stepsById(await handle.result());
    expect(steps.flaky?.status).toBe('failed');
    expect(steps['after-flaky']?.status).toBe('skipped');
    expect(steps.announce?.status).toBe('succeeded');
  });

  it('with a compensation runs the compensating step with the failed step’s outputs, then fails the pipeline', async () => {
    const ids = await agents({
      ...healthy,
      deploy: [{ durationMs: 50, outcome: 'fail', output: 'half rolled out' }],
    });
    const { handle } = await world.start('flow-failing', { agents: ids });
    const failure = await failureOf(handle.result());
    const [deployRun] = await world.stack.runsOf(ids.deploy as string);
    const state = (failure.cause as ApplicationFailure).details?.[0] as PipelineState;
    const steps = stepsById(state);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure.cause as ApplicationFailure).type).toBe(PIPELINE_FAILED);
    expect(steps.rollback).toMatchObject({ status: 'succeeded', compensating: 'deploy' });
    expect(steps.announce?.status).toBe('skipped');
    const rollbackMessages = (await world.stack.runsOf(ids.ok as string)).map((r) =>
      withoutMarker(r.user_message),
    );
    expect(rollbackMessages).toContain(`undo ${deployRun?.run_id}: half rolled out`);
  });

  it('leaves an unused compensation step skipped', async () => {
    const ids = await agents(healthy);
    const { handle } = await world.start('flow-failing', { agents: ids });
    expect(stepsById(await handle.result()).rollback?.status).toBe('skipped');
  });
});

describe('a definition started without the registry', () => {
  it('is validated by the workflow too, which fails at once naming the problem', async () => {
    const cyclic = definePipeline({
      name: 'flow-cyclic',
      steps: [
        { id: 'a', kind: 'agent', agent: 'x', after: ['b'] },
        { id: 'b', kind: 'agent', agent: 'x', after: ['a'] },
      ],
    });
    const handle = await world.stack.client.workflow.start(pipelineWorkflow, {
      taskQueue: world.stack.config.TEMPORAL_TASK_QUEUE,
      workflowId: `pipeline/flow-cyclic/${Date.now()}`,
      args: [{ definition: cyclic, input: {} }],
    });
    const failure = await failureOf(handle.result());
    expect((failure.cause as ApplicationFailure).type).toBe(INVALID_PIPELINE);
    expect(failure.cause?.toString()).toMatch(/dependency cycle/);
  });
});
