// Benchmark 2's baseline: no HTTP, no verification, just `concurrency` loops calling the same
// signal-with-start the receiver's hand-off makes (same workflow, ID scheme, arguments, signal and reuse
// policy) against the same server, as fast as Temporal answers. What the receiver adds on top is the ratio.
import { randomBytes } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import { runTrackerWorkflow } from '../../providers/twin/workflows/run-tracker.js';
import { observeRunSignal, runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';

const runRequestSchema = z.object({
  type: z.literal('run'),
  concurrency: z.number().int().positive(),
  durationSeconds: z.number().positive(),
  taskQueue: z.string().min(1),
  agentId: z.string().min(1),
});
export type SignalLoopRequest = z.infer<typeof runRequestSchema>;

export interface SignalLoopResult {
  type: 'result';
  ok: number;
  errors: number;
  latenciesMs: number[];
  durationSeconds: number;
}

const prefix = `run_s${randomBytes(4).toString('hex')}`;
let counter = 0;

async function runLoops(client: Client, request: SignalLoopRequest): Promise<SignalLoopResult> {
  const result: SignalLoopResult = { type: 'result', ok: 0, errors: 0, latenciesMs: [], durationSeconds: 0 };
  const started = performance.now();
  const deadline = started + request.durationSeconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const observation: RunObservation = {
        runId: `${prefix}_${++counter}`,
        agentId: request.agentId,
        status: 'in_progress',
        observedAt: new Date().toISOString(),
        source: 'webhook',
      };
      const t0 = performance.now();
      try {
        await client.workflow.signalWithStart(runTrackerWorkflow, {
          workflowId: runTrackerWorkflowId(observation.runId),
          taskQueue: request.taskQueue,
          args: [{ runId: observation.runId, agentId: observation.agentId }],
          signal: observeRunSignal,
          signalArgs: [observation],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        result.ok++;
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) result.ok++;
        else result.errors++;
      }
      result.latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, loop));
  result.durationSeconds = (performance.now() - started) / 1000;
  return result;
}

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  process.on('message', (message: unknown) => {
    const request = runRequestSchema.parse(message);
    runLoops(client, request).then(
      (result) => process.send?.(result),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.once('SIGTERM', () => {
    void connection.close().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
