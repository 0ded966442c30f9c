// What a person needs right after `npm start`: where each piece listens, where the state and the control token
// are, and the one command that shows the whole thing working.
import path from 'node:path';
import { DEMO_INPUT, DEMO_PIPELINE } from './demo-agents.js';
import type { RunningStack } from './stack.js';

/** Printed once everything is ready; tests wait for this exact line. */
export const READY_LINE = 'twinflow local stack is ready';

/**
 * The Web UI's workflow list also shows twinflow's internals (one tracker per Twin run, one lane per agent); this
 * saved filter shows only pipelines, which carry the TwinflowPipeline search attribute from their start.
 */
export const PIPELINES_ONLY_QUERY = 'TwinflowPipeline IS NOT NULL';

export function pipelinesFilterUrl(uiUrl: string, namespace = 'default'): string {
  return `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(PIPELINES_ONLY_QUERY)}`;
}

/** The repository's demo runs as it is; a project's own pipelines need the input its schema shows. */
function tryIt(pipelines: readonly string[]): string[] {
  if (pipelines.includes(DEMO_PIPELINE))
    return [`  Try it:   npx twinflow run ${DEMO_PIPELINE} --input '${JSON.stringify(DEMO_INPUT)}' --wait`];
  const first = pipelines[0] ?? '<pipeline>';
  return [
    `  Try it:   npx twinflow run ${first} --input '{...}' --wait   (the input: npx twinflow pipelines)`,
  ];
}

function managedAgentsRow({ settings, managedAgents }: RunningStack): [string, string] {
  if (settings.managedAgentsEmulator && managedAgents) {
    const agents = managedAgents.agents.map((a) => a.agentId).join(', ') || 'none';
    return ['Managed agents', `${managedAgents.baseUrl}  (emulator for session steps; agents: ${agents})`];
  }
  if (managedAgents) return ['Managed agents', managedAgents.baseUrl];
  return [
    'Managed agents',
    'not configured: session steps fail until MANAGED_AGENTS_BASE_URL and _API_KEY are set',
  ];
}

export function renderBanner(stack: RunningStack): string[] {
  const { settings, controlToken, seed } = stack;
  const where = (file: string) => {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  };
  const rows: [string, string][] = [
    ['Temporal', `${settings.temporal.address}  (state: ${where(settings.temporal.dbFile)})`],
    ['Web UI', settings.temporal.uiUrl],
    ['… pipelines only', pipelinesFilterUrl(settings.temporal.uiUrl)],
    ['Receiver', `${settings.receiver.url}  (webhooks: ${settings.receiver.webhookUrl}, metrics: /metrics)`],
    ['Worker metrics', settings.workerMetricsUrl],
    seed && settings.emulator
      ? [
          'Twin emulator',
          `${seed.emulatorUrl}  (profile: ${settings.config.EMULATOR_PROFILE}; state: ${where(settings.emulator.stateFile)}; agents: ${seed.agents.map((a) => a.agentId).join(', ')})`,
        ]
      : [
          'Twin',
          `${settings.config.TWIN_API_BASE_URL}  (register webhooks: npx twinflow webhooks register --agent <id> --url <public URL>)`,
        ],
    managedAgentsRow(stack),
    ...stack.providers.map(({ label, url }): [string, string] => [label, url]),
    ['Webhook secrets', where(settings.secretsFile)],
    [
      'Control token',
      controlToken.file
        ? `${where(controlToken.file)}  (Authorization: Bearer <token>)`
        : 'from CONTROL_API_TOKEN',
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    `  ${READY_LINE}`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    ...tryIt(settings.project.pipelines),
    '            npx twinflow pipelines   |   npx twinflow list   |   npx twinflow --help',
    '  Stop:     Ctrl-C (state stays in the data directory for the next start)',
    '',
  ];
}
