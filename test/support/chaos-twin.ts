// The Twin side of a reliability test, set up the way a user would: an API key, deployed agents with scripted
// behaviours, and one webhook per agent registered through the Twin API with the receiver's URL, its signing
// secret (returned once) kept in the receiver's secrets file exactly as `twinflow webhooks register` keeps it.
import {
  EMPTY_SECRETS_FILE,
  readSecretsFile,
  withWebhookEntry,
  writeSecretsFile,
  type SecretsFile,
  type WebhookSecretEntry,
} from '../../services/shared/secrets-file.js';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import {
  EmulatorControl,
  type FaultsConfigInput,
  type RunBehaviourInput,
} from '../../providers/twin/emulator/control-client.js';
import { pipelineWorkflowId } from '../../workflows/pipeline-api.js';
import {
  agentScript,
  CHAOS_CASES,
  CHAOS_PIPELINE_NAME,
  expectedEnd,
  type AgentKind,
  type PlannedPipeline,
} from './chaos-pipelines.js';

export interface ChaosTwinOptions {
  emulatorUrl: string;
  /** The receiver's webhook URL every agent's webhook points at. */
  webhookUrl: string;
  secretsFile: string;
  pipelines: number;
  /** How long each scripted run works; tens of ms keep the load high and the test short. */
  runDurationMs: number;
  /** Prefix of pipeline keys and agent IDs, unique per test file. */
  prefix: string;
}

export interface ChaosTwin {
  control: EmulatorControl;
  apiKey: string;
  twin: TwinClient;
  /** Each agent's webhook secret: a secret from the CLI's file vouches only for its own agent's runs. */
  secretOfAgent: Map<string, string>;
  plan: PlannedPipeline[];
  agentCount: number;
}

/** Faults the issue names: 5 % dropped, 5 % duplicated, reordered and delayed webhooks; 2 % of API calls 429/500. */
export function issueFaults(seed: number): FaultsConfigInput {
  return {
    seed,
    webhooks: { dropRate: 0.05, duplicateRate: 0.05, delayMs: [0, 150], reorder: true, reorderWindowMs: 50 },
    api: { rate429: 0.01, retryAfterMs: 1_000, rate500: 0.01 },
  };
}

interface AgentPools {
  shared: Record<Exclude<AgentKind, 'flaky'>, string[]>;
  /** Per pipeline index, for the pipelines whose drafter is flaky. */
  flaky: Map<number, string>;
}

export async function setUpChaosTwin(options: ChaosTwinOptions): Promise<ChaosTwin> {
  const control = new EmulatorControl(options.emulatorUrl);
  const { api_key: apiKey } = await control.createApiKey({ name: `${options.prefix}-worker` });
  const twin = createTwinClient({ baseUrl: options.emulatorUrl, apiKey, timeoutMs: 10_000 });
  const pools = await createAgents(control, options);
  const secretOfAgent = await registerWebhooks(twin, options, allAgents(pools));
  const plan = Array.from({ length: options.pipelines }, (_, index) =>
    planPipeline(options.prefix, index, pools),
  );
  return { control, apiKey, twin, secretOfAgent, plan, agentCount: allAgents(pools).length };
}

/** Every signing secret Twin handed out: none may appear in a history or a log. */
export function allSigningSecrets(chaos: ChaosTwin): string[] {
  return [...chaos.secretOfAgent.values()];
}

function allAgents(pools: AgentPools): string[] {
  return [...Object.values(pools.shared).flat(), ...pools.flaky.values()];
}

async function createAgents(control: EmulatorControl, options: ChaosTwinOptions): Promise<AgentPools> {
  const size = Math.max(2, Math.ceil(options.pipelines / 20));
  const create = async (kind: AgentKind, name: string) =>
    (
      await control.createAgent({
        agent_id: `${options.prefix}-${name}`,
        script: agentScript(kind, options.runDurationMs),
      })
    ).agent_id;
  const pool = (kind: Exclude<AgentKind, 'flaky'>, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => create(kind, `${kind}-${i}`)));
  const shared = {
    success: await pool('success', size * 3),
    partial: await pool('partial', size),
    failOutcome: await pool('failOutcome', size),
    error: await pool('error', size),
  };
  const flaky = new Map<number, string>();
  for (let index = 0; index < options.pipelines; index++) {
    if (caseOf(index).drafter === 'flaky') flaky.set(index, await create('flaky', `flaky-${index}`));
  }
  return { shared, flaky };
}

async function registerWebhooks(
  twin: TwinClient,
  options: ChaosTwinOptions,
  agentIds: string[],
): Promise<Map<string, string>> {
  let file: SecretsFile = EMPTY_SECRETS_FILE;
  for (const agentId of agentIds)
    file = withWebhookEntry(file, await createWebhook(twin, agentId, options.webhookUrl));
  await writeSecretsFile(options.secretsFile, file);
  return new Map(file.webhooks.map((w) => [w.agent_id, w.signing_secret]));
}

/** What `twinflow webhooks register` does: create the webhook, keep the secret Twin returns once. */
async function createWebhook(twin: TwinClient, agentId: string, url: string): Promise<WebhookSecretEntry> {
  const hook = await twin.createWebhook(agentId, { url, events: [...WEBHOOK_EVENTS] });
  return {
    webhook_id: hook.webhook_id,
    agent_id: agentId,
    url,
    signing_secret: hook.signing_secret,
    created_at: hook.created_at ?? new Date().toISOString(),
  };
}

/** One more agent with its webhook, its secret added to the secrets file; returns the agent ID and secret. */
export async function addChaosAgent(
  chaos: ChaosTwin,
  options: { agentId: string; script: RunBehaviourInput[]; webhookUrl: string; secretsFile: string },
): Promise<{ agentId: string; signingSecret: string }> {
  const { agent_id: agentId } = await chaos.control.createAgent({
    agent_id: options.agentId,
    script: options.script,
  });
  const entry = await createWebhook(chaos.twin, agentId, options.webhookUrl);
  await writeSecretsFile(
    options.secretsFile,
    withWebhookEntry(await readSecretsFile(options.secretsFile), entry),
  );
  chaos.secretOfAgent.set(agentId, entry.signing_secret);
  return { agentId, signingSecret: entry.signing_secret };
}

function caseOf(index: number) {
  return CHAOS_CASES[index % CHAOS_CASES.length] as (typeof CHAOS_CASES)[number];
}

function pick(pool: string[], index: number): string {
  return pool[index % pool.length] as string;
}

function planPipeline(prefix: string, index: number, pools: AgentPools): PlannedPipeline {
  const chaosCase = caseOf(index);
  const key = `${prefix}-${index}`;
  const drafter =
    chaosCase.drafter === 'flaky'
      ? (pools.flaky.get(index) as string)
      : pick(pools.shared[chaosCase.drafter], index);
  return {
    key,
    workflowId: pipelineWorkflowId(CHAOS_PIPELINE_NAME, key),
    chaosCase,
    input: {
      drafter,
      reviewer: pick(pools.shared[chaosCase.reviewer], index + 1),
      publisher: pick(pools.shared.success, index + 2),
    },
    expected: expectedEnd(chaosCase),
  };
}
