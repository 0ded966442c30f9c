// Starts the polling peer beside a twinflow stack: its agents (no webhooks: it never listens) and its worker
// process.
import type { RunBehaviourInput } from '../../../providers/twin/emulator/control-client.js';
import type { BenchContext } from '../../lib/benchmark.js';
import { startNodeProcess } from '../../lib/processes.js';
import type { BenchStack } from '../../lib/stack.js';
import { createAgents, INSTANT } from '../agents.js';
import { bundlePeerWorkflows } from '../bundle.js';
import { peerEnv } from '../peer-env.js';
import { peerSide } from '../peer-side.js';
import type { Side } from '../side.js';
import { POLLING_PEER_TASK_QUEUE } from './api.js';

export async function startPollingPeer(
  ctx: BenchContext,
  stack: BenchStack,
  fleetAgents: number,
  handoffScript: RunBehaviourInput[],
): Promise<Side> {
  const env = peerEnv(stack, await bundlePeerWorkflows('polling/workflows.ts', ctx.tempDir));
  const [handoffAgent] = await createAgents(stack, 'peer_polling_handoff', 1, handoffScript);
  const fleet = await createAgents(stack, 'peer_polling', fleetAgents, INSTANT);
  const worker = await startNodeProcess({
    name: 'peer-polling-worker',
    entry: 'bench/peers/polling/worker.ts',
    env,
    cpuProfileDir: ctx.cpuProfileDir,
  });
  try {
    await worker.message('ready');
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return peerSide({
    name: 'polling peer',
    client: stack.client,
    workflowType: 'pollingPipeline',
    taskQueue: POLLING_PEER_TASK_QUEUE,
    handoffAgent: handoffAgent as string,
    fleetAgents: fleet,
    stepWorkflows: () => [],
    processes: { worker },
    stop: () => worker.stop(),
  });
}
