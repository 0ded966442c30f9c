// Contract of the Twin client with the emulator for everything around runs: API keys and identity, agents,
// workspaces, instructions and schedules. Each call goes through the real client over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_ID } from '../../providers/twin/emulator/control-routes.js';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';

let fx: ContractFixture;
beforeAll(async () => {
  fx = await startContract();
});
afterAll(() => fx.close());

const deployedAgent = async () => (await fx.control.createAgent()).agent_id;

describe('API keys and identity', () => {
  it('me names the user the key belongs to', async () => {
    expect(await fx.twin.me()).toEqual({ user_id: DEFAULT_USER_ID });
  });

  it('createApiKey returns a key that authenticates as the same user', async () => {
    const created = await fx.twin.createApiKey('contract-new-key');
    expect(created).toMatchObject({ name: 'contract-new-key', api_key: expect.stringMatching(/^tw_live_/) });
    expect(await fx.clientWith({ apiKey: created.api_key }).me()).toEqual({ user_id: DEFAULT_USER_ID });
  });

  it('listApiKeys lists a created key by ID and name, without the key itself', async () => {
    const created = await fx.twin.createApiKey('contract-listed-key');
    const listed = (await fx.twin.listApiKeys()).keys.find((k) => k.key_id === created.key_id);
    expect(listed).toMatchObject({ name: 'contract-listed-key', display_prefix: created.display_prefix });
    expect(listed).not.toHaveProperty('api_key');
  });

  it('revokeApiKey answers {revoked: true} and the key disappears from the list', async () => {
    const created = await fx.twin.createApiKey('contract-revoked-key');
    expect(await fx.twin.revokeApiKey(created.key_id)).toEqual({ revoked: true });
    const ids = (await fx.twin.listApiKeys()).keys.map((k) => k.key_id);
    expect(ids).not.toContain(created.key_id);
  });

  it('a revoked key is refused with 401 UNAUTHENTICATED, not retryable', async () => {
    const created = await fx.twin.createApiKey('contract-dead-key');
    await fx.twin.revokeApiKey(created.key_id);
    const error = await failure(fx.clientWith({ apiKey: created.api_key }).me());
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', retryable: false });
  });
});

describe('agents', () => {
  it('createAgent answers a new agent, not deployed, in the default workspace', async () => {
    const { agent } = await fx.twin.createAgent();
    const defaultWorkspace = (await fx.twin.listWorkspaces()).workspaces[0];
    expect(agent).toMatchObject({
      deployment_state: 'not_deployed',
      has_runs: false,
      workspace_id: defaultWorkspace?.workspace_id,
    });
  });

  it('createAgent honours an explicit agent_id and workspace_id', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-explicit');
    const { agent } = await fx.twin.createAgent({
      agent_id: 'agent_contract_explicit',
      workspace_id: workspace.workspace_id,
    });
    expect(agent).toMatchObject({
      agent_id: 'agent_contract_explicit',
      workspace_id: workspace.workspace_id,
    });
  });

  it('getAgent answers the agent createAgent made', async () => {
    const { agent } = await fx.twin.createAgent();
    expect(await fx.twin.getAgent(agent.agent_id)).toEqual({ agent });
  });

  it('listAgents filters by workspace_id', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-filter');
    const { agent } = await fx.twin.createAgent({ workspace_id: workspace.workspace_id });
    const { agents } = await fx.twin.listAgents({ workspace_id: workspace.workspace_id });
    expect(agents.map((a) => a.agent_id)).toEqual([agent.agent_id]);
  });

  it('listAgents pages with limit and next_cursor, each agent once', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-paging');
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      created.push((await fx.twin.createAgent({ workspace_id: workspace.workspace_id })).agent.agent_id);
    }
    const first = await fx.twin.listAgents({ workspace_id: workspace.workspace_id, limit: 2 });
    expect(first.next_cursor).toBeDefined();
    const second = await fx.twin.listAgents({
      workspace_id: workspace.workspace_id,
      limit: 2,
      cursor: first.next_cursor,
    });
    expect(second.next_cursor).toBeUndefined();
    const seen = [...first.agents, ...second.agents].map((a) => a.agent_id);
    expect(seen.sort()).toEqual(created.sort());
  });

  it('deleteAgent resolves to undefined and the agent is gone (404 NOT_FOUND)', async () => {
    const { agent } = await fx.twin.createAgent();
    expect(await fx.twin.deleteAgent(agent.agent_id)).toBeUndefined();
    const error = await failure(fx.twin.getAgent(agent.agent_id));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND', retryable: false });
  });

  it('moveAgent puts the agent in the target workspace', async () => {
    const { agent } = await fx.twin.createAgent();
    const { workspace } = await fx.twin.createWorkspace('contract-move-target');
    expect(await fx.twin.moveAgent(agent.agent_id, workspace.workspace_id)).toEqual({ success: true });
    expect((await fx.twin.getAgent(agent.agent_id)).agent.workspace_id).toBe(workspace.workspace_id);
  });
});

describe('workspaces', () => {
  it('listWorkspaces always has the default workspace', async () => {
    const { workspaces } = await fx.twin.listWorkspaces();
    expect(workspaces).toContainEqual(expect.objectContaining({ name: 'My Workspace' }));
  });

  it('createWorkspace answers the new workspace, which is then listed', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-created');
    expect(workspace).toMatchObject({ name: 'contract-created', workspace_id: expect.any(String) });
    expect((await fx.twin.listWorkspaces()).workspaces).toContainEqual(workspace);
  });

  it('updateWorkspace renames and sets the icon', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-before');
    const updated = await fx.twin.updateWorkspace(workspace.workspace_id, {
      name: 'contract-after',
      icon_config: 'rocket',
    });
    expect(updated).toEqual({
      workspace: { workspace_id: workspace.workspace_id, name: 'contract-after', icon_config: 'rocket' },
    });
  });

  it('reorderWorkspaces puts the given workspaces first, in the given order', async () => {
    const a = (await fx.twin.createWorkspace('contract-order-a')).workspace.workspace_id;
    const b = (await fx.twin.createWorkspace('contract-order-b')).workspace.workspace_id;
    expect(await fx.twin.reorderWorkspaces([b, a])).toEqual({ success: true });
    const ids = (await fx.twin.listWorkspaces()).workspaces.map((w) => w.workspace_id);
    expect(ids.slice(0, 2)).toEqual([b, a]);
  });

  it('deleteWorkspace answers {deleted: true} and deletes the agents inside', async () => {
    const { workspace } = await fx.twin.createWorkspace('contract-doomed');
    const { agent } = await fx.twin.createAgent({ workspace_id: workspace.workspace_id });
    expect(await fx.twin.deleteWorkspace(workspace.workspace_id)).toEqual({ deleted: true });
    expect((await failure(fx.twin.getAgent(agent.agent_id))).status).toBe(404);
  });

  it('deleting the default workspace is refused with 409 FAILED_PRECONDITION', async () => {
    const defaultWorkspace = (await fx.twin.listWorkspaces()).workspaces.find(
      (w) => w.name === 'My Workspace',
    );
    const error = await failure(fx.twin.deleteWorkspace(defaultWorkspace?.workspace_id ?? 'missing'));
    expect(error).toMatchObject({ status: 409, code: 'FAILED_PRECONDITION', retryable: false });
  });
});

describe('instructions', () => {
  it('getInstructions of a new agent is empty', async () => {
    const { agent } = await fx.twin.createAgent();
    expect(await fx.twin.getInstructions(agent.agent_id)).toEqual({ instructions: { content: '' } });
  });

  it('setInstructions replaces what getInstructions answers', async () => {
    const { agent } = await fx.twin.createAgent();
    const answer = await fx.twin.setInstructions(agent.agent_id, {
      content: 'Check email.',
      source_type: 'api',
    });
    expect(answer).toEqual({ success: true });
    expect(await fx.twin.getInstructions(agent.agent_id)).toEqual({
      instructions: { content: 'Check email.' },
    });
  });

  it('getInstructionsHistory lists versions newest first, up to limit', async () => {
    const { agent } = await fx.twin.createAgent();
    for (const content of ['v1', 'v2', 'v3']) await fx.twin.setInstructions(agent.agent_id, { content });
    const { instruction_versions: versions } = await fx.twin.getInstructionsHistory(agent.agent_id, {
      limit: 2,
    });
    expect(versions.map((v) => v.content)).toEqual(['v3', 'v2']);
  });
});

describe('schedules', () => {
  it('setSchedule on a deployed agent succeeds and getSchedule answers it, not paused', async () => {
    const agentId = await deployedAgent();
    expect(await fx.twin.setSchedule(agentId, '0 0 9 * * * *')).toEqual({ success: true });
    expect(await fx.twin.getSchedule(agentId)).toEqual({
      schedule: { cron: '0 0 9 * * * *', paused: false },
    });
  });

  it('getSchedule of an agent without one answers null', async () => {
    expect(await fx.twin.getSchedule(await deployedAgent())).toEqual({ schedule: null });
  });

  it('numeric weekdays (1 = Sunday) and both day fields restricted are accepted by both sides', async () => {
    const agentId = await deployedAgent();
    expect(await fx.twin.setSchedule(agentId, '0 0 9 1-7 * 2 *')).toEqual({ success: true });
  });

  it('setSchedule on an agent that is not deployed is refused with 409 FAILED_PRECONDITION', async () => {
    const { agent } = await fx.twin.createAgent();
    const error = await failure(fx.twin.setSchedule(agent.agent_id, '0 0 9 * * * *'));
    expect(error).toMatchObject({ status: 409, code: 'FAILED_PRECONDITION', retryable: false });
  });

  it('a cron the client refuses never reaches Twin (INVALID_CRON, status 0)', async () => {
    const agentId = await deployedAgent();
    const error = await failure(fx.twin.setSchedule(agentId, '0 0 9 ? * 0 *'));
    expect(error).toMatchObject({ status: 0, code: 'INVALID_CRON', retryable: false });
    expect(await fx.twin.getSchedule(agentId)).toEqual({ schedule: null });
  });

  it('pauseSchedule keeps the schedule but marks it paused', async () => {
    const agentId = await deployedAgent();
    await fx.twin.setSchedule(agentId, '0 0 9 * * * *');
    expect(await fx.twin.pauseSchedule(agentId)).toEqual({ success: true });
    expect(await fx.twin.getSchedule(agentId)).toEqual({ schedule: { cron: '0 0 9 * * * *', paused: true } });
  });

  it('resumeSchedule un-pauses a paused schedule', async () => {
    const agentId = await deployedAgent();
    await fx.twin.setSchedule(agentId, '0 0 9 * * * *');
    await fx.twin.pauseSchedule(agentId);
    expect(await fx.twin.resumeSchedule(agentId)).toEqual({ success: true });
    expect((await fx.twin.getSchedule(agentId)).schedule?.paused).toBe(false);
  });

  it('listSchedules lists every schedule of the user with its agent', async () => {
    const agentId = await deployedAgent();
    await fx.twin.setSchedule(agentId, '0 30 8 ? * MON-FRI *');
    expect((await fx.twin.listSchedules()).schedules).toContainEqual({
      agent_id: agentId,
      cron: '0 30 8 ? * MON-FRI *',
      paused: false,
    });
  });

  it('deleteSchedule removes it, so getSchedule answers null', async () => {
    const agentId = await deployedAgent();
    await fx.twin.setSchedule(agentId, '0 0 9 * * * *');
    expect(await fx.twin.deleteSchedule(agentId)).toEqual({ success: true });
    expect(await fx.twin.getSchedule(agentId)).toEqual({ schedule: null });
  });

  it('deleting a schedule that does not exist is 404 NOT_FOUND', async () => {
    const error = await failure(fx.twin.deleteSchedule(await deployedAgent()));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
