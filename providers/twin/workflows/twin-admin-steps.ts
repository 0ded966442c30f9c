// The Twin admin steps of the pipeline interpreter: `reschedule` changes an agent's Twin schedule, `instructions`
// replaces its instructions. Each is one activity on the main queue (it calls Twin, so it counts against Twin's
// budget), bounded by the step's timeout as schedule-to-close and retried by the step's policy.
import { proxyActivities } from '@temporalio/workflow';
import type { TwinAdminActivities } from '../activities/twin-admin.js';
import type { RetryPolicy } from './agent-retry.js';
import type {
  InstructionsStep,
  RescheduleStep,
  StepDefinition,
  StepResult,
} from '../../../workflows/pipeline-definition.js';

const ADMIN_CALL_TIMEOUT = '30 seconds';
const ADMIN_DEFAULT_ATTEMPTS = 5;

/** What the interpreter lends an admin step: template rendering, and agent references that it records. */
export interface TwinAdminStepContext {
  render(template: string): string;
  /** Renders an agent reference, failing the step on an empty ID, and records the agent for visibility. */
  resolveAgent(template: string): string;
}

function adminActivities(
  step: { id: string; timeout?: StepDefinition['timeout']; retry?: RetryPolicy },
  summary: string,
) {
  return proxyActivities<TwinAdminActivities>({
    startToCloseTimeout: ADMIN_CALL_TIMEOUT,
    scheduleToCloseTimeout: step.timeout,
    retry: { maximumAttempts: ADMIN_DEFAULT_ATTEMPTS, ...step.retry },
    summary: `${step.id}: ${summary}`,
  });
}

export async function rescheduleStep(
  step: RescheduleStep,
  context: TwinAdminStepContext,
): Promise<StepResult> {
  const agentId = context.resolveAgent(step.agent);
  const what =
    step.action === 'set'
      ? `set schedule of ${agentId} to "${step.cron}"`
      : `${step.action} schedule of ${agentId}`;
  const admin = adminActivities(step, what);
  switch (step.action) {
    case 'set':
      await admin.setAgentSchedule({ agentId, cron: step.cron ?? '' });
      break;
    case 'pause':
      await admin.pauseAgentSchedule({ agentId });
      break;
    case 'resume':
      await admin.resumeAgentSchedule({ agentId });
      break;
    case 'delete':
      await admin.deleteAgentSchedule({ agentId });
      break;
  }
  return { status: 'succeeded', summary: what };
}

export async function instructionsStep(
  step: InstructionsStep,
  context: TwinAdminStepContext,
): Promise<StepResult> {
  const agentId = context.resolveAgent(step.agent);
  const content = context.render(step.content);
  await adminActivities(step, `update instructions of ${agentId}`).updateAgentInstructions({
    agentId,
    content,
  });
  return { status: 'succeeded', summary: `instructions of ${agentId} updated` };
}
