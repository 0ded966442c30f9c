// `npm start`: the whole of twinflow on one machine in one terminal. Reads .env when there is one, starts the
// stack, prints where everything is, and on Ctrl-C (SIGINT) or SIGTERM stops every process before exiting.
// A second Ctrl-C gives up waiting and kills what is left.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../shared/config.js';
import { PROJECT_ROOT } from '../shared/temporal-dev-server.js';
import { renderBanner } from './banner.js';
import { resolveStackSettings, StackSettingsError } from './settings.js';
import { startStack, type RunningStack } from './stack.js';
import { createStackLog } from './stack-log.js';
import { errorMessage } from './supervisor.js';

const SECOND_SIGNAL_AFTER_MS = 1_500;

async function main(): Promise<number> {
  const envFile = path.join(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const log = createStackLog();
  const settings = resolveStackSettings(loadConfig(), PROJECT_ROOT);

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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof StackSettingsError;
    process.stderr.write(
      `[supervisor] the stack could not start: ${known ? error.message : errorMessage(error)}\n`,
    );
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
