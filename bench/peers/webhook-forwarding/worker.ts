// The webhook peer's worker process. Its activity signals forwarders, so it also holds a Temporal client.
import { Client, Connection } from '@temporalio/client';
import { exitOnFailure, peerWorkerEnv, runPeerWorker } from '../worker-process.js';
import { webhookPeerActivities } from './activities.js';
import { WEBHOOK_PEER_TASK_QUEUE } from './api.js';

async function main(): Promise<void> {
  const env = peerWorkerEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  try {
    await runPeerWorker(env, WEBHOOK_PEER_TASK_QUEUE, webhookPeerActivities(env.twin, client));
  } finally {
    await connection.close();
  }
}

exitOnFailure(main());
