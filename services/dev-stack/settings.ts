// Turns the shared configuration into the concrete layout of the local stack: which ports, which files in the
// data directory, which URLs. Every port comes from the environment (TEMPORAL_ADDRESS, TEMPORAL_UI_PORT,
// RECEIVER_PORT, EMULATOR_PORT, MANAGED_AGENTS_EMULATOR_PORT, WORKER_METRICS_PORT), so tests and people with busy ports can move all of it.
import path from 'node:path';
import type { Config } from '../shared/config.js';
import { WEBHOOK_PATH } from '../receiver/webhook-route.js';

export class StackSettingsError extends Error {
  override name = 'StackSettingsError';
}

/** The user's project the stack serves: its config, what to watch, and the roles its demo agents play. */
export interface StackProject {
  file: string;
  dir: string;
  sources: string[];
  roles: string[];
  /** Roles of its managed-agent session steps, played by the managed-agent emulator's demo agents. */
  sessionRoles: string[];
  /** Names of its pipelines, for the banner's first command. */
  pipelines: string[];
}

export interface StackSettings {
  config: Config;
  /** Where twinflow itself is installed: the services the stack launches live there. */
  packageRoot: string;
  project: StackProject;
  dataDir: string;
  temporal: { port: number; uiPort: number; address: string; uiUrl: string; dbFile: string };
  receiver: { port: number; url: string; webhookUrl: string };
  workerMetricsUrl: string;
  /** Absent when TWIN_API_KEY is set: then the stack talks to the real Twin. */
  emulator?: { port: number; url: string; stateFile: string };
  /** Absent when MANAGED_AGENTS_API_KEY is set: then session steps use that platform. */
  managedAgentsEmulator?: { port: number; url: string };
  secretsFile: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The dev server listens where TEMPORAL_ADDRESS says, so the CLI with the same environment finds it. */
function temporalPort(address: string): number {
  const match = /^(.+):(\d+)$/.exec(address);
  if (!match?.[1] || !match[2])
    throw new StackSettingsError(`TEMPORAL_ADDRESS "${address}" is not host:port`);
  if (!LOOPBACK_HOSTS.has(match[1])) {
    throw new StackSettingsError(
      `TEMPORAL_ADDRESS "${address}" is not local: \`npm start\` runs its own Temporal dev server on this machine. ` +
        'Unset TEMPORAL_ADDRESS or use localhost:<port>; for a remote Temporal run the worker and receiver alone.',
    );
  }
  return Number(match[2]);
}

export function resolveStackSettings(
  config: Config,
  { packageRoot, project }: { packageRoot: string; project: StackProject },
  cwd = project.dir,
): StackSettings {
  const dataDir = path.resolve(cwd, config.TWINFLOW_DATA_DIR);
  const port = temporalPort(config.TEMPORAL_ADDRESS);
  const receiverUrl = `http://127.0.0.1:${config.RECEIVER_PORT}`;
  const emulatorHost = config.EMULATOR_HOST === '0.0.0.0' ? '127.0.0.1' : config.EMULATOR_HOST;
  return {
    config,
    packageRoot,
    project,
    dataDir,
    temporal: {
      port,
      uiPort: config.TEMPORAL_UI_PORT,
      address: `127.0.0.1:${port}`,
      uiUrl: `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
      dbFile: path.join(dataDir, 'temporal.db'),
    },
    receiver: { port: config.RECEIVER_PORT, url: receiverUrl, webhookUrl: `${receiverUrl}${WEBHOOK_PATH}` },
    workerMetricsUrl: `http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics`,
    emulator: config.TWIN_API_KEY
      ? undefined
      : {
          port: config.EMULATOR_PORT,
          url: `http://${emulatorHost}:${config.EMULATOR_PORT}`,
          stateFile: path.resolve(cwd, config.EMULATOR_STATE_FILE ?? path.join(dataDir, 'emulator.json')),
        },
    managedAgentsEmulator: config.MANAGED_AGENTS_API_KEY
      ? undefined
      : {
          port: config.MANAGED_AGENTS_EMULATOR_PORT,
          url: `http://${emulatorHost}:${config.MANAGED_AGENTS_EMULATOR_PORT}`,
        },
    secretsFile: path.resolve(cwd, config.WEBHOOK_SECRETS_FILE),
  };
}
