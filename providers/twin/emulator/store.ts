// In-memory tables of the emulator, owned per user. Every lookup that can miss throws the 404 the API answers,
// so route handlers stay free of existence checks. Callers call changed() after mutating a record so that the
// optional state file follows.
import { randomId } from './ids.js';
import { notFound } from './problem.js';
import type {
  AgentRecord,
  ApiKeyRecord,
  RunRecord,
  Snapshot,
  WebhookRecord,
  WorkspaceRecord,
} from './state.js';

export function nowIso(): string {
  return new Date().toISOString();
}

function byId<T>(records: T[], id: (r: T) => string): Map<string, T> {
  return new Map(records.map((r) => [id(r), r]));
}

export class Store {
  keys = new Map<string, ApiKeyRecord>();
  workspaces = new Map<string, WorkspaceRecord>();
  agents = new Map<string, AgentRecord>();
  runs = new Map<string, RunRecord>();
  webhooks = new Map<string, WebhookRecord>();

  constructor(private readonly onChange: () => void) {}

  changed(): void {
    this.onChange();
  }

  load(snapshot: Snapshot): void {
    this.keys = byId(snapshot.keys, (k) => k.key_id);
    this.workspaces = byId(snapshot.workspaces, (w) => w.workspace_id);
    this.agents = byId(snapshot.agents, (a) => a.agent_id);
    this.runs = byId(snapshot.runs, (r) => r.run_id);
    this.webhooks = byId(snapshot.webhooks, (w) => w.webhook_id);
  }

  snapshot(): Snapshot {
    return {
      version: 1,
      keys: [...this.keys.values()],
      workspaces: [...this.workspaces.values()],
      agents: [...this.agents.values()],
      runs: [...this.runs.values()],
      webhooks: [...this.webhooks.values()],
    };
  }

  clear(): void {
    this.load({ version: 1, keys: [], workspaces: [], agents: [], runs: [], webhooks: [] });
    this.changed();
  }

  requireAgent(userId: string, agentId: string): AgentRecord {
    const agent = this.agents.get(agentId);
    if (!agent || agent.user_id !== userId) throw notFound(`agent ${agentId} not found`);
    return agent;
  }

  requireRun(agent: AgentRecord, runId: string): RunRecord {
    const run = this.runs.get(runId);
    if (!run || run.agent_id !== agent.agent_id)
      throw notFound(`run ${runId} not found for agent ${agent.agent_id}`);
    return run;
  }

  requireWebhook(agent: AgentRecord, webhookId: string): WebhookRecord {
    const hook = this.webhooks.get(webhookId);
    if (!hook || hook.agent_id !== agent.agent_id) throw notFound(`webhook ${webhookId} not found`);
    return hook;
  }

  requireWorkspace(userId: string, workspaceId: string): WorkspaceRecord {
    const ws = this.workspaces.get(workspaceId);
    if (!ws || ws.user_id !== userId) throw notFound(`workspace ${workspaceId} not found`);
    return ws;
  }

  /** Twin gives every user a default workspace; the emulator creates it the first time the user needs one. */
  defaultWorkspace(userId: string): WorkspaceRecord {
    const existing = this.workspacesOf(userId).find((w) => w.is_default);
    if (existing) return existing;
    const ws: WorkspaceRecord = {
      workspace_id: randomId('ws_'),
      user_id: userId,
      name: 'My Workspace',
      position: this.workspacesOf(userId).length,
      is_default: true,
    };
    this.workspaces.set(ws.workspace_id, ws);
    this.changed();
    return ws;
  }

  workspacesOf(userId: string): WorkspaceRecord[] {
    return [...this.workspaces.values()]
      .filter((w) => w.user_id === userId)
      .sort((a, b) => a.position - b.position);
  }

  agentsOf(userId: string): AgentRecord[] {
    return [...this.agents.values()].filter((a) => a.user_id === userId);
  }

  runsOf(agentId: string): RunRecord[] {
    return [...this.runs.values()].filter((r) => r.agent_id === agentId);
  }

  webhooksOf(agentId: string): WebhookRecord[] {
    return [...this.webhooks.values()].filter((w) => w.agent_id === agentId);
  }

  latestRun(agentId: string): RunRecord | undefined {
    let latest: RunRecord | undefined;
    for (const run of this.runsOf(agentId)) {
      if (!latest || run.run_number > latest.run_number) latest = run;
    }
    return latest;
  }
}
