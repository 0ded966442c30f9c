// The local stack's managed-agent platform: without MANAGED_AGENTS_API_KEY the stack runs the emulator
// (providers/managed-agents/emulator/main.ts) with a key generated for this start and the project's demo
// session agents, and hands the worker its address and key; with a key of the user's own, the worker talks to
// MANAGED_AGENTS_BASE_URL and nothing is started here.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SEED_AGENTS_VARIABLE } from '../../providers/managed-agents/emulator/server.js';
import { demoSessionAgents, type DemoSessionAgent } from './demo-sessions.js';
import { httpOk, waitUntil } from './readiness.js';
import type { StackSettings } from './settings.js';
import type { StackLog } from './stack-log.js';
import { nodeService, type SupervisedService } from './supervisor.js';

/** Where the worker finds the platform behind session steps; undefined when none is configured. */
export interface ManagedAgentsPlatform {
  baseUrl: string;
  apiKey: string;
  /** The emulator's demo agents, when the stack runs it. */
  agents: DemoSessionAgent[];
}

export function configuredPlatform(settings: StackSettings): ManagedAgentsPlatform | undefined {
  const { MANAGED_AGENTS_API_KEY: apiKey, MANAGED_AGENTS_BASE_URL: baseUrl } = settings.config;
  return apiKey && baseUrl ? { apiKey, baseUrl, agents: [] } : undefined;
}

/** The emulator as a supervised service, and the platform it plays once `ready()` resolves. */
export function managedAgentsEmulator(
  settings: StackSettings,
  baseEnv: NodeJS.ProcessEnv,
): {
  service: SupervisedService;
  platform: ManagedAgentsPlatform;
  ready(log: StackLog, aborted: () => boolean): Promise<void>;
} {
  const emulator = settings.managedAgentsEmulator;
  if (!emulator) throw new Error('managed-agents emulator settings missing');
  // In memory only, so a new key each start costs nothing and no secret outlives the stack.
  const apiKey = `ma_local_${randomBytes(16).toString('hex')}`;
  const agents = demoSessionAgents(settings.project.sessionRoles);
  const service = nodeService({
    name: 'managed-agents',
    entry: path.join(settings.packageRoot, 'providers/managed-agents/emulator/main.ts'),
    cwd: settings.project.dir,
    env: {
      ...baseEnv,
      EMULATOR_HOST: settings.config.EMULATOR_HOST,
      MANAGED_AGENTS_EMULATOR_PORT: String(emulator.port),
      MANAGED_AGENTS_API_KEY: apiKey,
      [SEED_AGENTS_VARIABLE]: JSON.stringify(
        agents.map((a) => ({ id: a.agentId, name: `demo ${a.role}`, turns: a.turns })),
      ),
    },
  });
  return {
    service,
    platform: { baseUrl: emulator.url, apiKey, agents },
    ready: (log, aborted) =>
      waitUntil(() => httpOk(`${emulator.url}/v1/agents`, { authorization: `Bearer ${apiKey}` }), {
        what: 'the managed-agents emulator',
        log,
        aborted,
      }),
  };
}
