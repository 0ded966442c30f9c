// runAgent: one Twin agent run as a durable step, callable from any workflow. Per attempt it takes a permit from
// the agent's lane, starts the run (never twice, see providers/twin/activities/run-marker.ts), waits for the run's tracker to
// report the end, and gives the permit back. Retries, a deadline for the whole step and cancellation (which
// stops the Twin run) are handled here once, so pipelines only say what they want.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  sleep,
  uuid4,
  workflowInfo,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { LaneActivities } from '../activities/lanes.js';
import { internalTaskQueue } from '../../../workflows/internal-queue.js';
import type { StartedTwinRun, TwinRunActivities } from '../activities/twin-runs.js';
import type { RunObservation } from '../vocabulary/run-status.js';
import type { RunOutput } from '../vocabulary/run-output.js';
import { agentLaneWorkflowId, requestPermitSignal, type PermitRequest } from './agent-lane-api.js';
import { givePermitBack } from './agent-lane-permits.js';
import {
  DEFAULT_FAIL_ON,
  InvalidRetryPolicyError,
  LEGACY_RUN_AGENT_FAIL_ON,
  backoffMs,
  countsAsFailure,
  mayRetryEnd,
  resolveRetryPolicy,
  type FailureKind,
  type ResolvedRetryPolicy,
} from './agent-retry.js';
import {
  AGENT_RUN_TIMED_OUT,
  INVALID_RUN_AGENT_OPTIONS,
  type AgentRunResult,
  type AgentRunTimeoutDetails,
  type AttemptRecord,
  type RunAgentOptions,
} from './agent-run-api.js';
import { durationMs } from '../../../workflows/duration.js';
import { awaitOutput, runInbox, settledObservation, type RunInbox } from './run-inbox.js';

const DEFAULT_CALL_TIMEOUT: Duration = '30 seconds';
/** After cancelling a run, how long to wait for its tracker to report how it ended before giving up. */
const CANCEL_SETTLE_WAIT: Duration = '2 minutes';

interface Step {
  agentId: string;
  stepKey: string;
  options: RunAgentOptions;
  inbox: RunInbox;
  activities: ActivityInterfaceFor<TwinRunActivities>;
  lanes: ActivityInterfaceFor<LaneActivities>;
  callOptions: ActivityOptions;
  runIds: string[];
  runs: AttemptRecord[];
  lastObservation?: RunObservation;
  /** A successful last attempt may return before its output is read (see {@link runAgentOutputLater}). */
  outputLater: boolean;
}

interface SettledAttempt {
  started: StartedTwinRun;
  token: string;
  observation: RunObservation;
  output?: RunOutput;
  /** The tracker is still reading the output. */
  outputPending: boolean;
}

/** A step's result now, and, when its output is still being read, the whole result once it is. */
export interface AgentRunSoFar {
  result: AgentRunResult;
  complete?: Promise<AgentRunResult>;
}

/**
 * Runs one Twin agent as a durable step of the calling workflow: see the file comment, and
 * {@link RunAgentOptions} for what the caller decides.
 */
export async function runAgent(agentId: string, options: RunAgentOptions = {}): Promise<AgentRunResult> {
  const { result } = await runAgentSteps(agentId, options, false);
  return result;
}

/**
 * runAgent for a caller that reads nothing of the output before its next move (a pipeline step no later step
 * reads): the result comes as soon as the end is known, without output and summary, and `complete` brings them
 * once the run's tracker has read them. The start, permit and retry rules are runAgent's.
 */
export async function runAgentOutputLater(
  agentId: string,
  options: RunAgentOptions = {},
): Promise<AgentRunSoFar> {
  return runAgentSteps(agentId, options, true);
}

async function runAgentSteps(
  agentId: string,
  options: RunAgentOptions,
  outputLater: boolean,
): Promise<AgentRunSoFar> {
  const retry = validateOptions(options);
  const callOptions: ActivityOptions = {
    startToCloseTimeout: options.callTimeout ?? DEFAULT_CALL_TIMEOUT,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 10,
    },
  };
  const step: Step = {
    agentId,
    stepKey: options.stepKey ?? agentId,
    options,
    inbox: runInbox(),
    activities: proxyActivities<TwinRunActivities>(callOptions),
    lanes: proxyActivities<LaneActivities>({ ...callOptions, taskQueue: internalTaskQueue() }),
    callOptions,
    runIds: [],
    runs: [],
    outputLater,
  };
  const ended = await attemptsWithin(step, retry);
  const { settled, attempts, succeeded } = ended;
  // Built outside the deadline's scope: the run has ended, and a later deadline must not cancel reading its output.
  if (!settled.outputPending) return { result: ended.result };
  return {
    result: ended.result,
    complete: withOutput(step, settled).then((read) => finish(step, read, attempts, succeeded)),
  };
}

interface Ended {
  settled: SettledAttempt;
  attempts: number;
  succeeded: boolean;
  result: AgentRunResult;
}

async function attemptsWithin(step: Step, retry: ResolvedRetryPolicy): Promise<Ended> {
  const { timeout } = step.options;
  if (timeout === undefined) return runAttempts(step, retry);
  const caller = CancellationScope.current();
  try {
    return await CancellationScope.withTimeout(timeout, () => runAttempts(step, retry));
  } catch (error) {
    if (!isCancellation(error) || caller.consideredCancelled) throw error;
    throw timedOut(step, timeout);
  }
}

/** Agent-run histories recorded before this patch did not count a stopped run as failure by default. */
const STOPPED_FAILS_PATCH = 'run-agent-stopped-fails';

/**
 * Returns the resolved retry policy. A plain error in workflow code only fails the task (retried forever), so
 * bad options become a non-retryable failure of the step instead.
 */
function validateOptions(options: RunAgentOptions): ResolvedRetryPolicy {
  const { concurrency } = options;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw ApplicationFailure.nonRetryable(
      `concurrency must be an integer >= 1, got ${concurrency}`,
      INVALID_RUN_AGENT_OPTIONS,
    );
  }
  try {
    return resolveRetryPolicy(options.retry, failOnOf(options));
  } catch (error) {
    if (!(error instanceof InvalidRetryPolicyError)) throw error;
    throw ApplicationFailure.nonRetryable(error.message, INVALID_RUN_AGENT_OPTIONS);
  }
}

/** The caller's `failOn` (or its former name), else the default; patched() only where the default decides. */
function failOnOf(options: RunAgentOptions): readonly FailureKind[] {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the former name, still honoured for recorded inputs
  const named = options.failOn ?? options.retry?.retryOn;
  if (named) return named;
  return patched(STOPPED_FAILS_PATCH) ? DEFAULT_FAIL_ON : LEGACY_RUN_AGENT_FAIL_ON;
}

async function runAttempts(step: Step, retry: ResolvedRetryPolicy): Promise<Ended> {
  for (let attempt = 1; ; attempt++) {
    let settled = await runAttempt(step, attempt);
    const succeeded = !countsAsFailure(settled.observation, retry.failOn);
    const last = attempt >= retry.maximumAttempts || !mayRetryEnd(settled.observation, retry.failOn);
    // A failure's reason is in its output: only a success goes on without it.
    if (!(succeeded && step.outputLater && !step.options.includeEvents))
      settled = await withOutput(step, settled);
    if (succeeded || last) {
      const result = await finish(step, settled, attempt, succeeded);
      return { settled, attempts: attempt, succeeded, result };
    }
    const delay = backoffMs(retry, attempt);
    log.info('agent run counts as failed; retrying', {
      stepKey: step.stepKey,
      runId: settled.started.runId,
      delay,
    });
    await sleep(delay);
  }
}

/** One Twin run under one lane permit. The permit is given back however the attempt ends. */
async function runAttempt(step: Step, attempt: number): Promise<SettledAttempt> {
  const token = uuid4();
  let started: StartedTwinRun | undefined;
  try {
    await acquirePermit(step, token);
    // Not cancellable: a start abandoned half-way could leave a run we never learn the ID of, and so never stop.
    started = await CancellationScope.nonCancellable(() => startRun(step, attempt, token));
    const observation = await settledObservation(step.inbox, token);
    step.lastObservation = observation;
    const settled: SettledAttempt = {
      started,
      token,
      observation,
      output: step.inbox.outputs.get(token),
      outputPending: step.inbox.outputPending.has(token),
    };
    step.runs.push(attemptRecord(settled));
    return settled;
  } catch (error) {
    const run = started;
    if (run && isCancellation(error)) await CancellationScope.nonCancellable(() => stopRun(step, run, token));
    throw error;
  } finally {
    if (!step.inbox.releasedByTracker.has(token)) {
      await CancellationScope.nonCancellable(() => givePermitBack(step.agentId, token));
    }
  }
}

function attemptRecord({ started, observation, output }: SettledAttempt): AttemptRecord {
  return {
    runId: started.runId,
    status: terminalStatus(observation),
    ...(observation.outcome !== undefined && { outcome: observation.outcome }),
    ...(output?.reason !== undefined && { reason: output.reason }),
    ...(started.resolution !== undefined && { resolution: started.resolution }),
  };
}

/** The attempt with its output (and summary), once the tracker has read them; its record gains the reason. */
async function withOutput(step: Step, settled: SettledAttempt): Promise<SettledAttempt> {
  if (!settled.outputPending) return settled;
  const { observation, output } = await awaitOutput(step.inbox, settled.token);
  const complete = { ...settled, observation, output, outputPending: false };
  const index = step.runs.findIndex((r) => r.runId === settled.started.runId);
  if (index !== -1) step.runs[index] = attemptRecord(complete);
  return complete;
}

/** Histories recorded before this patch requested every permit through the activity: their replay must too. */
const LANE_REQUEST_BY_SIGNAL_PATCH = 'lane-request-by-signal';

async function acquirePermit(step: Step, token: string): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  const request = { workflowId, runId, token, limit: step.options.concurrency };
  await CancellationScope.nonCancellable(() => requestPermit(step, request));
  await condition(() => step.inbox.granted.has(token));
}

/**
 * A running lane is signalled directly, which spares the hand-off an activity round trip. Only a lane that is
 * not running (never started, or closed while idle) needs the activity, because a workflow cannot
 * signal-with-start. A request that reaches the lane both ways is queued once: its token is the key.
 */
async function requestPermit(step: Step, request: PermitRequest): Promise<void> {
  if (patched(LANE_REQUEST_BY_SIGNAL_PATCH)) {
    try {
      await getExternalWorkflowHandle(agentLaneWorkflowId(step.agentId)).signal(requestPermitSignal, request);
      return;
    } catch (error) {
      log.debug('agent lane not running; starting it with the request', {
        agentId: step.agentId,
        error: String(error),
      });
    }
  }
  await step.lanes.requestLanePermit.executeWithOptions(
    {
      ...step.callOptions,
      taskQueue: internalTaskQueue(),
      summary: `${step.stepKey}: wait for a permit of agent ${step.agentId}`,
    },
    [{ agentId: step.agentId, request }],
  );
}

/**
 * The start may spend its settle window looking for a run whose answer was lost (providers/twin/activities/start-run.ts), so it
 * gets more time than a plain call, and a heartbeat timeout so that a dead worker's attempt is replaced promptly.
 */
const START_CALL_TIMEOUT: Duration = '2 minutes';
const START_HEARTBEAT_TIMEOUT: Duration = '30 seconds';

async function startRun(step: Step, attempt: number, token: string): Promise<StartedTwinRun> {
  const { options } = step;
  const started = await step.activities.startTwinRun.executeWithOptions(
    {
      ...step.callOptions,
      startToCloseTimeout: maxDuration(step.callOptions.startToCloseTimeout, START_CALL_TIMEOUT),
      heartbeatTimeout: START_HEARTBEAT_TIMEOUT,
      summary: `${step.stepKey}: start run of agent ${step.agentId} (attempt ${attempt})`,
    },
    [
      {
        agentId: step.agentId,
        runMode: options.runMode,
        userMessage: options.userMessage,
        skipDeployCheck: options.skipDeployCheck,
        subscriber: {
          workflowId: workflowInfo().workflowId,
          token,
          holdsPermit: true,
          stepKey: step.stepKey,
          ...(step.outputLater && { takesOutputLater: true }),
          ...(options.outputFrom && { outputFrom: options.outputFrom }),
        },
        stepKey: step.stepKey,
        attempt,
        reconcileAfterMs:
          options.reconcileAfter === undefined ? undefined : durationMs(options.reconcileAfter),
      },
    ],
  );
  step.runIds.push(started.runId);
  options.onRunStarted?.({ ...started, stepKey: step.stepKey, attempt });
  return started;
}

function maxDuration(a: Duration | undefined, b: Duration): Duration {
  return a !== undefined && durationMs(a) > durationMs(b) ? a : b;
}

/** Cancels the Twin run and waits, bounded, to learn how it ended (stopped, or completed while cancelling). */
async function stopRun(step: Step, run: StartedTwinRun, token: string): Promise<void> {
  try {
    await step.activities.cancelTwinRun.executeWithOptions(
      { ...step.callOptions, summary: `${step.stepKey}: cancel run ${run.runId}` },
      [{ agentId: step.agentId, runId: run.runId, reason: `twinflow step ${step.stepKey} cancelled` }],
    );
  } catch (error) {
    log.error('could not cancel the Twin run; its tracker will still see it end', {
      runId: run.runId,
      error: String(error),
    });
  }
  if (await condition(() => step.inbox.settled.has(token), CANCEL_SETTLE_WAIT)) {
    step.lastObservation = step.inbox.settled.get(token);
    log.info('cancelled agent run ended', { runId: run.runId, status: step.lastObservation?.status });
  } else {
    log.warn('cancelled agent run did not report its end in time', { runId: run.runId });
  }
}

async function finish(
  step: Step,
  settled: SettledAttempt,
  attempts: number,
  succeeded: boolean,
): Promise<AgentRunResult> {
  const { started, observation, output } = settled;
  const result: AgentRunResult = {
    agentId: step.agentId,
    runId: started.runId,
    status: terminalStatus(observation),
    outcome: observation.outcome,
    summary: observation.summary,
    ...(output?.text !== undefined && { output: output.text }),
    ...(output?.json !== undefined && { json: output.json }),
    ...(output?.truncated && { outputTruncated: true }),
    ...(output?.reason !== undefined && { reason: output.reason }),
    startedAt: started.startedAt,
    finishedAt: observation.finishedAt,
    succeeded,
    attempts,
    runIds: [...step.runIds],
    runs: [...step.runs],
  };
  if (!step.options.includeEvents) return result;
  const { events, truncated } = await step.activities.fetchRunEvents.executeWithOptions(
    { ...step.callOptions, summary: `${step.stepKey}: fetch events of run ${started.runId}` },
    [{ agentId: step.agentId, runId: started.runId }],
  );
  return { ...result, events, eventsTruncated: truncated };
}

function terminalStatus(observation: RunObservation): AgentRunResult['status'] {
  const { status } = observation;
  if (status === 'completed' || status === 'failed' || status === 'stopped') return status;
  throw new Error(`run ${observation.runId} settled in non-terminal status ${status}`);
}

function timedOut(step: Step, timeout: Duration): ApplicationFailure {
  const details: AgentRunTimeoutDetails = {
    agentId: step.agentId,
    stepKey: step.stepKey,
    runIds: [...step.runIds],
    lastObservation: step.lastObservation,
  };
  return ApplicationFailure.create({
    type: AGENT_RUN_TIMED_OUT,
    message: `step ${step.stepKey} on agent ${step.agentId} did not finish within ${String(timeout)}`,
    nonRetryable: true,
    details: [details],
  });
}
