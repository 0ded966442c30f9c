// How data moves between pipeline steps under the documented Twin: an agent's answer is its run's last message
// event (`output`, and `json` when that answer is a JSON document), its outcome comes only from the run.completed
// webhook, and a run object carries no summary. A template that reads a value no step produced fails its step
// loudly instead of sending the next agent an empty string.
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OUTPUT_CHARS } from '../../providers/twin/vocabulary/run-output.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { PIPELINE_FAILED, type PipelineState } from '../../workflows/pipeline-api.js';
import {
  failureOf,
  startPipelineWorld,
  stepsById,
  withoutMarker,
  type PipelineWorld,
} from './pipeline-fixture.js';

const handOn = definePipeline({
  name: 'outputs-hand-on',
  steps: [
    { id: 'scan', kind: 'agent', agent: '{{input.agents.scan}}', message: 'Scan {{input.repo}}.' },
    {
      id: 'triage',
      kind: 'agent',
      agent: '{{input.agents.triage}}',
      after: ['scan'],
      message: 'Triage {{steps.scan.json.items}} in {{steps.scan.json.meta.repo}}.',
    },
    {
      id: 'report',
      kind: 'agent',
      agent: '{{input.agents.report}}',
      after: ['triage'],
      message: 'Triage said: {{steps.triage.output}}',
    },
  ],
});

const readsSummary = definePipeline({
  name: 'outputs-reads-summary',
  steps: [
    { id: 'lint', kind: 'agent', agent: '{{input.agents.lint}}' },
    {
      id: 'fix',
      kind: 'agent',
      agent: '{{input.agents.fix}}',
      after: ['lint'],
      message: 'Fix it. Lint said: {{steps.lint.summary}}',
    },
  ],
});

const readsJsonField = definePipeline({
  name: 'outputs-reads-json-field',
  steps: [
    { id: 'scan', kind: 'agent', agent: '{{input.agents.scan}}' },
    {
      id: 'fix',
      kind: 'agent',
      agent: '{{input.agents.fix}}',
      after: ['scan'],
      message: 'Fix {{steps.scan.json.items}}.',
    },
  ],
});

const withDefault = definePipeline({
  name: 'outputs-with-default',
  steps: [
    { id: 'lint', kind: 'agent', agent: '{{input.agents.lint}}' },
    {
      id: 'fix',
      kind: 'agent',
      agent: '{{input.agents.fix}}',
      after: ['lint'],
      message: 'Lint said: {{steps.lint.summary ?? "no summary"}} / {{steps.lint.output}}',
    },
  ],
});

const single = definePipeline({
  name: 'outputs-single',
  steps: [{ id: 'only', kind: 'agent', agent: '{{input.agents.only}}' }],
});

const fromOutputEvents = definePipeline({
  name: 'outputs-from-kind',
  steps: [
    { id: 'tagged', kind: 'agent', agent: '{{input.agents.tagged}}', outputFrom: ['output'] },
    { id: 'chatty', kind: 'agent', agent: '{{input.agents.chatty}}', outputFrom: ['output'] },
  ],
});

const retriedFailure = definePipeline({
  name: 'outputs-retried-failure',
  steps: [
    {
      id: 'deploy',
      kind: 'agent',
      agent: '{{input.agents.deploy}}',
      retry: { maximumAttempts: 2, initialInterval: '100 milliseconds' },
    },
  ],
});

const reportsFailure = definePipeline({
  name: 'outputs-reports-failure',
  steps: [
    { id: 'deploy', kind: 'agent', agent: '{{input.agents.deploy}}', onFailure: 'continue' },
    {
      id: 'page',
      kind: 'agent',
      agent: '{{input.agents.page}}',
      after: ['deploy'],
      when: { step: 'deploy', status: 'failed' },
      message: 'Deploy {{steps.deploy.runId}} failed: {{steps.deploy.reason}}',
    },
  ],
});

const strictOutcome = definePipeline({
  name: 'outputs-strict-outcome',
  steps: [
    {
      id: 'check',
      kind: 'agent',
      agent: '{{input.agents.check}}',
      failOn: ['fail'],
      retry: { maximumAttempts: 3, initialInterval: '100 milliseconds' },
    },
  ],
});

let world: PipelineWorld;
beforeAll(async () => {
  world = await startPipelineWorld([
    handOn,
    readsSummary,
    readsJsonField,
    withDefault,
    single,
    fromOutputEvents,
    retriedFailure,
    reportsFailure,
    strictOutcome,
  ]);
});
afterAll(() => world.close());

async function agents(
  scripts: Record<string, RunBehaviourInput[]>,
  options: { webhook?: boolean } = {},
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(scripts).map(
      async ([role, script]) => [role, await world.stack.newAgent(script, options)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

async function messagesOf(agentId: string | undefined): Promise<Array<string | undefined>> {
  return (await world.stack.runsOf(agentId as string)).map((r) => withoutMarker(r.user_message));
}

function failedState(failure: Error & { cause?: unknown }): PipelineState {
  const cause = failure.cause as ApplicationFailure;
  expect(cause.type).toBe(PIPELINE_FAILED);
  return cause.details?.[0] as PipelineState;
}

describe('outputs handed on through templates', () => {
  it("gives a later step an earlier step's JSON fields and another's text", async () => {
    const scan = { items: ['CVE-1', 'CVE-2'], meta: { repo: 'acme/api' } };
    const ids = await agents({
      scan: [{ durationMs: 50, output: JSON.stringify(scan) }],
      triage: [{ durationMs: 50, output: 'CVE-2 is critical' }],
      report: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('outputs-hand-on', { repo: 'acme/api', agents: ids });
    const steps = stepsById(await handle.result());
    expect(steps.scan).toMatchObject({ status: 'succeeded', json: scan });
    expect(await messagesOf(ids.triage)).toEqual(['Triage ["CVE-1","CVE-2"] in acme/api.']);
    expect(await messagesOf(ids.report)).toEqual(['Triage said: CVE-2 is critical']);
  });

  it('reads JSON from an answer that is one fenced json block', async () => {
    const ids = await agents({
      only: [{ durationMs: 50, output: '```json\n{"items":[1,2,3]}\n```' }],
    });
    const { handle } = await world.start('outputs-single', { agents: ids });
    expect(stepsById(await handle.result()).only?.json).toEqual({ items: [1, 2, 3] });
  });

  it('renders the default of a reference written with ??, and the value where there is one', async () => {
    const ids = await agents({ lint: [{ durationMs: 50, output: '3 warnings' }], fix: [{ durationMs: 50 }] });
    const { handle } = await world.start('outputs-with-default', { agents: ids });
    await handle.result();
    expect(await messagesOf(ids.fix)).toEqual(['Lint said: no summary / 3 warnings']);
  });
});

describe('a template that reads a missing value', () => {
  it('fails the step, naming the reference, and starts no run for it', async () => {
    // The documented Twin serves no summary: a template written for the old contract must not send "".
    const ids = await agents({ lint: [{ durationMs: 50, output: 'clean' }], fix: [{ durationMs: 50 }] });
    const { handle } = await world.start('outputs-reads-summary', { agents: ids });
    const state = failedState(await failureOf(handle.result()));
    const steps = stepsById(state);
    expect(steps.lint?.status).toBe('succeeded');
    expect(steps.fix).toMatchObject({ status: 'failed', attempts: 0, runIds: [] });
    expect(steps.fix?.error).toContain('{{steps.lint.summary}}');
    expect(steps.fix?.error).toMatch(/has no value/);
    expect(state.failedStep).toBe('fix');
    expect(await world.stack.runsOf(ids.fix as string)).toEqual([]);
  });

  it('fails the step when the earlier output is not JSON, naming the JSON path', async () => {
    const ids = await agents({
      scan: [{ durationMs: 50, output: 'I found two issues.' }],
      fix: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('outputs-reads-json-field', { agents: ids });
    const steps = stepsById(failedState(await failureOf(handle.result())));
    expect(steps.scan?.json).toBeUndefined();
    expect(steps.fix?.status).toBe('failed');
    expect(steps.fix?.error).toContain('{{steps.scan.json.items}}');
    expect(await world.stack.runsOf(ids.fix as string)).toEqual([]);
  });
});

describe('an output longer than the limit', () => {
  it('is cut at the limit, flagged, and not parsed as JSON', async () => {
    // A JSON document whose end is cut off is not data: no `json` at all, rather than a wrong one.
    const long = JSON.stringify(Array.from({ length: 7_000 }, (_, i) => `item-${i}`));
    expect(long.length).toBeGreaterThan(64 * 1024);
    const ids = await agents({ only: [{ durationMs: 50, output: long }] });
    const { handle } = await world.start('outputs-single', { agents: ids });
    const step = stepsById(await handle.result()).only;
    expect(step).toMatchObject({ status: 'succeeded', outputTruncated: true });
    expect(step?.output).toBe(long.slice(0, MAX_OUTPUT_CHARS));
    expect(step?.json).toBeUndefined();
  });
});

describe('outputFrom', () => {
  it('reads the answer from the named event kind only', async () => {
    const ids = await agents({
      tagged: [
        { durationMs: 50, output: 'from an output event', outputEvent: 'output', outputField: 'content' },
      ],
      chatty: [{ durationMs: 50, output: 'from an assistant message', outputEvent: 'assistant_message' }],
    });
    const { handle } = await world.start('outputs-from-kind', { agents: ids });
    const steps = stepsById(await handle.result());
    expect(steps.tagged?.output).toBe('from an output event');
    expect(steps.chatty?.status).toBe('succeeded');
    expect(steps.chatty?.output).toBeUndefined();
  });
});

describe('a failed run', () => {
  it("puts the run's reason in the step's error and in every attempt's record", async () => {
    const ids = await agents({
      deploy: [{ durationMs: 50, result: 'failed', reason: 'disk full on node-3' }],
    });
    const { handle } = await world.start('outputs-retried-failure', { agents: ids });
    const step = stepsById(failedState(await failureOf(handle.result()))).deploy;
    const runIds = (await world.stack.runsOf(ids.deploy as string)).map((r) => r.run_id);
    expect(runIds).toHaveLength(2);
    expect(step).toMatchObject({ status: 'failed', attempts: 2, reason: 'disk full on node-3' });
    expect(step?.error).toContain('disk full on node-3');
    expect(step?.runs).toEqual([
      { runId: runIds[0], status: 'failed', reason: 'disk full on node-3', resolution: 'answered' },
      { runId: runIds[1], status: 'failed', reason: 'disk full on node-3', resolution: 'answered' },
    ]);
  });
});

describe('a failed run, continued past', () => {
  it("gives a later step the failed run's reason through {{steps.x.reason}}", async () => {
    const ids = await agents({
      deploy: [{ durationMs: 50, result: 'failed', reason: 'quota exceeded' }],
      page: [{ durationMs: 50 }],
    });
    const { handle } = await world.start('outputs-reports-failure', { agents: ids });
    const steps = stepsById(await handle.result());
    expect(steps.deploy?.status).toBe('failed');
    expect(await messagesOf(ids.page)).toEqual([`Deploy ${steps.deploy?.runId} failed: quota exceeded`]);
  });
});

describe('a completed run whose outcome twinflow could not learn', () => {
  // No webhook for these agents: the tracker sees the end by polling, waits a bounded time for the
  // run.completed webhook that never comes, and records the outcome as unknown.
  it('succeeds under the default failOn, which names no outcome, and says the outcome is unknown', async () => {
    const ids = await agents(
      { only: [{ durationMs: 50, outcome: 'success', output: 'done' }] },
      { webhook: false },
    );
    const { handle } = await world.start('outputs-single', { agents: ids });
    expect(stepsById(await handle.result()).only).toMatchObject({
      status: 'succeeded',
      outcome: 'unknown',
      output: 'done',
    });
  });

  it('fails a step whose failOn names an outcome, and is not retried, since the run may have acted', async () => {
    const ids = await agents({ check: [{ durationMs: 50, outcome: 'success' }] }, { webhook: false });
    const { handle } = await world.start('outputs-strict-outcome', { agents: ids });
    const step = stepsById(failedState(await failureOf(handle.result()))).check;
    expect(step).toMatchObject({ status: 'failed', outcome: 'unknown', attempts: 1 });
    expect(step?.error).toMatch(/outcome unknown/);
    expect(await world.stack.runsOf(ids.check as string)).toHaveLength(1);
  });
});

describe('against a Twin that serves run summaries', () => {
  let rich: PipelineWorld;
  beforeAll(async () => {
    rich = await startPipelineWorld([readsSummary], { profile: 'rich' });
  });
  afterAll(() => rich.close());

  it("hands an earlier step's summary on to the next", async () => {
    const [lint, fix] = await Promise.all([
      rich.stack.newAgent([{ durationMs: 50, summary: '2 warnings in api/', output: 'long lint log' }]),
      rich.stack.newAgent([{ durationMs: 50 }]),
    ]);
    const { handle } = await rich.start('outputs-reads-summary', { agents: { lint, fix } });
    const steps = stepsById(await handle.result());
    expect(steps.lint).toMatchObject({ summary: '2 warnings in api/', output: 'long lint log' });
    const [fixRun] = await rich.stack.runsOf(fix);
    expect(withoutMarker(fixRun?.user_message)).toBe('Fix it. Lint said: 2 warnings in api/');
  });
});
