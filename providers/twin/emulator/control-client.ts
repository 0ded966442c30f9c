// A small typed client for the emulator's control API (/_emulator), for tests, benchmarks and the dev stack.
// It talks plain fetch and stays independent of the Twin API client, which is what the emulator is testing.
import type { z } from 'zod';
import type { faultsInputSchema } from './faults.js';
import type { runBehaviourSchema } from './state.js';
import type { controlRunView } from './run-views.js';
import type { agentView } from './views.js';
import type { DeliveryLogEntry } from './webhook-delivery.js';

export type RunBehaviourInput = z.input<typeof runBehaviourSchema>;
export type FaultsConfigInput = z.input<typeof faultsInputSchema>;
export type AgentView = ReturnType<typeof agentView>;
/** Everything the emulator knows about a run, whatever the profile serves on the public API. */
export type EmulatorRunView = ReturnType<typeof controlRunView>;

export interface NewAgentInput {
  agent_id?: string;
  user_id?: string;
  workspace_id?: string;
  /** Defaults to true: a control-API agent is ready to run. */
  deployed?: boolean;
  script?: RunBehaviourInput[];
}

export class EmulatorControlError extends Error {
  override name = 'EmulatorControlError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`emulator control API answered ${status}: ${body}`);
  }
}

export class EmulatorControl {
  constructor(readonly baseUrl: string) {}

  async reset(): Promise<void> {
    await this.request('POST', '/reset');
  }

  createApiKey(input: { name?: string; user_id?: string } = {}) {
    return this.request<{ api_key: string; key_id: string; user_id: string }>('POST', '/api-keys', input);
  }

  async createAgent(input: NewAgentInput = {}): Promise<AgentView> {
    return (await this.request<{ agent: AgentView }>('POST', '/agents', input)).agent;
  }

  async setScript(agentId: string, runs: RunBehaviourInput[]): Promise<void> {
    await this.request('PUT', `/agents/${encodeURIComponent(agentId)}/script`, { runs });
  }

  async setDeployment(agentId: string, deployed: boolean): Promise<AgentView> {
    return (
      await this.request<{ agent: AgentView }>('PUT', `/agents/${encodeURIComponent(agentId)}/deployment`, {
        deployed,
      })
    ).agent;
  }

  moveRun(
    runId: string,
    move: 'complete',
    body?: { outcome?: 'success' | 'partial' | 'fail'; summary?: string; output?: string },
  ): Promise<EmulatorRunView>;
  moveRun(
    runId: string,
    move: 'fail',
    body?: { reason?: string; summary?: string },
  ): Promise<EmulatorRunView>;
  moveRun(runId: string, move: 'pause' | 'resume'): Promise<EmulatorRunView>;
  async moveRun(runId: string, move: string, body: object = {}): Promise<EmulatorRunView> {
    return (
      await this.request<{ run: EmulatorRunView }>('POST', `/runs/${encodeURIComponent(runId)}/${move}`, body)
    ).run;
  }

  async setFaults(faults: FaultsConfigInput): Promise<void> {
    await this.request('PUT', '/faults', faults);
  }

  /** Oldest first. */
  async runs(agentId?: string): Promise<EmulatorRunView[]> {
    return (await this.runList(agentId)).runs;
  }

  /** How many runs each agent has had; agents without runs are absent. */
  async runCounts(): Promise<Record<string, number>> {
    return (await this.runList()).counts;
  }

  private runList(agentId?: string) {
    const query = agentId === undefined ? '' : `?agent_id=${encodeURIComponent(agentId)}`;
    return this.request<{ runs: EmulatorRunView[]; counts: Record<string, number> }>('GET', `/runs${query}`);
  }

  async deliveries(
    filter: { run_id?: string; webhook_id?: string; event?: string } = {},
  ): Promise<DeliveryLogEntry[]> {
    const query = new URLSearchParams(
      Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return (await this.request<{ deliveries: DeliveryLogEntry[] }>('GET', `/deliveries?${query}`)).deliveries;
  }

  private async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new EmulatorControlError(res.status, text);
    return JSON.parse(text) as T;
  }
}
