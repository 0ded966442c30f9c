// A session step in the pipeline interpreter: start a managed-agent session (or send a turn into an earlier
// step's), then follow it in one heartbeating activity until the turn settles. The workflow sees the session
// once per step, as a summary (status, output, event count, last event ID); the events themselves stay in the
// activity's heartbeat, so a long session keeps history bounded and a worker that dies mid-stream is resumed by
// another from the last recorded event. A step that times out or is cancelled cancels the session remotely and
// waits for the platform to confirm it before it settles.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { MANAGED_AGENTS_TASK_QUEUE_SUFFIX, SESSION_FAILURES } from './managed-session-api.js';
import type { FollowedSession, ManagedSessionActivities } from './managed-session-api.js';
import type { SessionStep, StepResult, StepState } from '../../../workflows/pipeline-definition.js';

/** What the interpreter lends a session step. */
export interface SessionStepContext {
  render(template: string): string;
  stepStates: Record<string, StepState>;
  /** Tells the interpreter the step's state changed (session ID known), so queries show it. */
  changed(): void;
}

export type SessionStepResult = StepResult;

/** Statuses in which the turn a step waited for went well: the session waits for more, or is done. */
const SUCCEEDED_STATUSES = new Set(['idle', 'completed']);

const nonRetryableErrorTypes = Object.values(SESSION_FAILURES);

function activities(summary: string) {
  const taskQueue = `${workflowInfo().taskQueue}${MANAGED_AGENTS_TASK_QUEUE_SUFFIX}`;
  const calls = proxyActivities<ManagedSessionActivities>({
    taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes },
    summary,
  });
  // Following lasts as long as the session: the heartbeat, not a start-to-close bound, tells a dead worker.
  const following = proxyActivities<ManagedSessionActivities>({
    taskQueue,
    startToCloseTimeout: '365 days',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes },
    summary,
  });
  // proxyActivities answers a Proxy: its functions are read by name, never spread.
  return {
    startManagedSession: calls.startManagedSession,
    sendManagedTurn: calls.sendManagedTurn,
    cancelManagedSession: calls.cancelManagedSession,
    followManagedSession: following.followManagedSession,
  } satisfies ManagedSessionActivities;
}

export async function runSessionStep(
  step: SessionStep,
  state: StepState,
  context: SessionStepContext,
): Promise<SessionStepResult> {
  const message = context.render(step.message);
  const scope = new CancellationScope();
  const deadline = new CancellationScope();
  let timedOut = false;
  const { timeout } = step;
  if (timeout !== undefined) {
    deadline
      .run(() => sleep(timeout, { summary: `${step.id}: session deadline` }))
      .then(
        () => {
          timedOut = true;
          scope.cancel();
        },
        () => undefined,
      );
  }
  try {
    const followed = await scope.run(() => startAndFollow(step, state, context, message));
    return resultOf(followed, state);
  } catch (error) {
    if (!isCancellation(error) || !state.sessionId) throw error;
    const { sessionId } = state;
    const { status } = await CancellationScope.nonCancellable(() =>
      activities(`${step.id}: cancel session ${sessionId}`).cancelManagedSession({ sessionId }),
    );
    state.sessionStatus = status;
    if (!timedOut) throw error;
    return {
      status: 'failed',
      sessionId,
      sessionStatus: status,
      error: `no settled turn within ${String(timeout)}; session ${sessionId} cancelled (now ${status})`,
    };
  } finally {
    deadline.cancel();
  }
}

async function startAndFollow(
  step: SessionStep,
  state: StepState,
  context: SessionStepContext,
  message: string,
): Promise<FollowedSession> {
  const calls = activities(`${step.id}: session`);
  let after: string | undefined;
  if (step.continues !== undefined) {
    const earlier = context.stepStates[step.continues];
    if (!earlier?.sessionId) {
      throw ApplicationFailure.nonRetryable(
        `step "${step.continues}" has no session to continue (it is ${earlier?.status ?? 'unknown'})`,
        'NoSessionToContinue',
      );
    }
    state.sessionId = earlier.sessionId;
    after = earlier.lastEventId;
    context.changed();
    await calls.sendManagedTurn({ sessionId: earlier.sessionId, message, after });
  } else {
    const agentId = context.render(step.agent ?? '').trim();
    if (!agentId)
      throw ApplicationFailure.nonRetryable(`agent "${step.agent}" rendered to an empty ID`, 'EmptyAgentId');
    state.agentId = agentId;
    // Not cancellable half-way: a create whose answer the step dropped would leave a session nobody cancels.
    const started = await CancellationScope.nonCancellable(() =>
      calls.startManagedSession({
        agentId,
        agentVersion: step.agentVersion,
        message,
        requestedAt: new Date().toISOString(),
      }),
    );
    state.sessionId = started.sessionId;
    context.changed();
  }
  return calls.followManagedSession({ sessionId: state.sessionId, after });
}

function resultOf(followed: FollowedSession, state: StepState): SessionStepResult {
  const succeeded = SUCCEEDED_STATUSES.has(followed.status);
  return {
    status: succeeded ? 'succeeded' : 'failed',
    sessionId: state.sessionId,
    sessionStatus: followed.status,
    eventCount: followed.eventCount,
    lastEventId: followed.lastEventId,
    latestEvents: followed.latest,
    output: followed.output,
    json: followed.json,
    outputTruncated: followed.outputTruncated,
    error: succeeded
      ? undefined
      : `session ${state.sessionId} ended ${followed.status}${followed.reason ? `: ${followed.reason}` : ''}`,
  };
}
