// twinflow as one side of the comparison, on the stack bench/lib/stack.ts starts: pipelines through the control
// layer (lib/pipelines.ts), and a step's cost summed over the pipeline, its run trackers and its share of the
// agent lane, as benchmark 5 counts it.
import { agentLaneWorkflowId } from '../../providers/twin/workflows/agent-lane-api.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import { fetchHistories } from '../lib/history.js';
import { runFleet, sequentialPipeline, succeeded } from '../lib/pipelines.js';
import type { BenchStack } from '../lib/stack.js';
import type { HistoryCost, Side } from './side.js';

export function twinflowSide(stack: BenchStack, handoffAgent: string, fleetAgents: string[]): Side {
  /** Permits each agent's lane granted: its history is shared by all of them. */
  const grants = new Map<string, number>();
  return {
    name: 'twinflow',
    handoffAgent,
    fleetAgents,
    processes: { worker: stack.worker, receiver: stack.receiver },
    async fleet(agents, steps, deadlineMs) {
      for (const agent of agents) grants.set(agent, (grants.get(agent) ?? 0) + steps);
      const definition = sequentialPipeline(`bench-peers-${steps}`, steps);
      const run = await runFleet(stack, definition, agents, deadlineMs);
      return {
        wallMs: run.wallMs,
        pipelines: run.outcomes.map((o) => ({
          workflowId: o.workflowId,
          runIds: succeeded(o) ? (o.state?.steps ?? []).map((s) => s.runId ?? '') : [],
          error: succeeded(o) ? undefined : (o.error ?? o.state?.error ?? o.state?.status),
        })),
      };
    },
    async historyCost(pipeline) {
      const ids = [pipeline.workflowId, ...pipeline.runIds.map(runTrackerWorkflowId)];
      const histories = await mapLimit(ids, 8, (id) => fetchHistories(stack.client, id));
      const own = histories.reduce<HistoryCost>(
        (sum, h) => ({ events: sum.events + h.events, bytes: sum.bytes + h.bytes }),
        { events: 0, bytes: 0 },
      );
      // The lane of the hand-off agent, shared by every step run on it so far: this pipeline's share of it.
      const lane = await fetchHistories(stack.client, agentLaneWorkflowId(handoffAgent));
      const share = pipeline.runIds.length / (grants.get(handoffAgent) ?? Number.NaN);
      return { events: own.events + lane.events * share, bytes: own.bytes + lane.bytes * share };
    },
    // The stack outlives the side: the peers run on its server and emulator.
    close: async () => undefined,
  };
}
