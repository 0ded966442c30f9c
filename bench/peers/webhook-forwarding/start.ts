// Starts the webhook peer beside a twinflow stack: its agents (each with a webhook to the peer's receiver), the
// receiver process and the worker process, both as separate processes like twinflow's.
import { freePort } from '../../../services/shared/processes.js';
import type { BenchContext } from '../../lib/benchmark.js';
import { startNodeProcess, stopAll, waitForHttp, type NodeProcess } from '../../lib/processes.js';
import type { BenchStack } from '../../lib/stack.js';
import { addWebhooks, createAgents, INSTANT } from '../agents.js';
import { bundlePeerWorkflows } from '../bundle.js';
import { peerEnv } from '../peer-env.js';
import { peerSide } from '../peer-side.js';
import type { RunBehaviourInput } from '../../../providers/twin/emulator/control-client.js';
import type { Side } from '../side.js';
import { forwarderId, WEBHOOK_PEER_TASK_QUEUE } from './api.js';

export async function startWebhookPeer(
  ctx: BenchContext,
  stack: BenchStack,
  fleetAgents: number,
  handoffScript: RunBehaviourInput[],
): Promise<Side> {
  const env = peerEnv(stack, await bundlePeerWorkflows('webhook-forwarding/workflows.ts', ctx.tempDir));
  const [handoffAgent] = await createAgents(stack, 'peer_webhook_handoff', 1, handoffScript);
  const fleet = await createAgents(stack, 'peer_webhook', fleetAgents, INSTANT);
  const port = await freePort();
  const secrets = await addWebhooks(
    stack,
    [handoffAgent as string, ...fleet],
    (agent) => `http://127.0.0.1:${port}/webhooks/${agent}`,
  );
  const started: NodeProcess[] = [];
  try {
    const profile = { cpuProfileDir: ctx.cpuProfileDir };
    const receiver = await startNodeProcess({
      name: 'peer-webhook-receiver',
      entry: 'bench/peers/webhook-forwarding/receiver.ts',
      env: { ...env, PEER_RECEIVER_PORT: String(port), PEER_WEBHOOK_SECRETS: JSON.stringify(secrets) },
      ...profile,
    });
    started.push(receiver);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 'the webhook peer’s receiver');
    const worker = await startNodeProcess({
      name: 'peer-webhook-worker',
      entry: 'bench/peers/webhook-forwarding/worker.ts',
      env,
      ...profile,
    });
    started.push(worker);
    await worker.message('ready');
    return peerSide({
      name: 'webhook-forwarding peer',
      client: stack.client,
      workflowType: 'webhookPipeline',
      taskQueue: WEBHOOK_PEER_TASK_QUEUE,
      handoffAgent: handoffAgent as string,
      fleetAgents: fleet,
      stepWorkflows: (runIds) => runIds.map(forwarderId),
      processes: { worker, receiver },
      stop: () => stopAll(started),
    });
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}
