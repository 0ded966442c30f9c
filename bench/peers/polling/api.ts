// The polling peer's names and payloads, shared by its workflow, its activities and the benchmark.
export const POLLING_PEER_TASK_QUEUE = 'peer-polling';

/** How often the poll activity reads the run: what a user picks to keep Twin calls (and latency) moderate. */
export const POLL_INTERVAL_MS = 1_000;

export interface PipelineInput {
  agentId: string;
  steps: number;
}

export interface PipelineResult {
  runIds: string[];
}
