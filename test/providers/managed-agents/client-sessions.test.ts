// The client's session endpoints against the emulator over real HTTP.
import { describe, expect, it } from 'vitest';
import { startSession, userInput, useManagedAgents } from './fixture.js';

const suite = useManagedAgents();

async function waitForStatus(sessionId: string, status: string) {
  for (let tries = 0; tries < 200; tries++) {
    const meta = await suite.client.getSession(sessionId);
    if (meta.status === status) return meta;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`session ${sessionId} never reached ${status}`);
}

describe('managed-agents client: sessions', () => {
  it('creates and starts a session pinned to the agent’s current version', async () => {
    const agent = suite.emulator.createAgent({ name: 'a' });
    await suite.client.updateAgent(agent.id, { instructions: 'v2' });
    const session = await suite.client.createSession({ agent_id: agent.id, input: userInput('hi') });
    expect(session).toMatchObject({ agent_id: agent.id, agent_version: 2, status: 'running' });
  });

  it('pins a session to the version the request names', async () => {
    const agent = suite.emulator.createAgent({ name: 'a' });
    await suite.client.updateAgent(agent.id, { instructions: 'v2' });
    const session = await suite.client.createSession({
      agent_id: agent.id,
      input: userInput('hi'),
      agent_version: 1,
    });
    expect(session.agent_version).toBe(1);
  });

  it('lists sessions filtered by agent and status', async () => {
    const { agent, session: first } = await startSession(suite, [{ end: 'running' }]);
    const second = await suite.client.createSession({ agent_id: agent.id, input: userInput('two') });
    await suite.client.cancelSession(second.id);
    const all = await suite.client.listSessions({ agent_id: agent.id });
    const cancelled = await suite.client.listSessions({ agent_id: agent.id, status: 'cancelled' });
    expect(all.data.map((s) => s.id).sort()).toEqual([first.id, second.id].sort());
    expect(cancelled.data.map((s) => s.id)).toEqual([second.id]);
  });

  it('returns the full event log in order, from the user’s input to the terminal status', async () => {
    const { session } = await startSession(suite, [{ output: 'the answer' }], 'the question');
    await waitForStatus(session.id, 'completed');
    const log = await suite.client.getSessionEvents(session.id);
    expect(log.map((e) => [e.type, e.data])).toEqual([
      ['session.status', { status: 'running' }],
      ['message', { role: 'user', content: 'the question' }],
      ['message', { role: 'assistant', content: 'the answer' }],
      ['session.status', { status: 'completed' }],
    ]);
  });

  it('sends a follow-up turn into an idle session', async () => {
    const { session } = await startSession(suite, [{ end: 'idle' }, { end: 'completed' }]);
    await waitForStatus(session.id, 'idle');
    expect(await suite.client.sendTurn(session.id, { input: userInput('more') })).toMatchObject({
      status: 'running',
    });
  });

  it('refuses a turn into a completed session with 409', async () => {
    const { session } = await startSession(suite, [{}]);
    await waitForStatus(session.id, 'completed');
    await expect(suite.client.sendTurn(session.id, { input: userInput('late') })).rejects.toMatchObject({
      status: 409,
      code: 'session_not_idle',
    });
  });

  it('cancels a running session', async () => {
    const { session } = await startSession(suite, [{ end: 'running' }]);
    expect(await suite.client.cancelSession(session.id)).toMatchObject({ status: 'cancelled' });
    expect((await suite.client.getSession(session.id)).status).toBe('cancelled');
  });

  it('soft-deletes a session: gone from get and list, kept by the platform', async () => {
    const { agent, session } = await startSession(suite, [{}]);
    await suite.client.deleteSession(session.id);
    await expect(suite.client.getSession(session.id)).rejects.toMatchObject({ status: 404 });
    expect((await suite.client.listSessions({ agent_id: agent.id })).data).toEqual([]);
    expect(suite.emulator.session(session.id).deleted).toBe(true);
  });

  it('refuses an empty input before sending anything', async () => {
    const agent = suite.emulator.createAgent({ name: 'a' });
    await expect(suite.client.createSession({ agent_id: agent.id, input: [] })).rejects.toThrow(
      /input: input needs at least one message/,
    );
    expect(suite.emulator.sessionsOf(agent.id)).toEqual([]);
  });
});
