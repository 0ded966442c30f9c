// What another workflow (a permit's holder, or the run's tracker) does to give a lane's permit back. Workflow code:
// it signals from inside the sandbox.
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { agentLaneWorkflowId, releasePermitSignal } from './agent-lane-api.js';

/**
 * Sends a permit back to the agent's lane from another workflow (its holder, or the run's tracker). A lane that
 * is gone (never created, or terminated by hand) holds no permit to give back, so that is only logged.
 */
export async function givePermitBack(agentId: string, token: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(agentLaneWorkflowId(agentId)).signal(releasePermitSignal, { token });
  } catch (error) {
    log.warn('agent lane not reachable to release a permit', { agentId, error: String(error) });
  }
}
