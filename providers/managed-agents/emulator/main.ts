// The managed-agent platform emulator as a process, for the local stack (`npm start` without
// MANAGED_AGENTS_API_KEY of the user's own): it listens on EMULATOR_HOST:MANAGED_AGENTS_EMULATOR_PORT, accepts
// the key the stack generated (MANAGED_AGENTS_API_KEY) and starts with the demo agents the stack derived from
// the project (MANAGED_AGENTS_EMULATOR_AGENTS, JSON `[{id, name, turns}]`). Its state lives in memory: sessions
// are gone after a restart, which the local stack's pipelines never need.
import { z } from 'zod';
import { loadConfig } from '../../../services/shared/config.js';
import { createLogger } from '../../../services/shared/logger.js';
import { SEED_AGENTS_VARIABLE, startManagedAgentsEmulator } from './server.js';
import { runEmulatorProcess } from '../../shared/emulator/process-main.js';

const seedSchema = z.array(
  z.object({ id: z.string().min(1), name: z.string().min(1), turns: z.array(z.unknown()).min(1) }),
);

async function main() {
  const config = loadConfig();
  const logger = createLogger('managed-agents-emulator', config.LOG_LEVEL);
  const apiKey = config.MANAGED_AGENTS_API_KEY;
  if (!apiKey)
    throw new Error('MANAGED_AGENTS_API_KEY is not set: the emulator needs the key it should accept');
  const seed = seedSchema.parse(JSON.parse(process.env[SEED_AGENTS_VARIABLE] ?? '[]'));
  const emulator = await startManagedAgentsEmulator({
    host: config.EMULATOR_HOST,
    port: config.MANAGED_AGENTS_EMULATOR_PORT,
    apiKey,
    logger,
  });
  for (const agent of seed) emulator.createAgent({ name: agent.name }, agent.turns as never[], agent.id);
  logger.info({ url: emulator.url, agents: seed.map((a) => a.id) }, 'managed-agents emulator listening');
  return emulator;
}

await runEmulatorProcess(main);
