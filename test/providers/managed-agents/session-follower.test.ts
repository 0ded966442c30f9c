// The session follower's promise: every event of a session handed on exactly once, in order, across whatever
// the stream does, ending on the session's own terminal status. Ground truth is the emulator's full log.
import { describe, expect, it } from 'vitest';
import {
  compareEventIds,
  ManagedAgentsApiError,
  SessionFollower,
} from '../../../providers/managed-agents/index.js';
import { collect, fastFollow, idsOf, startSession, useManagedAgents } from './fixture.js';

const suite = useManagedAgents();

const TOOLS = Array.from({ length: 6 }, (_, i) => ({ type: 'tool_use', data: { step: i } }));
const logOf = (sessionId: string) => idsOf(suite.emulator.session(sessionId).events);
const connectionsOf = (sessionId: string) => suite.emulator.session(sessionId).connections;

describe('managed-agents session follower', () => {
  it('hands on every event of a session once, in order, with its ID, ending on the terminal status', async () => {
    const { session } = await startSession(suite, [{ events: TOOLS, output: 'final' }]);
    const follower = suite.client.followSession(session.id, fastFollow());
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    expect(events.at(-1)).toMatchObject({ type: 'session.status', data: { status: 'completed' } });
    expect(follower.status).toBe('completed');
    expect(follower.lastEventId).toBe(events.at(-1)?.id);
  });

  it('gets every event exactly once across a stream cut', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS }]);
    suite.emulator.setStreamFaults(agent.id, { cutAfterEvents: 3, cuts: 2 });
    const follower = suite.client.followSession(session.id, fastFollow());
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    const connections = connectionsOf(session.id);
    expect(connections.filter((c) => c.cut)).toHaveLength(2);
    expect(connections[1]?.after).toBe(connections[0]?.written.at(-1));
  });

  it('gets every event exactly once across 5xx answers on reconnect', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS }]);
    suite.emulator.setStreamFaults(agent.id, {
      cutAfterEvents: 2,
      reconnectFailures: 3,
      reconnectStatus: 502,
    });
    const follower = suite.client.followSession(session.id, fastFollow({ reconnect: { maxAttempts: 5 } }));
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    expect(connectionsOf(session.id).filter((c) => c.status === 502)).toHaveLength(3);
    expect(follower.stats.reconciliations).toBe(0);
  });

  it('drops duplicates the server re-sends on reconnect and within a connection', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS }]);
    suite.emulator.setStreamFaults(agent.id, {
      cutAfterEvents: 4,
      cuts: 2,
      resendOnReconnect: 3,
      duplicateEvery: 2,
    });
    const follower = suite.client.followSession(session.id, fastFollow());
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    expect(connectionsOf(session.id).filter((c) => c.cut)).toHaveLength(2);
    expect(follower.stats.duplicatesDropped).toBeGreaterThan(0);
  });

  it('resumed from a given last ID, as a new worker would be, hands on only the later events', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS }]);
    await collect(suite.client.followSession(session.id, fastFollow()));
    const log = logOf(session.id);
    const recorded = log[4];
    suite.emulator.setStreamFaults(agent.id, { cutAfterEvents: 1, resendOnReconnect: 4 });
    const events = await collect(suite.client.followSession(session.id, fastFollow({ after: recorded })));
    expect(idsOf(events)).toEqual(log.slice(5));
  });

  it('never hands on an event at or before the starting ID even when the server replays from the start', async () => {
    const { session } = await startSession(suite, [{ events: TOOLS }]);
    await collect(suite.client.followSession(session.id, fastFollow()));
    const log = logOf(session.id);
    // A server ignoring `after`: the first stream is answered as if no ID was given.
    const replaying = {
      openStream: (id: string, _after: string | undefined, signal: AbortSignal) =>
        suite.client.openStream(id, undefined, signal),
      getSession: suite.client.getSession.bind(suite.client),
      getSessionEvents: suite.client.getSessionEvents.bind(suite.client),
    };
    const follower = new SessionFollower(replaying, session.id, fastFollow({ after: log[3] }));
    expect(idsOf(await collect(follower))).toEqual(log.slice(4));
    expect(follower.stats.staleDropped).toBe(4);
  });

  it('reconnects when events are slower than the idle timeout, still exactly once', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS.slice(0, 2) }]);
    suite.emulator.setStreamFaults(agent.id, { slowEventMs: 120 });
    const follower = suite.client.followSession(session.id, fastFollow({ idleTimeoutMs: 80 }));
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    expect(follower.stats.reconnects).toBeGreaterThan(0);
  });

  it('reconciles from the full event log when the stream cannot be resumed', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS }]);
    suite.emulator.setStreamFaults(agent.id, { cutAfterEvents: 2, reconnectFailures: 1000 });
    const follower = suite.client.followSession(session.id, fastFollow({ reconnect: { maxAttempts: 2 } }));
    const events = await collect(follower);
    expect(idsOf(events)).toEqual(logOf(session.id));
    expect(follower.stats.reconciliations).toBeGreaterThan(0);
    expect(follower.status).toBe('completed');
  });

  it('gives up with STREAM_EXHAUSTED when neither resuming nor reconciling is allowed to go on', async () => {
    const { agent, session } = await startSession(suite, [{ events: TOOLS, end: 'running' }]);
    suite.emulator.setStreamFaults(agent.id, { cutAfterEvents: 1, reconnectFailures: 1000 });
    const follower = suite.client.followSession(
      session.id,
      fastFollow({ reconnect: { maxAttempts: 2 }, maxReconciliations: 1 }),
    );
    await expect(collect(follower)).rejects.toMatchObject({ code: 'STREAM_EXHAUSTED' });
    await suite.client.cancelSession(session.id);
  });

  it('ends with the cancelled status when the session is cancelled mid-stream', async () => {
    const { session } = await startSession(suite, [{ events: TOOLS.slice(0, 1), end: 'running' }]);
    const follower = suite.client.followSession(session.id, fastFollow());
    const events = [];
    for await (const event of follower) {
      events.push(event);
      if (event.type === 'tool_use') await suite.client.cancelSession(session.id);
    }
    expect(events.at(-1)).toMatchObject({ type: 'session.status', data: { status: 'cancelled' } });
    expect(follower.status).toBe('cancelled');
    expect(idsOf(events)).toEqual(logOf(session.id));
  });

  it('after a follow-up turn, hands on the new turn’s events, all after the previous ones', async () => {
    const { session } = await startSession(suite, [
      { output: 'first answer', end: 'idle' },
      { output: 'second answer', end: 'completed' },
    ]);
    const first = suite.client.followSession(session.id, fastFollow({ until: 'settled' }));
    const turnOne = await collect(first);
    expect(first.status).toBe('idle');
    await suite.client.sendTurn(session.id, { input: [{ role: 'user', content: 'and then?' }] });
    const second = suite.client.followSession(session.id, fastFollow({ after: first.lastEventId }));
    const turnTwo = await collect(second);
    expect(compareEventIds(turnTwo[0]?.id ?? '', turnOne.at(-1)?.id ?? '')).toBeGreaterThan(0);
    expect(turnTwo.map((e) => e.data['content']).filter(Boolean)).toEqual(['and then?', 'second answer']);
    expect([...idsOf(turnOne), ...idsOf(turnTwo)]).toEqual(logOf(session.id));
    expect(second.status).toBe('completed');
  });

  it('stops with the signal’s reason when aborted', async () => {
    const { session } = await startSession(suite, [{ end: 'running' }]);
    const controller = new AbortController();
    const follower = suite.client.followSession(session.id, fastFollow({ signal: controller.signal }));
    const reason = new Error('step cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(collect(follower)).rejects.toBe(reason);
    await suite.client.cancelSession(session.id);
  });

  it('fails at once for a session that does not exist', async () => {
    const follower = suite.client.followSession('sess_unknown', fastFollow());
    const failure = collect(follower);
    await expect(failure).rejects.toBeInstanceOf(ManagedAgentsApiError);
    await expect(failure).rejects.toMatchObject({ status: 404 });
    expect(follower.stats.reconnects).toBe(0);
  });

  it('fails loudly with EVENT_ORDER when event IDs contradict the assumed order', async () => {
    const { session } = await startSession(suite, [{ events: TOOLS }]);
    const reversed = (a: string, b: string) => compareEventIds(b, a);
    const follower = suite.client.followSession(session.id, fastFollow({ compareEventIds: reversed }));
    await expect(collect(follower)).rejects.toMatchObject({ code: 'EVENT_ORDER' });
  });
});
