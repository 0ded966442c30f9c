// A test's handle on one pipeline run. Every call goes through the control layer the CLI and the control API
// use (services/control/pipelines.ts), so a test exercises the same start, approval and status paths as
// production. Only waiting is added: a test says "approve the review step" without racing the steps before it.
import {
  approveStep,
  finalState,
  getPipelineStatus,
  type ControlDeps,
  type PipelineRef,
} from '../control/pipelines.js';
import type { StepState } from '../../workflows/pipeline-definition.js';
import type { PipelineState, PipelineWorkflow } from '../../workflows/pipeline-api.js';

/** A started pipeline run, as `TestEnvironment.startPipeline` returns it. */
export interface TestPipelineHandle {
  /** Its workflow ID, `pipeline/<name>/<key>`: what the Web UI and `twinflow status` show. */
  id: string;
  name: string;
  key: string;
  /**
   * Waits for the run's end and returns its final state, also when the pipeline failed (`status: 'failed'`,
   * `failedStep` says which). On a time-skipping environment, time skips while this waits. A pipeline written
   * as code returns what its workflow function returns (name that type as `R`) and throws when it fails.
   */
  result<R = PipelineState>(): Promise<R>;
  /** The state now: each step's status, output, outcome and runs. */
  state(): Promise<PipelineState>;
  /** Waits until the approval step `stepId` waits for a decision, then approves it; returns the settled step. */
  approve(stepId: string, by?: string): Promise<StepState>;
  /** As `approve`, rejecting: the step fails with `reason` as its comment. */
  reject(stepId: string, reason?: string): Promise<StepState>;
}

/** How long `approve` and `reject` wait for the step to be waiting, in real time. */
export const APPROVAL_WAIT_MS = 60_000;

const POLL_MS = 100;

/** The handle of the declared or code-first pipeline run `ref`, started through `control`. */
export function pipelineHandle(control: ControlDeps, ref: PipelineRef, id: string): TestPipelineHandle {
  const state = async (): Promise<PipelineState> => {
    const status = await getPipelineStatus(control, ref);
    if (!status.state) {
      throw new Error(
        status.kind === 'code'
          ? `pipeline "${ref.name}" is written as code and keeps no step state: await result() instead`
          : `pipeline run ${id} did not answer its state query; is the environment still open?`,
      );
    }
    return status.state;
  };

  const decide = async (stepId: string, approved: boolean, by?: string, comment?: string) => {
    await waitForApproval(state, id, stepId);
    return approveStep(control, ref, { stepId, approved, by: by ?? 'test', ...(comment && { comment }) });
  };

  return {
    id,
    name: ref.name,
    key: ref.key,
    async result<R>() {
      const handle = control.client.workflow.getHandle<PipelineWorkflow>(id);
      if (control.registry.require(ref.name).kind === 'code') return (await handle.result()) as R;
      // A cancelled run carries no state in its result or failure: the control layer's status queries for it.
      return ((await finalState(handle)) ?? (await state())) as R;
    },
    state,
    approve: (stepId, by) => decide(stepId, true, by),
    reject: (stepId, reason) => decide(stepId, false, undefined, reason),
  };
}

async function waitForApproval(
  state: () => Promise<PipelineState>,
  id: string,
  stepId: string,
): Promise<void> {
  const deadline = Date.now() + APPROVAL_WAIT_MS;
  for (;;) {
    const current = await state();
    const step = current.steps.find((s) => s.id === stepId);
    if (!step) throw new Error(`pipeline run ${id} has no step "${stepId}"`);
    if (step.status === 'waiting_approval') return;
    if (step.status !== 'pending' || current.finishedAt !== undefined) {
      throw new Error(
        `step "${stepId}" of ${id} will not wait for approval: it is ${step.status} and the pipeline is ${current.status}` +
          (current.failedStep
            ? ` (step "${current.failedStep}" failed: ${current.error ?? 'no reason given'})`
            : ''),
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `step "${stepId}" of ${id} was still pending after ${APPROVAL_WAIT_MS / 1000} s: the steps before it have not settled`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
