// Agent creation and deletion, shared by the public API, the control API and workspace deletion, so an agent
// always goes away together with its runs, webhooks and schedule timer.
import type { EmulatorCore } from './core.js';
import { alreadyExists } from './problem.js';
import type { AgentRecord, RunBehaviour } from './state.js';
import { uuidv7 } from './ids.js';
import { nowIso } from './store.js';

export interface NewAgent {
  agent_id?: string;
  workspace_id?: string;
  deployed: boolean;
  script?: RunBehaviour[];
}

export function createAgent(core: EmulatorCore, userId: string, input: NewAgent): AgentRecord {
  const { store } = core;
  const agentId = input.agent_id ?? uuidv7();
  if (store.agents.has(agentId)) throw alreadyExists(`agent ${agentId} already exists`);
  const workspace = input.workspace_id
    ? store.requireWorkspace(userId, input.workspace_id)
    : store.defaultWorkspace(userId);
  const now = nowIso();
  const agent: AgentRecord = {
    agent_id: agentId,
    user_id: userId,
    workspace_id: workspace.workspace_id,
    deployment_state: 'not_deployed',
    created_at: now,
    script: input.script ?? [],
    script_cursor: 0,
    run_counter: 0,
    instructions: [],
  };
  setDeployed(agent, input.deployed);
  store.agents.set(agentId, agent);
  store.changed();
  return agent;
}

export function setDeployed(agent: AgentRecord, deployed: boolean): void {
  if (!deployed) {
    agent.deployment_state = 'not_deployed';
    delete agent.deployed_at;
    return;
  }
  if (agent.deployment_state === 'deployed') return;
  agent.deployment_state = 'deployed';
  agent.deployed_at = nowIso();
}

export function deleteAgent(core: EmulatorCore, agent: AgentRecord): void {
  const { store } = core;
  for (const run of store.runsOf(agent.agent_id)) core.runs.delete(run);
  for (const hook of store.webhooksOf(agent.agent_id)) store.webhooks.delete(hook.webhook_id);
  store.agents.delete(agent.agent_id);
  core.schedules.sync(agent.agent_id);
  store.changed();
}
