// Session steps against the managed-agent emulator over real SSE: results addressable in templates, a stream cut
// and re-sent without an event lost or counted twice, turns in an earlier step's session, lost answers settled by
// looking instead of sending again, and timeouts and pipeline cancels that cancel the session remotely.
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelPipeline } from '../../services/control/pipelines.js';
import { compareEventIds, type SessionEvent } from '../../providers/managed-agents/index.js';
import type {
  ManagedAgentsEmulator,
  TurnScriptInput,
} from '../../providers/managed-agents/emulator/server.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { eventually } from '../support/twinflow-stack.js';
import {
  failureOf,
  startPipelineWorld,
  stepsById,
  withoutMarker,
  type PipelineWorld,
} from './pipeline-fixture.js';

const research = definePipeline({
  name: 'sessions-research',
  steps: [
    { id: 'research', kind: 'session', agent: '{{input.sessionAgent}}', message: 'Research {{input.topic}}' },
    {
      id: 'report',
      kind: 'agent',
      agent: '{{input.writer}}',
      after: ['research'],
      message:
        'Report on {{steps.research.output}} ({{steps.research.sessionId}}, {{steps.research.eventCount}} events)',
    },
  ],
});

const conversation = definePipeline({
  name: 'sessions-conversation',
  steps: [
    { id: 'draft', kind: 'session', agent: '{{input.sessionAgent}}', message: 'Draft it' },
    {
      id: 'revise',
      kind: 'session',
      continues: 'draft',
      after: ['draft'],
      message: 'Now {{steps.draft.output}}, shorter',
    },
  ],
});

const single = definePipeline({
  name: 'sessions-single',
  steps: [
    { id: 'work', kind: 'session', agent: '{{input.sessionAgent}}', message: 'Work on {{input.topic}}' },
  ],
});

const bounded = definePipeline({
  name: 'sessions-bounded',
  steps: [
    { id: 'work', kind: 'session', agent: '{{input.sessionAgent}}', message: 'Never ends', timeout: '2s' },
  ],
});

let world: PipelineWorld;
let platform: ManagedAgentsEmulator;

beforeAll(async () => {
  world = await startPipelineWorld([research, conversation, single, bounded], { managedAgents: true });
  platform = world.stack.managedAgents as ManagedAgentsEmulator;
});
afterAll(() => world?.close());

function sessionAgent(turns: TurnScriptInput[]): string {
  return platform.createAgent({ name: 'session agent' }, turns).id;
}

function eventsAfter(events: SessionEvent[], after: string | undefined): SessionEvent[] {
  return after === undefined ? events : events.filter((e) => compareEventIds(e.id, after) > 0);
}

describe('a session step', () => {
  it('follows the session to its end and hands status, output, JSON, event count and ID to later steps', async () => {
    const agent = sessionAgent([
      { events: [{ type: 'tool_call', data: { name: 'search' } }], output: '{"findings":3}' },
    ]);
    const writer = await world.stack.newAgent([{ output: 'report' }]);
    const { handle } = await world.start('sessions-research', { sessionAgent: agent, writer, topic: 'SSE' });
    const steps = stepsById(await handle.result());
    const [truth] = platform.sessionsOf(agent);
    expect(steps.research).toMatchObject({
      status: 'succeeded',
      sessionId: truth?.meta.id,
      sessionStatus: 'completed',
      output: '{"findings":3}',
      json: { findings: 3 },
      eventCount: truth?.events.length,
      lastEventId: truth?.events.at(-1)?.id,
    });
    expect(truth?.events.find((e) => e.data['role'] === 'user')?.data['content']).toBe('Research SSE');
    const [run] = await world.stack.runsOf(writer);
    expect(withoutMarker(run?.user_message)).toBe(
      `Report on {"findings":3} (${truth?.meta.id}, ${truth?.events.length} events)`,
    );
  });

  it('loses no event and counts none twice when the stream is cut, re-sent and doubled', async () => {
    const agent = sessionAgent([
      { events: Array.from({ length: 12 }, (_, i) => ({ type: 'progress', data: { i } })) },
    ]);
    platform.setStreamFaults(agent, { cutAfterEvents: 4, cuts: 3, resendOnReconnect: 3, duplicateEvery: 2 });
    const { handle } = await world.start('sessions-single', { sessionAgent: agent, topic: 'cuts' });
    const steps = stepsById(await handle.result());
    const [truth] = platform.sessionsOf(agent);
    expect(truth?.connections.filter((c) => c.cut)).toHaveLength(3);
    expect(steps.work).toMatchObject({ status: 'succeeded', eventCount: truth?.events.length });
  });

  it('fails with the reason the session gives when the agent fails', async () => {
    const agent = sessionAgent([{ end: 'failed', reason: 'tool quota exhausted' }]);
    const { handle } = await world.start('sessions-single', { sessionAgent: agent, topic: 'x' });
    await failureOf(handle.result());
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.work).toMatchObject({ status: 'failed', sessionStatus: 'failed' });
    expect(steps.work?.error).toContain('tool quota exhausted');
  });

  it('adopts the session a create made when its answer was lost, and creates no second one', async () => {
    const agent = sessionAgent([{ output: 'adopted' }]);
    platform.injectApiFault({ method: 'POST', path: '^/v1/sessions$', status: 500, afterPerforming: true });
    const { handle } = await world.start('sessions-single', { sessionAgent: agent, topic: 'lost answer' });
    const steps = stepsById(await handle.result());
    const sessions = platform.sessionsOf(agent);
    expect(sessions).toHaveLength(1);
    expect(steps.work).toMatchObject({
      status: 'succeeded',
      sessionId: sessions[0]?.meta.id,
      output: 'adopted',
    });
  });
});

describe('a turn step', () => {
  it('sends one more user turn into the earlier step’s session and follows only its events', async () => {
    const agent = sessionAgent([
      { end: 'idle', output: 'draft one' },
      { end: 'completed', output: 'final' },
    ]);
    const { handle } = await world.start('sessions-conversation', { sessionAgent: agent });
    const steps = stepsById(await handle.result());
    const [truth] = platform.sessionsOf(agent);
    const userTurns = truth?.events.filter((e) => e.data['role'] === 'user').map((e) => e.data['content']);
    expect(platform.sessionsOf(agent)).toHaveLength(1);
    expect(userTurns).toEqual(['Draft it', 'Now draft one, shorter']);
    expect(steps.draft).toMatchObject({ sessionStatus: 'idle', output: 'draft one' });
    expect(steps.revise).toMatchObject({
      status: 'succeeded',
      sessionId: truth?.meta.id,
      sessionStatus: 'completed',
      output: 'final',
      eventCount: eventsAfter(truth?.events ?? [], steps.draft?.lastEventId).length,
    });
  });

  it('finds its turn in the log when the answer was lost, and sends it once', async () => {
    const agent = sessionAgent([{ end: 'idle', output: 'a' }, { output: 'b' }]);
    platform.injectApiFault({ method: 'POST', path: '/turns$', status: 503, afterPerforming: true });
    const { handle } = await world.start('sessions-conversation', { sessionAgent: agent });
    const steps = stepsById(await handle.result());
    const [truth] = platform.sessionsOf(agent);
    expect(truth?.events.filter((e) => e.data['role'] === 'user')).toHaveLength(2);
    expect(steps.revise).toMatchObject({ status: 'succeeded', output: 'b' });
  });
});

describe('the status of a running session step', () => {
  it('shows the latest events and the event count from the follow activity’s heartbeat', async () => {
    const events = Array.from({ length: 8 }, (_, i) => ({
      type: 'progress',
      data: { content: `step ${i}` },
    }));
    const agent = sessionAgent([{ events, end: 'running', intervalMs: 20 }]);
    const { key, handle } = await world.start('sessions-single', { sessionAgent: agent, topic: 'live' });
    const live = await eventually('the last event in the status', async () => {
      const step = (await world.status('sessions-single', key)).state?.steps.find((s) => s.id === 'work');
      return step?.latestEvents?.at(-1)?.text === 'assistant: done' ? step : undefined;
    });
    const [truth] = platform.sessionsOf(agent);
    expect(live).toMatchObject({
      status: 'running',
      sessionId: truth?.meta.id,
      eventCount: truth?.events.length,
    });
    expect(live.latestEvents?.map((e) => e.text)).toEqual([
      'step 4',
      'step 5',
      'step 6',
      'step 7',
      'assistant: done',
    ]);
    await cancelPipeline(world.control, { name: 'sessions-single', key });
    await failureOf(handle.result());
  });
});

describe('stopping a session step', () => {
  it('cancels the session and confirms it when the step times out', async () => {
    const agent = sessionAgent([{ end: 'running' }]);
    const { handle } = await world.start('sessions-bounded', { sessionAgent: agent });
    await failureOf(handle.result());
    const steps = stepsById(await handle.query(pipelineStateQuery));
    const [truth] = platform.sessionsOf(agent);
    expect(truth?.meta.status).toBe('cancelled');
    expect(steps.work).toMatchObject({ status: 'failed', sessionStatus: 'cancelled' });
    expect(steps.work?.error).toMatch(/no settled turn within 2s; session \S+ cancelled \(now cancelled\)/);
  });

  it('cancels the session when the pipeline is cancelled', async () => {
    const agent = sessionAgent([{ end: 'running' }]);
    const { key, handle } = await world.start('sessions-single', { sessionAgent: agent, topic: 'cancel' });
    await eventually('the session to run', async () =>
      platform.sessionsOf(agent)[0]?.meta.status === 'running' ? true : undefined,
    );
    await cancelPipeline(world.control, { name: 'sessions-single', key });
    const failure = await failureOf(handle.result());
    expect(failure.cause).toBeInstanceOf(CancelledFailure);
    expect(platform.sessionsOf(agent)[0]?.meta.status).toBe('cancelled');
    const steps = stepsById(await handle.query(pipelineStateQuery));
    expect(steps.work?.status).toBe('cancelled');
  });
});
