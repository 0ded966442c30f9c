// The contract between the webhook peer's pieces: the pipeline workflow, the per-run forwarder workflow, the
// activity that starts runs and the Koa receiver. Pure definitions, so the workflow bundle can import them.
import { defineSignal } from '@temporalio/workflow';

export const WEBHOOK_PEER_TASK_QUEUE = 'peer-webhook-forwarding';

export interface PipelineInput {
  agentId: string;
  steps: number;
}

/** What a peer pipeline returns: the Twin runs of its steps, in order (the benchmark reads their timestamps). */
export interface PipelineResult {
  runIds: string[];
}

export interface ForwarderInput {
  runId: string;
}

/** A verified webhook's event and `data.status`, as the receiver hands it to the run's forwarder. */
export interface RunEvent {
  event: string;
  status: string;
}

/** The forwarder's workflow ID: one per Twin run, so every delivery for a run lands on the same workflow. */
export function forwarderId(runId: string): string {
  return `peer-run/${runId}`;
}

/** Receiver → forwarder: a delivery for this run (duplicates and non-terminal events included). */
export const runEventSignal = defineSignal<[RunEvent]>('runEvent');
/** Activity → forwarder: the pipeline waiting for this run, known once POST /runs has answered. */
export const pipelineKnownSignal = defineSignal<[string]>('pipelineKnown');
/** Forwarder → pipeline: the run ended. */
export const runEndedSignal = defineSignal<[{ runId: string; event: string }]>('runEnded');
