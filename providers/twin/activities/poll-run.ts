// Reconciliation: asks Twin for one run's state when its tracker has heard nothing for a while, so a
// pipeline finishes even if every webhook is lost. Runs on its own task queue (see run-tracker.ts).
import { log } from '@temporalio/activity';
import type { TwinClient } from '../client/client.js';
import { observationOfRunRecord, type RunObservation } from '../vocabulary/run-status.js';
import { callTwin } from './twin-failure.js';

export interface PollRunInput {
  agentId: string;
  runId: string;
}

export function createPollActivities(deps: { twin: TwinClient }) {
  return {
    /**
     * Null when Twin does not know the run (yet), or answers a status word no document lists: either way the
     * tracker keeps waiting, since an unknown word is no proof that the run ended.
     */
    async pollRun({ agentId, runId }: PollRunInput): Promise<RunObservation | null> {
      const { runs } = await callTwin(() =>
        deps.twin.listRuns(agentId, { filter_run_id: runId, page_size: 1 }),
      );
      const run = runs.find((r) => r.run_id === runId);
      if (!run) return null;
      const observation = observationOfRunRecord(run, new Date().toISOString(), 'poll');
      if (!observation) log.warn('Twin answered an undocumented run status', { runId, status: run.status });
      return observation ?? null;
    },
  };
}

export type PollActivities = ReturnType<typeof createPollActivities>;
