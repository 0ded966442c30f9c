// The polling peer's worker process (started by the benchmark like bench/processes/worker.ts for twinflow).
import { exitOnFailure, peerWorkerEnv, runPeerWorker } from '../worker-process.js';
import { pollingPeerActivities } from './activities.js';
import { POLLING_PEER_TASK_QUEUE } from './api.js';

const env = peerWorkerEnv();
exitOnFailure(runPeerWorker(env, POLLING_PEER_TASK_QUEUE, pollingPeerActivities(env.twin)));
