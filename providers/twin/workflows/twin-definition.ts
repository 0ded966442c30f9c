// The Twin step kinds of a pipeline definition (docs/pipelines.md): an agent run, and the admin calls that change
// an agent's schedule or instructions. Pure types and words: the workflow bundle and Node share them.
import type { StepBase } from '../../../workflows/pipeline-definition.js';
import type { FailureKind, RetryPolicy } from './agent-retry.js';

export const SCHEDULE_ACTIONS = ['set', 'pause', 'resume', 'delete'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

/** Starts a Twin run and waits for it to end. Strings may be templates. */
export interface AgentStep extends StepBase {
  kind: 'agent';
  agent: string;
  message?: string;
  runMode?: 'build' | 'run';
  skipDeployCheck?: boolean;
  retry?: RetryPolicy;
  /**
   * Which ends count as failure (and are retried while `retry` allows): outcomes `fail`, `partial`, `unknown`, run
   * statuses `failed`, `stopped`. Default `DEFAULT_STEP_FAIL_ON` (providers/twin/workflows/agent-retry.ts): a failed or stopped run. Naming `fail` or `partial` makes an unknown
   * outcome a failure too, retried only if `unknown` is named.
   */
  failOn?: FailureKind[];
  /** Event kinds that carry the agent's answer (`output`); default assistant_message, message, output. */
  outputFrom?: string[];
}

/** Sets, pauses, resumes or deletes an agent's Twin cron schedule (7 fields: sec min hour day month dow year). */
export interface RescheduleStep extends StepBase {
  kind: 'reschedule';
  agent: string;
  action: ScheduleAction;
  /** Required for `set`, a literal so it is validated at load. */
  cron?: string;
  retry?: RetryPolicy;
}

/** Replaces an agent's instructions (Twin keeps the version history). */
export interface InstructionsStep extends StepBase {
  kind: 'instructions';
  agent: string;
  content: string;
  retry?: RetryPolicy;
}

export type TwinStep = AgentStep | RescheduleStep | InstructionsStep;
