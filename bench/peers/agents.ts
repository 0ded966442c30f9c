// Twin agents for the peers, on the emulator the twinflow stack already runs: created through the control API
// with a script of run behaviours, and (for the webhook peer) a webhook each, registered through the public
// Twin API as a user would, whose signing secret is returned once.
import { randomUUID } from 'node:crypto';
import { mapLimit } from '../../services/shared/map-limit.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import type { BenchStack } from '../lib/stack.js';

/** Every run completes at once: a fleet measures the orchestration, not the agent. */
export const INSTANT: RunBehaviourInput[] = [{ durationMs: 0, result: 'completed', outcome: 'success' }];

/** Only the events that end a run: what a peer needs, and all it subscribes to. */
export const TERMINAL_WEBHOOK_EVENTS = ['run.completed', 'run.failed', 'run.stopped'];

/**
 * `runs` run durations spread evenly over [0, periodMs) in a scattered order (golden-ratio steps). A run that
 * ends at a uniformly random moment of a poller's period is what a real agent's minutes-long run looks like to
 * it; with instant runs the poller's first read would always find the run finished.
 */
export function spreadScript(runs: number, periodMs: number): RunBehaviourInput[] {
  return Array.from({ length: runs }, (_, i) => ({
    durationMs: Math.floor(((i * 0.6180339887) % 1) * periodMs),
    result: 'completed' as const,
    outcome: 'success' as const,
  }));
}

export async function createAgents(
  stack: BenchStack,
  prefix: string,
  count: number,
  script: RunBehaviourInput[],
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `agent_${prefix}_${i}_${randomUUID().slice(0, 6)}`);
  await mapLimit(ids, 20, (agent_id) => stack.control.createAgent({ agent_id, script }));
  return ids;
}

/** Registers `urlOf(agent)` as each agent's webhook; resolves with each agent's signing secret. */
export async function addWebhooks(
  stack: BenchStack,
  agentIds: readonly string[],
  urlOf: (agentId: string) => string,
): Promise<Record<string, string>> {
  const secrets = await mapLimit(agentIds, 20, async (agentId) => {
    const res = await fetch(`${stack.workerEnv.TWIN_API_BASE_URL}/v1/agents/${agentId}/webhooks`, {
      method: 'POST',
      headers: { 'x-api-key': stack.workerEnv.TWIN_API_KEY ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ url: urlOf(agentId), events: TERMINAL_WEBHOOK_EVENTS }),
    });
    if (res.status !== 201) throw new Error(`creating a webhook answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { signing_secret: string }).signing_secret;
  });
  return Object.fromEntries(agentIds.map((id, i) => [id, secrets[i] as string]));
}
