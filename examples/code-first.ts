// Example 4 — the same building blocks without a definition: a pipeline written as a plain Temporal workflow
// function. runAgent, renderTemplate and the pipeline visibility helper are what the interpreter uses too, so
// this workflow looks the same in the Web UI (TwinflowPipeline, TwinflowStatus, TwinAgentIds, TwinRunIds) and
// its agent runs get the same retries, cancellation and tracking. Imported from the public entry, as a user's project does; twinflow.config.ts names this file under `workflows`.
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import {
  createPipelineVisibility,
  renderTemplate,
  runAgent,
  type AgentRunResult,
  type PipelineStatus,
} from '../index.js';

export const CODE_FIRST_PIPELINE = 'check-then-fix-code';

export interface CheckThenFixInput {
  repo: string;
  agents: { checker: string; fixer: string };
}

export interface CheckThenFixResult {
  check: AgentRunResult;
  fix?: AgentRunResult;
}

export async function checkThenFixWorkflow(input: CheckThenFixInput): Promise<CheckThenFixResult> {
  const visibility = createPipelineVisibility(CODE_FIRST_PIPELINE);
  const runIds: string[] = [];
  const agentIds = [input.agents.checker, input.agents.fixer];
  const show = (status: PipelineStatus) => visibility.publish({ status, agentIds, runIds });
  const onRunStarted = ({ runId }: { runId: string }) => {
    runIds.push(runId);
    show('running');
  };
  show('running');
  try {
    const check = await runAgent(input.agents.checker, {
      stepKey: 'check',
      userMessage: renderTemplate('Check {{repo}}.', { ...input }),
      retry: { maximumAttempts: 2, initialInterval: '1 second', retryOn: ['failed'] },
      onRunStarted,
    });
    // Plain code decides: fix only when the check found problems.
    const fix =
      check.outcome === 'fail'
        ? await runAgent(input.agents.fixer, {
            stepKey: 'fix',
            userMessage: renderTemplate('Fix {{repo}}: {{check.output ?? "(no output)"}}', {
              ...input,
              check,
            }),
            onRunStarted,
          })
        : undefined;
    if (fix && !fix.succeeded)
      throw ApplicationFailure.nonRetryable(`fix run ${fix.runId} ended ${fix.outcome ?? fix.status}`);
    show('succeeded');
    return { check, fix };
  } catch (error) {
    show(isCancellation(error) ? 'cancelled' : 'failed');
    throw error;
  }
}
