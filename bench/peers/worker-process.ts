// What both peers' worker processes share: a plain Temporal Worker with the SDK's defaults on the peer's own task
// queue, loading the workflow bundle the benchmark built (so webpack's memory never counts in the worker's
// RSS), announcing readiness over IPC and draining on SIGTERM. Configured by the environment:
// PEER_WORKFLOW_BUNDLE, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TWIN_API_BASE_URL, TWIN_API_KEY.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { TwinTarget } from './twin-http.js';

export interface PeerWorkerEnv {
  twin: TwinTarget;
  temporalAddress: string;
  namespace: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function peerWorkerEnv(): PeerWorkerEnv {
  return {
    twin: { baseUrl: required('TWIN_API_BASE_URL'), apiKey: required('TWIN_API_KEY') },
    temporalAddress: required('TEMPORAL_ADDRESS'),
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  };
}

export async function runPeerWorker(
  env: PeerWorkerEnv,
  taskQueue: string,
  activities: object,
): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: { codePath: required('PEER_WORKFLOW_BUNDLE') },
    activities,
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.send?.({ type: 'ready' });
  await worker.run();
  await connection.close();
}

export function exitOnFailure(run: Promise<void>): void {
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
