// What the comparison needs from each implementation it measures (twinflow, and each hand-written peer): run
// pipelines of N sequential agent steps and say which Twin runs they made, say which workflow histories one
// pipeline wrote, and name the processes whose memory and CPU count.
import type { NodeProcess } from '../lib/processes.js';

export interface PipelineRun {
  workflowId: string;
  /** The pipeline's Twin runs in step order; empty when it failed. */
  runIds: string[];
  error?: string;
}

export interface FleetResult {
  pipelines: PipelineRun[];
  /** First start request → last result. */
  wallMs: number;
}

export interface HistoryCost {
  events: number;
  bytes: number;
}

export interface Side {
  /** As the table names it: `twinflow`, `webhook-forwarding peer`, … */
  name: string;
  /** Agent whose runs take 0–1 s (see spreadScript): the hand-off rounds run on it, one pipeline at a time. */
  handoffAgent: string;
  /** Agents with instant runs for the fleet, each with a webhook where the side uses webhooks. */
  fleetAgents: string[];
  /** Starts one `steps`-step pipeline per entry of `agents` at once and waits for all (or the deadline). */
  fleet(agents: readonly string[], steps: number, deadlineMs: number): Promise<FleetResult>;
  /** Everything one pipeline wrote to Temporal, summed over the workflows its steps touched. */
  historyCost(pipeline: PipelineRun): Promise<HistoryCost>;
  /** The processes that do the side's work besides Temporal and Twin, by name; the worker is `worker`. */
  processes: Record<string, NodeProcess>;
  close(): Promise<void>;
}
