// The emulator's stream as raw SSE over plain fetch (deliberately not the follower): what the follower's
// guarantees rest on must be true on the wire.
import { describe, expect, it } from 'vitest';
import { idsOf, startSession, useManagedAgents } from './fixture.js';

const suite = useManagedAgents();

async function rawStream(sessionId: string, after?: string) {
  const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
  const response = await fetch(`${suite.emulator.url}/v1/sessions/${sessionId}/stream${query}`, {
    headers: { authorization: `Bearer ${suite.emulator.apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { response, text: await response.text() };
}

const sseIds = (text: string) => [...text.matchAll(/^id: (.+)$/gm)].map((match) => match[1]);

describe('managed-agents emulator stream', () => {
  it('sends every logged event with its log ID in the id: field and ends after the terminal status', async () => {
    const { session } = await startSession(suite, [{ events: [{ type: 'tool_use', data: {} }] }]);
    const { response, text } = await rawStream(session.id);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const log = suite.emulator.session(session.id).events;
    expect(log.at(-1)?.data).toEqual({ status: 'completed' });
    expect(sseIds(text)).toEqual(idsOf(log));
  });

  it('sends only the events after ?after= (exclusive)', async () => {
    const { session } = await startSession(suite, [{ events: [{ type: 'tool_use', data: {} }] }]);
    await rawStream(session.id);
    const log = idsOf(suite.emulator.session(session.id).events);
    const { text } = await rawStream(session.id, log[1]);
    expect(sseIds(text)).toEqual(log.slice(2));
  });

  it('refuses an ?after= that is not an event of the session with 400 invalid_after', async () => {
    const { session } = await startSession(suite, [{}]);
    const { response, text } = await rawStream(session.id, 'evt_999999');
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_after' } });
  });

  it('refuses a stream request without the Bearer key with 401', async () => {
    const { session } = await startSession(suite, [{}]);
    const response = await fetch(`${suite.emulator.url}/v1/sessions/${session.id}/stream`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});
