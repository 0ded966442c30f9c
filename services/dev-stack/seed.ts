// Makes the emulator look like a Twin account with the demo agents, an API key and a webhook per agent that
// points at the local receiver, whose signing secret lands in the receiver's secrets file. Idempotent: a
// second start finds the key, the agents and the webhooks and keeps them (refreshing only the agents' scripts);
// only what is missing or stale (a webhook whose secret we lost, or that points at an old receiver port) is
// replaced.
import {
  readSecretsFile,
  withoutWebhookEntry,
  withWebhookEntry,
  writeSecretsFile,
  type SecretsFile,
} from '../shared/secrets-file.js';
import { WEBHOOK_PATH } from '../receiver/webhook-route.js';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { TwinApiError } from '../../providers/twin/client/errors.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import { demoAgents, type DemoAgent } from './demo-agents.js';
import type { StackSettings } from './settings.js';
import type { StackLog } from './stack-log.js';
import { readStackState } from '../shared/stack-state.js';

export interface SeedResult {
  emulatorUrl: string;
  apiKey: string;
  agents: DemoAgent[];
  /** What this start changed; all zero on a second start. */
  created: { apiKey: boolean; agents: number; webhooks: number };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function seedEmulator({
  settings,
  log,
}: {
  settings: StackSettings;
  log: StackLog;
}): Promise<SeedResult> {
  const emulatorUrl = settings.emulator?.url;
  if (!emulatorUrl) throw new Error('seedEmulator needs the emulator settings');
  const timeoutMs = settings.config.TWIN_API_TIMEOUT_MS;
  const previousKey = (await readStackState(settings.dataDir))?.emulator?.apiKey;
  const control = new EmulatorControl(emulatorUrl);
  const { apiKey, created: keyCreated } = await ensureApiKey(control, previousKey, timeoutMs);
  const twin = createTwinClient({ baseUrl: emulatorUrl, apiKey, timeoutMs });

  const agents = demoAgents(settings.project.roles);
  let createdAgents = 0;
  for (const agent of agents) {
    if (await ensureAgent(control, twin, agent)) createdAgents++;
  }
  const webhooks = await ensureWebhooks(twin, settings, agents);
  const result = {
    emulatorUrl,
    apiKey,
    agents,
    created: { apiKey: keyCreated, agents: createdAgents, webhooks },
  };
  log.info(
    keyCreated || createdAgents > 0 || webhooks > 0
      ? `seeded the emulator: ${keyCreated ? 'a new API key, ' : ''}${createdAgents} agent(s), ${webhooks} webhook(s)`
      : `emulator already seeded (${agents.length} demo agents with webhooks)`,
  );
  return result;
}

async function ensureApiKey(
  control: EmulatorControl,
  previous: string | undefined,
  timeoutMs: number,
): Promise<{ apiKey: string; created: boolean }> {
  if (previous && (await keyWorks(control.baseUrl, previous, timeoutMs)))
    return { apiKey: previous, created: false };
  const { api_key: apiKey } = await control.createApiKey({ name: 'twinflow-dev-stack' });
  return { apiKey, created: true };
}

async function keyWorks(emulatorUrl: string, apiKey: string, timeoutMs: number): Promise<boolean> {
  try {
    await createTwinClient({ baseUrl: emulatorUrl, apiKey, timeoutMs }).me();
    return true;
  } catch (error) {
    if (error instanceof TwinApiError && error.status === 401) return false;
    throw error;
  }
}

/**
 * True when the agent had to be created. An agent kept from an earlier start gets today's script: the demo
 * outputs change with the code, and a state file must not pin the old ones.
 */
async function ensureAgent(control: EmulatorControl, twin: TwinClient, agent: DemoAgent): Promise<boolean> {
  try {
    await twin.getAgent(agent.agentId);
    await control.setScript(agent.agentId, agent.script);
    return false;
  } catch (error) {
    if (!(error instanceof TwinApiError && error.status === 404)) throw error;
  }
  await control.createAgent({ agent_id: agent.agentId, deployed: true, script: agent.script });
  return true;
}

/** Returns how many webhooks were created. */
async function ensureWebhooks(
  twin: TwinClient,
  settings: StackSettings,
  agents: DemoAgent[],
): Promise<number> {
  const url = settings.receiver.webhookUrl;
  const original = await readSecretsFile(settings.secretsFile);
  let secrets: SecretsFile = original;
  let created = 0;
  for (const { agentId } of agents) {
    const { webhooks } = await twin.listWebhooks(agentId);
    const known = new Set(secrets.webhooks.map((w) => w.webhook_id));
    const keep = webhooks.find((w) => w.url === url && w.status === 'active' && known.has(w.webhook_id));
    // Leftovers of earlier starts (another receiver port, a lost secret); webhooks people added stay.
    for (const stale of webhooks.filter((w) => w !== keep && isStackReceiver(w.url))) {
      await twin.deleteWebhook(agentId, stale.webhook_id);
      secrets = withoutWebhookEntry(secrets, stale.webhook_id);
    }
    if (keep) continue;
    const webhook = await twin.createWebhook(agentId, { url, events: [...WEBHOOK_EVENTS] });
    secrets = withWebhookEntry(secrets, {
      webhook_id: webhook.webhook_id,
      agent_id: agentId,
      url,
      signing_secret: webhook.signing_secret,
      created_at: webhook.created_at ?? new Date().toISOString(),
    });
    created++;
  }
  if (secrets !== original) await writeSecretsFile(settings.secretsFile, secrets);
  return created;
}

/** A webhook the stack itself would create: the receiver's path on a loopback address. */
function isStackReceiver(url: string): boolean {
  try {
    const parsed = new URL(url);
    return LOOPBACK.has(parsed.hostname) && parsed.pathname === WEBHOOK_PATH;
  } catch {
    return false;
  }
}
