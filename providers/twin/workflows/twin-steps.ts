// Twin's step kinds on the provider seam (workflows/step-kind.ts): `agent` starts a Twin run and waits for it to end
// (runAgent, the primitive code-first workflows use too), `reschedule` and `instructions` are the admin calls of
// twin-admin-steps.ts.
import type { StepResult } from '../../../workflows/pipeline-definition.js';
import {
  fieldsOf,
  STEP_BASE,
  type StepCheck,
  type StepKinds,
  type StepRunContext,
} from '../../../workflows/step-kind.js';
import { DEFAULT_STEP_FAIL_ON, FAILURE_KINDS, retryPolicyProblems, type RetryPolicy } from './agent-retry.js';
import type { AgentRunResult, RunAgentOptions } from './agent-run-api.js';
import { runAgent, runAgentOutputLater } from './run-agent.js';
import { instructionsStep, rescheduleStep } from './twin-admin-steps.js';
import {
  SCHEDULE_ACTIONS,
  type AgentStep,
  type InstructionsStep,
  type RescheduleStep,
  type TwinStep,
} from './twin-definition.js';

function checkRetry(retry: RetryPolicy | undefined, check: StepCheck): void {
  if (retry) retryPolicyProblems(retry).forEach((problem) => check.problem(problem));
}

/** The cron is a literal so a wrong one fails the load, not the run; the 7-field check itself stays in Node. */
function checkReschedule(step: RescheduleStep, check: StepCheck): void {
  check.required('agent', step.agent);
  check.template('agent', step.agent);
  checkRetry(step.retry, check);
  if (!SCHEDULE_ACTIONS.includes(step.action)) {
    check.problem(`action "${step.action}" is not one of ${SCHEDULE_ACTIONS.join(', ')}`);
    return;
  }
  if (step.action !== 'set') {
    if (step.cron !== undefined) check.problem(`"cron" only goes with action "set", not "${step.action}"`);
    return;
  }
  if (step.cron === undefined || step.cron.trim() === '') {
    check.problem('action "set" needs a "cron"');
    return;
  }
  const verdict = check.options.validateCron?.(step.cron);
  if (verdict && !verdict.ok) check.problem(`cron "${step.cron}" is invalid: ${verdict.error}`);
}

async function runAgentStep(step: AgentStep, context: StepRunContext): Promise<StepResult> {
  const { state } = context;
  const agentId = context.resolveAgent(step.agent);
  // State only, no command: the next change publishes it with the run ID.
  state.agentId = agentId;
  const options: RunAgentOptions = {
    runMode: step.runMode,
    userMessage: step.message === undefined ? undefined : context.render(step.message),
    skipDeployCheck: step.skipDeployCheck,
    outputFrom: step.outputFrom,
    stepKey: step.id,
    timeout: step.timeout,
    retry: step.retry,
    failOn: [...(step.failOn ?? DEFAULT_STEP_FAIL_ON)],
    onRunStarted: ({ runId, attempt }) => {
      state.runIds.push(runId);
      state.runId = runId;
      state.attempts = attempt;
      context.changed();
    },
  };
  if (!context.completeLater) return stepResult(await runAgent(agentId, options));
  const { result, complete } = await runAgentOutputLater(agentId, options);
  if (complete) context.completeLater(complete.then(stepResult));
  return stepResult(result);
}

function stepResult(result: AgentRunResult): StepResult {
  const ended = `execution ${result.runId} ended ${result.status}${result.outcome ? ` with outcome ${result.outcome}` : ''}`;
  const why = result.reason ? `: ${result.reason}` : '';
  return {
    status: result.succeeded ? 'succeeded' : 'failed',
    runId: result.runId,
    runStatus: result.status,
    outcome: result.outcome,
    summary: result.summary,
    output: result.output,
    json: result.json,
    outputTruncated: result.outputTruncated,
    reason: result.reason,
    runs: result.runs,
    attempts: result.attempts,
    error: result.succeeded ? undefined : `${ended} after ${result.attempts} attempt(s)${why}`,
  };
}

export const twinSteps: StepKinds<TwinStep> = {
  agent: {
    fields: fieldsOf<AgentStep>()([
      ...STEP_BASE,
      'agent',
      'message',
      'runMode',
      'skipDeployCheck',
      'retry',
      'failOn',
      'outputFrom',
    ]),
    check(step, check) {
      check.required('agent', step.agent);
      check.template('agent', step.agent);
      check.template('message', step.message);
      checkRetry(step.retry, check);
      step.failOn?.forEach((kind) => {
        if (!FAILURE_KINDS.includes(kind))
          check.problem(`failOn "${kind}" is not one of ${FAILURE_KINDS.join(', ')}`);
      });
    },
    run: runAgentStep,
    describe: (step) => `agent ${step.agent}`,
  },
  reschedule: {
    fields: fieldsOf<RescheduleStep>()([...STEP_BASE, 'agent', 'action', 'cron', 'retry']),
    check: checkReschedule,
    run: rescheduleStep,
    describe: (step) => `${step.action} schedule of ${step.agent}${step.cron ? ` (${step.cron})` : ''}`,
  },
  instructions: {
    fields: fieldsOf<InstructionsStep>()([...STEP_BASE, 'agent', 'content', 'retry']),
    check(step, check) {
      check.required('agent', step.agent);
      check.required('content', step.content);
      check.template('agent', step.agent);
      check.template('content', step.content);
      checkRetry(step.retry, check);
    },
    run: instructionsStep,
    describe: (step) => `instructions of ${step.agent}`,
  },
};
