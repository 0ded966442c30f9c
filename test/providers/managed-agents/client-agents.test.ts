// The client's agent and version endpoints against the emulator over real HTTP.
import { describe, expect, it } from 'vitest';
import { ManagedAgentsApiError } from '../../../providers/managed-agents/index.js';
import { userInput, useManagedAgents } from './fixture.js';

const suite = useManagedAgents();

describe('managed-agents client: agents and versions', () => {
  it('creates an agent at version 1 and reads it back', async () => {
    const created = await suite.client.createAgent({ name: 'researcher', model: 'model-a' });
    expect(created).toMatchObject({ name: 'researcher', model: 'model-a', version: 1, archived: false });
    expect(await suite.client.getAgent(created.id)).toMatchObject({ id: created.id, version: 1 });
  });

  it('bumps the version on update and keeps the earlier version readable', async () => {
    const agent = await suite.client.createAgent({ name: 'writer', instructions: 'be brief' });
    const updated = await suite.client.updateAgent(agent.id, { instructions: 'be thorough' });
    expect(updated).toMatchObject({ version: 2, name: 'writer', instructions: 'be thorough' });
    expect(await suite.client.getAgentVersion(agent.id, 1)).toMatchObject({
      version: 1,
      instructions: 'be brief',
    });
    const versions = await suite.client.listAgentVersions(agent.id);
    expect(versions.data.map((v) => v.version)).toEqual([1, 2]);
  });

  it('lists agents page by page with the cursor', async () => {
    const ids = [];
    for (const name of ['p1', 'p2', 'p3']) ids.push((await suite.client.createAgent({ name })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const answer = await suite.client.listAgents({ limit: 1, cursor });
      seen.push(...answer.data.map((agent) => agent.id));
      if (answer.next_cursor === null) break;
      cursor = answer.next_cursor;
    }
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('lists an archived agent only among archived ones', async () => {
    const agent = await suite.client.createAgent({ name: 'retired' });
    expect(await suite.client.archiveAgent(agent.id)).toMatchObject({ archived: true });
    const live = await suite.client.listAgents({ limit: 100 });
    const archived = await suite.client.listAgents({ archived: true, limit: 100 });
    expect(live.data.map((a) => a.id)).not.toContain(agent.id);
    expect(archived.data.map((a) => a.id)).toContain(agent.id);
  });

  it('keeps an archived agent’s session on its pinned version and refuses new sessions', async () => {
    const agent = await suite.client.createAgent({ name: 'pinned' });
    await suite.client.updateAgent(agent.id, { instructions: 'v2' });
    const session = await suite.client.createSession({
      agent_id: agent.id,
      input: userInput('hi'),
      agent_version: 1,
    });
    await suite.client.archiveAgent(agent.id);
    expect(await suite.client.getSession(session.id)).toMatchObject({ agent_version: 1 });
    const refused = suite.client.createSession({ agent_id: agent.id, input: userInput('again') });
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'agent_archived' });
    await expect(refused).rejects.toBeInstanceOf(ManagedAgentsApiError);
  });

  it('refuses a non-positive version number before sending anything', () => {
    expect(() => suite.client.getAgentVersion('agent_x', 0)).toThrow(/version must be a positive integer/);
  });
});
