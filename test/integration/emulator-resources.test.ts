import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, UUID_V7, type EmulatorFixture } from './emulator-fixture.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

describe('Twin emulator: agents', () => {
  it('creates an agent (201) that is not deployed, in the default workspace', async () => {
    const res = await fx.api('POST', '/v1/agents', {});
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({
      agent_id: expect.stringMatching(UUID_V7),
      latest_run_id: '',
      latest_run_is_finished: false,
      has_runs: false,
      workspace_id: expect.any(String),
      deployment_state: 'not_deployed',
    });
  });

  it('honours an explicit agent_id and refuses a duplicate with 409', async () => {
    expect((await fx.api('POST', '/v1/agents', { agent_id: 'agent_explicit' })).status).toBe(201);
    expect((await fx.api('POST', '/v1/agents', { agent_id: 'agent_explicit' })).status).toBe(409);
  });

  it('gets an agent by ID', async () => {
    const res = await fx.api('GET', '/v1/agents/agent_explicit');
    expect(res).toMatchObject({ status: 200, body: { agent: { agent_id: 'agent_explicit' } } });
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await fx.api('GET', '/v1/agents/agent_nope');
    expect(res).toMatchObject({
      status: 404,
      body: { title: 'Not Found', status: 404 },
    });
  });

  it('answers 400 for a malformed create body, 422 for one of the wrong JSON type', async () => {
    const malformed = await fx.api('POST', '/v1/agents', { agent_id: 'no spaces allowed' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/agent_id/);
    const wrongType = await fx.api('POST', '/v1/agents', { is_subagent: 'yes' });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.detail).toMatch(/is_subagent: invalid type: string "yes", expected a boolean/);
  });

  it('pages through agents with limit and cursor', async () => {
    for (let i = 0; i < 3; i++) await fx.api('POST', '/v1/agents', {});
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await fx.api('GET', `/v1/agents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.agents.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.agents.map((a: { agent_id: string }) => a.agent_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    const all = await fx.api('GET', '/v1/agents?limit=1000');
    expect(seen).toEqual(all.body.agents.map((a: { agent_id: string }) => a.agent_id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('deletes an agent with 204, after which it is gone', async () => {
    const { body } = await fx.api('POST', '/v1/agents', {});
    const del = await fx.api('DELETE', `/v1/agents/${body.agent.agent_id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await fx.api('GET', `/v1/agents/${body.agent.agent_id}`)).status).toBe(404);
    expect((await fx.api('DELETE', `/v1/agents/${body.agent.agent_id}`)).status).toBe(404);
  });
});

describe('Twin emulator: workspaces', () => {
  it('has a default workspace', async () => {
    const res = await fx.api('GET', '/v1/workspaces');
    expect(res.body.workspaces).toEqual([{ workspace_id: expect.any(String), name: 'My Workspace' }]);
  });

  it('creates (201), renames, reorders and filters agents by workspace', async () => {
    const created = await fx.api('POST', '/v1/workspaces', { name: 'Marketing Agents' });
    expect(created.status).toBe(201);
    const wsId: string = created.body.workspace.workspace_id;

    const renamed = await fx.api('PUT', `/v1/workspaces/${wsId}`, { name: 'Renamed' });
    expect(renamed.body).toEqual({ workspace: { workspace_id: wsId, name: 'Renamed' } });

    const reordered = await fx.api('POST', '/v1/workspaces/reorder', { workspace_ids: [wsId] });
    expect(reordered.body).toEqual({ success: true });
    expect((await fx.api('GET', '/v1/workspaces')).body.workspaces[0].workspace_id).toBe(wsId);

    const agent = await fx.api('POST', '/v1/agents', { workspace_id: wsId });
    const listed = await fx.api('GET', `/v1/agents?workspace_id=${wsId}`);
    expect(listed.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([
      agent.body.agent.agent_id,
    ]);
  });

  it('moves an agent to another workspace', async () => {
    const ws = await fx.api('POST', '/v1/workspaces', { name: 'Target' });
    const moved = await fx.api('POST', '/v1/agents/agent_explicit/move', {
      workspace_id: ws.body.workspace.workspace_id,
    });
    expect(moved.body).toEqual({ success: true });
    const agent = await fx.api('GET', '/v1/agents/agent_explicit');
    expect(agent.body.agent.workspace_id).toBe(ws.body.workspace.workspace_id);
  });

  it('deletes a workspace together with its agents', async () => {
    const ws = await fx.api('POST', '/v1/workspaces', { name: 'Doomed' });
    const wsId: string = ws.body.workspace.workspace_id;
    const agent = await fx.api('POST', '/v1/agents', { workspace_id: wsId });
    expect((await fx.api('DELETE', `/v1/workspaces/${wsId}`)).body).toEqual({ deleted: true });
    expect((await fx.api('GET', `/v1/agents/${agent.body.agent.agent_id}`)).status).toBe(404);
  });

  it('refuses to delete the default workspace with 409', async () => {
    const all = await fx.api('GET', '/v1/workspaces');
    const def = all.body.workspaces.find((w: { name: string }) => w.name === 'My Workspace');
    expect((await fx.api('DELETE', `/v1/workspaces/${def.workspace_id}`)).status).toBe(409);
  });

  it('answers 404 for an unknown workspace and 400 for an empty name', async () => {
    expect((await fx.api('PUT', '/v1/workspaces/ws_nope', { name: 'x' })).status).toBe(404);
    expect((await fx.api('POST', '/v1/workspaces', { name: '' })).status).toBe(400);
  });
});

describe('Twin emulator: instructions', () => {
  it('keeps every update as a version, newest first', async () => {
    expect((await fx.api('GET', '/v1/agents/agent_explicit/instructions')).body).toEqual({
      instructions: { content: '' },
    });
    await fx.api('PUT', '/v1/agents/agent_explicit/instructions', { content: 'Check email every morning.' });
    const put = await fx.api('PUT', '/v1/agents/agent_explicit/instructions', {
      content: 'Check email and Slack.',
      source_type: 'api',
    });
    expect(put.body).toEqual({ success: true });

    const current = await fx.api('GET', '/v1/agents/agent_explicit/instructions');
    expect(current.body).toEqual({ instructions: { content: 'Check email and Slack.' } });
    const history = await fx.api('GET', '/v1/agents/agent_explicit/instructions/history');
    expect(history.body.instruction_versions.map((v: { content: string }) => v.content)).toEqual([
      'Check email and Slack.',
      'Check email every morning.',
    ]);
    const limited = await fx.api('GET', '/v1/agents/agent_explicit/instructions/history?limit=1');
    expect(limited.body.instruction_versions).toHaveLength(1);
  });

  it('answers 400 without content and 404 for an unknown agent', async () => {
    expect((await fx.api('PUT', '/v1/agents/agent_explicit/instructions', {})).status).toBe(400);
    expect((await fx.api('GET', '/v1/agents/agent_nope/instructions')).status).toBe(404);
  });
});

describe('Twin emulator: webhook registrations', () => {
  const HOOKS = '/v1/agents/agent_explicit/webhooks';

  it('creates a webhook (201) and returns its signing secret once', async () => {
    const created = await fx.api('POST', HOOKS, {
      url: 'http://127.0.0.1:9/hook',
      events: ['run.completed', 'run.failed'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      webhook_id: expect.any(String),
      url: 'http://127.0.0.1:9/hook',
      events: ['run.completed', 'run.failed'],
      status: 'active',
      created_at: expect.any(String),
    });
    expect(created.body.signing_secret).toMatch(/^whsec_[0-9a-f]{64}$/);

    const got = await fx.api('GET', `${HOOKS}/${created.body.webhook_id}`);
    expect(got.body).toMatchObject({
      webhook_id: created.body.webhook_id,
      agent_id: 'agent_explicit',
      user_id: 'user_emulator',
    });
    expect(got.body).not.toHaveProperty('signing_secret');
    const listed = await fx.api('GET', HOOKS);
    expect(listed.body.webhooks.every((w: object) => !('signing_secret' in w))).toBe(true);
  });

  it('updates only the fields given', async () => {
    const created = await fx.api('POST', HOOKS, { url: 'https://example.com/a', events: ['run.started'] });
    const patched = await fx.api('PATCH', `${HOOKS}/${created.body.webhook_id}`, { status: 'disabled' });
    expect(patched.body).toMatchObject({
      url: 'https://example.com/a',
      events: ['run.started'],
      status: 'disabled',
    });
  });

  it('deletes a webhook with 204', async () => {
    const created = await fx.api('POST', HOOKS, { url: 'https://example.com/b', events: ['run.started'] });
    expect((await fx.api('DELETE', `${HOOKS}/${created.body.webhook_id}`)).status).toBe(204);
    expect((await fx.api('GET', `${HOOKS}/${created.body.webhook_id}`)).status).toBe(404);
  });

  it('answers 400 for an unknown event type, no events or a non-http URL', async () => {
    expect(
      (await fx.api('POST', HOOKS, { url: 'https://example.com', events: ['run.exploded'] })).status,
    ).toBe(400);
    expect((await fx.api('POST', HOOKS, { url: 'https://example.com', events: [] })).status).toBe(400);
    expect((await fx.api('POST', HOOKS, { url: 'ftp://example.com', events: ['run.started'] })).status).toBe(
      400,
    );
  });

  it('answers 404 for an unknown webhook', async () => {
    expect(
      (await fx.api('PATCH', `${HOOKS}/00000000-0000-0000-0000-000000000000`, { status: 'active' })).status,
    ).toBe(404);
  });
});
