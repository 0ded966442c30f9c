// A hand-written peer as one side of the comparison: its pipelines are plain workflow starts on its own task
// queue, awaited through their results, with the same start and wait concurrency lib/pipelines.ts uses for
// twinflow; a pipeline's cost is its own history plus those of the per-step workflows the peer names.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { mapLimit } from '../../services/shared/map-limit.js';
import { fetchHistories } from '../lib/history.js';
import type { NodeProcess } from '../lib/processes.js';
import type { HistoryCost, PipelineRun, Side } from './side.js';

const START_CONCURRENCY = 50;
const RESULT_WAITERS = 100;

export interface PeerSideOptions {
  name: string;
  client: Client;
  workflowType: string;
  taskQueue: string;
  handoffAgent: string;
  fleetAgents: string[];
  /** Workflows other than the pipeline that a pipeline's runs created (the webhook peer's forwarders). */
  stepWorkflows(runIds: readonly string[]): string[];
  processes: Record<string, NodeProcess>;
  stop(): Promise<void>;
}

function errorChain(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 4; e = e.cause)
    messages.push(e.message);
  return messages.join(': ') || String(error);
}

export function peerSide(options: PeerSideOptions): Side {
  const { client } = options;
  return {
    name: options.name,
    handoffAgent: options.handoffAgent,
    fleetAgents: options.fleetAgents,
    processes: options.processes,
    async fleet(agents, steps, deadlineMs) {
      const batch = randomUUID().slice(0, 8);
      const deadline = new Date(Date.now() + deadlineMs);
      const t0 = performance.now();
      let last = t0;
      const ids = await mapLimit(agents, START_CONCURRENCY, async (agentId, i) => {
        const workflowId = `${options.taskQueue}/${batch}-${i}`;
        await client.workflow.start(options.workflowType, {
          workflowId,
          taskQueue: options.taskQueue,
          args: [{ agentId, steps }],
        });
        return workflowId;
      });
      const pipelines = await mapLimit(ids, RESULT_WAITERS, async (workflowId): Promise<PipelineRun> => {
        try {
          const result = await client.connection.withDeadline(
            deadline,
            () => client.workflow.getHandle(workflowId).result() as Promise<{ runIds: string[] }>,
          );
          last = performance.now();
          return { workflowId, runIds: result.runIds };
        } catch (error) {
          return { workflowId, runIds: [], error: errorChain(error) };
        }
      });
      return { pipelines, wallMs: last - t0 };
    },
    async historyCost(pipeline): Promise<HistoryCost> {
      const ids = [pipeline.workflowId, ...options.stepWorkflows(pipeline.runIds)];
      const histories = await mapLimit(ids, 8, (id) => fetchHistories(client, id));
      return {
        events: histories.reduce((n, h) => n + h.events, 0),
        bytes: histories.reduce((n, h) => n + h.bytes, 0),
      };
    },
    close: options.stop,
  };
}
