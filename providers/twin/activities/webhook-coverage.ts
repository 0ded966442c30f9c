// Which agents tell twinflow about their runs by webhook. An agent without an active webhook for run.completed
// would have each step wait the whole reconcile window (60 s by default) before its run's end is polled, and its
// outcomes would stay unknown (only the webhook carries one): such runs are polled soon, with the tracker's usual
// doubling backoff, and the worker says once per agent what to do about it.
import type { Logger } from 'pino';
import type { TwinClient } from '../client/client.js';

/** A run of an agent without a webhook is first polled after this long, then less and less often. */
export const UNWEBHOOKED_RECONCILE_MS = 2_000;
/** Webhooks are registered rarely: each agent's are read again after this long. */
const COVERAGE_TTL_MS = 5 * 60_000;

export interface WebhookCoverage {
  /** True when the agent has an active webhook for run.completed; true as well when Twin could not be asked. */
  covers(agentId: string): Promise<boolean>;
}

export function createWebhookCoverage(
  twin: TwinClient,
  logger?: Logger,
  now = () => Date.now(),
): WebhookCoverage {
  const known = new Map<string, { covered: boolean; at: number }>();
  const warned = new Set<string>();
  return {
    async covers(agentId) {
      const cached = known.get(agentId);
      if (cached && now() - cached.at < COVERAGE_TTL_MS) return cached.covered;
      let covered: boolean;
      try {
        const { webhooks } = await twin.listWebhooks(agentId);
        covered = webhooks.some((hook) => hook.status === 'active' && hook.events.includes('run.completed'));
      } catch (error) {
        // Not knowing is no reason to poll harder: the normal window still reconciles every run.
        logger?.debug({ agentId, err: error }, 'could not read the agent’s webhooks');
        return true;
      }
      known.set(agentId, { covered, at: now() });
      if (!covered && !warned.has(agentId)) {
        warned.add(agentId);
        logger?.warn(
          { agentId },
          `agent ${agentId} has no active webhook for run.completed: its runs are polled instead, and their ` +
            `outcomes stay unknown. Register one: npx twinflow webhooks register --agent ${agentId} --url <receiver>/webhooks/twin`,
        );
      }
      return covered;
    },
  };
}
