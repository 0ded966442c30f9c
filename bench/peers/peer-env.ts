// The environment a peer's processes get: the same Temporal server and Twin emulator (and API key) as the
// twinflow stack they are compared with, and the peer's own workflow bundle.
import type { BenchStack } from '../lib/stack.js';

export function peerEnv(stack: BenchStack, bundle: string): Record<string, string> {
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TWIN_API_BASE_URL, TWIN_API_KEY } = stack.workerEnv;
  return {
    TEMPORAL_ADDRESS: TEMPORAL_ADDRESS ?? '',
    TEMPORAL_NAMESPACE: TEMPORAL_NAMESPACE ?? 'default',
    TWIN_API_BASE_URL: TWIN_API_BASE_URL ?? '',
    TWIN_API_KEY: TWIN_API_KEY ?? '',
    PEER_WORKFLOW_BUNDLE: bundle,
  };
}
