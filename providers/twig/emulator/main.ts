// The Twig emulator as a process, for the local stack (`npm start` without a TWIG_API_KEY of the user's own).
// It listens on EMULATOR_HOST:TWIG_EMULATOR_PORT, accepts the key the stack generated (TWIG_API_KEY, all
// scopes) and signs its webhooks with the first of TWIG_WEBHOOK_SECRETS towards TWIG_EMULATOR_WEBHOOK_URL.
// Its state lives in memory.
import { loadConfig } from '../../../services/shared/config.js';
import { createLogger } from '../../../services/shared/logger.js';
import { startTwigEmulator } from './server.js';
import { runEmulatorProcess } from '../../shared/emulator/process-main.js';

async function main() {
  const config = loadConfig();
  const logger = createLogger('twig-emulator', config.LOG_LEVEL);
  const key = config.TWIG_API_KEY;
  if (!key) throw new Error('TWIG_API_KEY is not set: the emulator needs the key it should accept');
  const emulator = await startTwigEmulator({
    host: config.EMULATOR_HOST,
    port: config.TWIG_EMULATOR_PORT,
    logger,
  });
  emulator.issueKey({ key });
  const url = process.env.TWIG_EMULATOR_WEBHOOK_URL;
  const [secret] = config.TWIG_WEBHOOK_SECRETS;
  if (url && secret) emulator.setWebhook({ url, secret });
  logger.info({ url: emulator.url, webhooks: url ?? 'none' }, 'twig emulator listening');
  return emulator;
}

await runEmulatorProcess(main);
