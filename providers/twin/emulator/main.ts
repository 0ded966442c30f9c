// `npm run emulator`: a local Twin for development, configured from the environment (EMULATOR_HOST,
// EMULATOR_PORT, EMULATOR_STATE_FILE, EMULATOR_LEGACY_ERRORS, EMULATOR_PROFILE) with --port / --state-file /
// --profile overrides.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../services/shared/config.js';
import { createLogger } from '../../../services/shared/logger.js';
import { profileRules, type Profile } from './profile.js';
import { startEmulator } from './server.js';

function portArgument(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number');
  return port;
}

function profileArgument(value: string): Profile {
  try {
    return profileRules(value, '--profile').name;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const cli = new Command('twin-emulator')
    .description('Run a local Twin API emulator (control API under /_emulator, for local use only)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', portArgument)
    .option('--state-file <path>', 'persist state to this JSON file')
    .option(
      '--profile <profile>',
      'documented (the default: only what Twin documents) or rich',
      profileArgument,
    )
    .parse();
  const flags = cli.opts<{ port?: number; stateFile?: string; profile?: Profile }>();
  const profile = flags.profile ?? config.EMULATOR_PROFILE;
  const logger = createLogger('twin-emulator', config.LOG_LEVEL);

  const emulator = await startEmulator({
    profile,
    host: config.EMULATOR_HOST,
    port: flags.port ?? config.EMULATOR_PORT,
    stateFile: flags.stateFile ?? config.EMULATOR_STATE_FILE,
    legacyErrors: config.EMULATOR_LEGACY_ERRORS,
    logger,
  });
  logger.info(
    { url: emulator.url, profile },
    `Twin emulator (${profile} profile) listening on ${emulator.url}`,
  );

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping Twin emulator');
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'Twin emulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
