// The polling peer's activities: start a run, and read it every POLL_INTERVAL_MS until it is terminal,
// heartbeating between reads so Temporal notices a dead worker (and the activity notices a cancellation).
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { isTerminalStatus, startTwinRun, twinRunStatus, type TwinTarget } from '../twin-http.js';
import { POLL_INTERVAL_MS } from './api.js';

export interface PollingPeerActivities {
  startRun(input: { agentId: string; message: string }): Promise<string>;
  /** Resolves with the run's terminal status word. */
  waitForRun(input: { agentId: string; runId: string }): Promise<string>;
}

export function pollingPeerActivities(twin: TwinTarget): PollingPeerActivities {
  return {
    startRun: ({ agentId, message }) => startTwinRun(twin, agentId, message),
    async waitForRun({ agentId, runId }) {
      const context = Context.current();
      for (;;) {
        const status = await twinRunStatus(twin, agentId, runId);
        if (isTerminalStatus(status)) return status;
        context.heartbeat();
        await sleep(POLL_INTERVAL_MS, undefined, { signal: context.cancellationSignal });
      }
    },
  };
}
