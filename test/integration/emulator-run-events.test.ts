// Run events on the documented profile: the agent's output is in its final message event, in the kind and shape
// the script chose; `finished` carries nothing (the outcome travels by webhook only); a failed run says why in
// `error {message}`, a stopped one in `stopped {reason}`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import { startFixture, waitFor, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

interface EventItem {
  index: number;
  event: Record<string, Record<string, unknown>>;
}

/** Starts one run of a new agent with this behaviour and answers its events once it has finished. */
async function eventsOf(behaviour: RunBehaviourInput, query = '') {
  const { agent_id: agentId } = await fx.control.createAgent({ script: [behaviour] });
  const { run } = (await fx.startRun(agentId)).body;
  await waitFor(async () => (await fx.control.runs(agentId))[0]?.is_finished);
  const res = await fx.api('GET', `/v1/agents/${agentId}/runs/${run.run_id}/events${query}`);
  return { agentId, runId: run.run_id as string, events: res.body.events as EventItem[] };
}

const kinds = (events: EventItem[]) => events.map((e) => Object.keys(e.event)[0]);

describe('Twin emulator: events of a completed run', () => {
  it('are started, tool_call, the output message and an empty finished', async () => {
    const { events } = await eventsOf({ durationMs: 10, output: 'All 3 changes listed.' });
    expect(events.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(events[0]).toEqual({ index: 1, event: { started: {} } });
    expect(events[1]?.event.tool_call).toMatchObject({ name: expect.any(String) });
    expect(events[2]).toEqual({
      index: 3,
      event: { assistant_message: { role: 'assistant', text: 'All 3 changes listed.' } },
    });
    expect(events[3]).toEqual({ index: 4, event: { finished: {} } });
  });

  it('default to a short output naming the run when the script gives none', async () => {
    const { runId, events } = await eventsOf({ durationMs: 10 });
    const text = events[2]?.event.assistant_message?.text;
    expect(text).toEqual(expect.stringContaining(runId));
  });

  it.each([
    ['message', 'text', { text: 'hi' }],
    ['output', 'content', { content: 'hi' }],
    ['assistant_message', 'parts', { content: [{ type: 'text', text: 'hi' }] }],
  ] as const)('carry the output as a %s event with %s', async (outputEvent, outputField, body) => {
    const { events } = await eventsOf({ durationMs: 10, output: 'hi', outputEvent, outputField });
    expect(events.at(-2)?.event).toEqual({ [outputEvent]: { role: 'assistant', ...body } });
  });

  it('carry a large output whole', async () => {
    const output = JSON.stringify({ items: Array.from({ length: 4000 }, (_, i) => `item-${i}`) });
    expect(output.length).toBeGreaterThan(40_000);
    const { events } = await eventsOf({ durationMs: 10, output });
    expect(events.at(-2)?.event.assistant_message?.text).toBe(output);
  });

  it('include paused and resumed when the script pauses', async () => {
    const { events } = await eventsOf({ durationMs: 20, pauseAfterMs: 5, pauseForMs: 20 });
    expect(kinds(events)).toEqual([
      'started',
      'tool_call',
      'paused',
      'resumed',
      'assistant_message',
      'finished',
    ]);
  });
});

describe('Twin emulator: events of a run that did not complete', () => {
  it('end with error {message} carrying the scripted reason', async () => {
    const { events } = await eventsOf({ durationMs: 10, result: 'failed', reason: 'quota exhausted' });
    expect(kinds(events)).toEqual(['started', 'tool_call', 'error']);
    expect(events.at(-1)?.event).toEqual({ error: { message: 'quota exhausted' } });
  });

  it('end with a default reason naming the run when the script gives none', async () => {
    const { runId, events } = await eventsOf({ durationMs: 10, result: 'failed' });
    expect(events.at(-1)?.event.error?.message).toEqual(expect.stringContaining(runId));
  });

  it('end with stopped {reason} when cancelled', async () => {
    const { agent_id: agentId } = await fx.control.createAgent({ script: [{ result: 'never' }] });
    const { run } = (await fx.startRun(agentId)).body;
    await fx.api('POST', `/v1/agents/${agentId}/runs/${run.run_id}/cancel`, { reason: 'not needed' });
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs/${run.run_id}/events`);
    expect(res.body.events.at(-1).event).toEqual({ stopped: { reason: 'not needed' } });
  });
});

describe('Twin emulator: event pages', () => {
  it('page by limit and after_index', async () => {
    const { events } = await eventsOf({ durationMs: 10 }, '?limit=2&after_index=1');
    expect(events.map((e) => e.index)).toEqual([2, 3]);
  });

  it('answer 400 for a negative after_index', async () => {
    const { agentId, runId } = await eventsOf({ durationMs: 10 });
    const res = await fx.api('GET', `/v1/agents/${agentId}/runs/${runId}/events?after_index=-1`);
    expect(res.status).toBe(400);
  });
});
