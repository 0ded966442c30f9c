// How agents, webhooks and workspaces look on the wire (seed 001 shapes; runs are in run-views.ts). Twin uses
// different status words per surface: run lists say `finished`/`error`, webhooks say `completed`/`error`; both
// translations live here.
import type { RunStatus } from '../vocabulary/run-status.js';
import type { AgentRecord, WebhookRecord, WorkspaceRecord } from './state.js';
import type { Store } from './store.js';

const LIST_STATUS_WORD: Record<RunStatus, string> = {
  in_progress: 'in_progress',
  paused: 'paused',
  completed: 'finished',
  failed: 'error',
  stopped: 'stopped',
};

export function listStatusWord(status: RunStatus): string {
  return LIST_STATUS_WORD[status];
}

export function webhookStatusWord(
  status: RunStatus,
): 'in_progress' | 'completed' | 'error' | 'stopped' | 'paused' {
  return status === 'failed' ? 'error' : status;
}

export function agentView(store: Store, agent: AgentRecord) {
  const latest = store.latestRun(agent.agent_id);
  const lastActivity = store
    .runsOf(agent.agent_id)
    .map((r) => r.last_event_at)
    .sort()
    .at(-1);
  return {
    agent_id: agent.agent_id,
    latest_run_id: latest?.run_id ?? '',
    ...(lastActivity !== undefined && { last_activity_at: lastActivity }),
    latest_run_is_finished: latest?.finished_at !== undefined,
    has_runs: latest !== undefined,
    workspace_id: agent.workspace_id,
    deployment_state: agent.deployment_state,
    ...(agent.deployed_at !== undefined && { deployed_at: agent.deployed_at }),
  };
}

/** Never includes the signing secret: that is returned by the create call only. */
export function webhookView(hook: WebhookRecord) {
  return {
    webhook_id: hook.webhook_id,
    agent_id: hook.agent_id,
    user_id: hook.user_id,
    url: hook.url,
    events: hook.events,
    status: hook.status,
    created_at: hook.created_at,
    updated_at: hook.updated_at,
  };
}

export function workspaceView(ws: WorkspaceRecord) {
  return {
    workspace_id: ws.workspace_id,
    name: ws.name,
    ...(ws.icon_config !== undefined && { icon_config: ws.icon_config }),
  };
}
