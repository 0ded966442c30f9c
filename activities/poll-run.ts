// Reconciliation: asks Twin for one run's state when its tracker has heard nothing for a while, so a
// pipeline finishes even if every webhook is lost. Runs on its own task queue (see run-tracker.ts).
import type { TwinClient } from '../services/twin-api/client.js';
import { isOutcome, normaliseRunStatus, type RunObservation } from '../services/twin-api/run-status.js';

export interface PollRunInput {
  agentId: string;
  runId: string;
}

export function createPollActivities(deps: { twin: TwinClient }) {
  return {
    /** Null when Twin does not know the run (yet): the tracker keeps waiting. */
    async pollRun({ agentId, runId }: PollRunInput): Promise<RunObservation | null> {
      const { runs } = await deps.twin.listRuns(agentId, { filter_run_id: runId, page_size: 1 });
      const run = runs.find((r) => r.run_id === runId);
      if (!run) return null;
      const status = normaliseRunStatus(run.status);
      if (!status) throw new Error(`Twin answered an undocumented run status "${run.status}" for ${runId}`);
      return {
        runId,
        agentId,
        status,
        outcome: isOutcome(run.outcome) ? run.outcome : undefined,
        summary: typeof run.summary === 'string' ? run.summary : undefined,
        finishedAt: typeof run.finished_at === 'string' ? run.finished_at : undefined,
        observedAt: new Date().toISOString(),
        source: 'poll',
      };
    },
  };
}

export type PollActivities = ReturnType<typeof createPollActivities>;
