// The Twin.ai emulator as a process, for the local stack (`npm start` without a TWIN_AI_API_KEY of the user's
// own). It listens on EMULATOR_HOST:TWIN_AI_EMULATOR_PORT, accepts the key the stack generated
// (TWIN_AI_API_KEY), answers by the demo rules the stack passes (TWIN_AI_EMULATOR_RULES, JSON
// `[{match, answer}]`) and signs its escalation webhooks with the first of TWIN_AI_WEBHOOK_SECRETS towards
// TWIN_AI_EMULATOR_WEBHOOK_URL. Its state lives in memory.
import { z } from 'zod';
import { loadConfig } from '../../../services/shared/config.js';
import { createLogger } from '../../../services/shared/logger.js';
import { startTwinAiEmulator } from './server.js';
import { runEmulatorProcess } from '../../shared/emulator/process-main.js';

const rulesSchema = z.array(
  z.object({ match: z.string().min(1), answer: z.record(z.string(), z.unknown()) }),
);

async function main() {
  const config = loadConfig();
  const logger = createLogger('twin-ai-emulator', config.LOG_LEVEL);
  const key = config.TWIN_AI_API_KEY;
  if (!key) throw new Error('TWIN_AI_API_KEY is not set: the emulator needs the key it should accept');
  const webhookUrl = process.env.TWIN_AI_EMULATOR_WEBHOOK_URL;
  const [secret] = config.TWIN_AI_WEBHOOK_SECRETS;
  const emulator = await startTwinAiEmulator({
    host: config.EMULATOR_HOST,
    port: config.TWIN_AI_EMULATOR_PORT,
    rules: rulesSchema.parse(JSON.parse(process.env.TWIN_AI_EMULATOR_RULES ?? '[]')) as never,
    webhooks: webhookUrl && secret ? { urls: [webhookUrl], secret } : undefined,
    logger,
  });
  emulator.issueKey(key);
  logger.info({ url: emulator.url, webhooks: webhookUrl ?? 'none' }, 'twin-ai emulator listening');
  return emulator;
}

await runEmulatorProcess(main);
