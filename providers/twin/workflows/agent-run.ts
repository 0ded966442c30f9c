// One agent run as a workflow of its own (`agentRunWorkflow`): runAgent wrapped for callers that have no workflow
// of their own. Its contract is providers/twin/workflows/agent-run-api.ts.
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AgentRunResult, AgentRunWorkflowInput } from './agent-run-api.js';
import { runAgent } from './run-agent.js';
import { AgentIdsKey, RunIdsKey } from '../../../workflows/search-attributes.js';

/**
 * One agent run as a workflow of its own: for the CLI, the control API and tests. The run IDs become search
 * attributes as soon as they are known, so the Web UI finds this workflow from a Twin run ID.
 */
export async function agentRunWorkflow({
  agentId,
  options = {},
}: AgentRunWorkflowInput): Promise<AgentRunResult> {
  upsertSearchAttributes([{ key: AgentIdsKey, value: [agentId] }]);
  const runIds: string[] = [];
  return runAgent(agentId, {
    ...options,
    onRunStarted: ({ runId }) => {
      runIds.push(runId);
      upsertSearchAttributes([{ key: RunIdsKey, value: [...runIds] }]);
    },
  });
}
