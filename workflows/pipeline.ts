// The generic interpreter: one workflow that runs any registered pipeline. The validated definition is part of
// the workflow input, so each history is self-contained and replays without the registry. Steps start as their
// dependencies settle (sequence, fan-out, fan-in), each in its own cancellation scope so a failing pipeline can
// stop its siblings and a cancelled pipeline stops every in-flight Twin run (runAgent honours cancellation).
// Pause holds back new steps; approvals arrive by signal or update; long pipelines continue-as-new between
// steps, carrying the step states.
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { TwinAdminActivities } from '../activities/twin-admin.js';
import {
  compensationStepIds,
  DEFAULT_FAIL_ON,
  decideReadySteps,
  findDefinitionProblems,
  isSettled,
  PipelineDefinitionError,
  type AgentStep,
  type ApprovalStep,
  type InstructionsStep,
  type PipelineDefinition,
  type RescheduleStep,
  type StepDefinition,
  type StepRetry,
  type StepState,
  type WaitStep,
} from './pipeline-definition.js';
import {
  createPipelineVisibility,
  type PipelineStatus,
  type PipelineVisibility,
} from './pipeline-visibility.js';
import { runAgent } from './run-agent.js';
import { renderTemplate } from './templates.js';

/** Pipelines recorded before this patch rendered a missing template value as "": their replay must too. */
const MISSING_TEMPLATE_VALUES_FAIL_PATCH = 'missing-template-values-fail';

export interface PipelineWorkflowInput {
  /** Validated by the registry before start; travels whole so the history replays on its own. */
  definition: PipelineDefinition;
  input: Record<string, unknown>;
  /** Set by continue-as-new only. */
  carried?: PipelineState;
  /** Set by a rerun: the run it repeats, and the settled steps of that run whose results are taken as they are. */
  rerun?: PipelineRerun;
}

export interface PipelineRerun {
  of: string;
  /** Each keeps its status, run IDs and outputs; none of their agents runs again. */
  reused: StepState[];
}

export interface PipelineState {
  name: string;
  workflowId: string;
  status: PipelineStatus;
  paused: boolean;
  startedAt: string;
  finishedAt?: string;
  /** In definition order. */
  steps: StepState[];
  /** Every agent the pipeline has addressed (runs, schedules, instructions). */
  agentIds: string[];
  failedStep?: string;
  error?: string;
  continuedAsNew: number;
  /** The workflow ID of the run this one reran. */
  rerunOf?: string;
}

export interface ApprovalDecision {
  stepId: string;
  approved: boolean;
  /** Who decided, for the record; free text. */
  by?: string;
  comment?: string;
}

export const pipelineStateQuery = defineQuery<PipelineState>('pipelineState');
export const pausePipelineSignal = defineSignal('pausePipeline');
export const resumePipelineSignal = defineSignal('resumePipeline');
/** Fire-and-forget approval: a decision for a step that is not waiting is logged and dropped. */
export const approveStepSignal = defineSignal<[ApprovalDecision]>('approveStep');
/** Approval that answers: rejected unless the step is waiting; completes once the step has settled. */
export const approveStepUpdate = defineUpdate<StepState, [ApprovalDecision]>('approveStepUpdate');

/** ApplicationFailure type of a failed pipeline; details[0] is the final PipelineState. */
export const PIPELINE_FAILED = 'PipelineFailed';
/** ApplicationFailure type of a pipeline started with a definition that does not validate. */
export const INVALID_PIPELINE = 'InvalidPipelineDefinition';

const DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS = 100;
const ADMIN_CALL_TIMEOUT = '30 seconds';
const ADMIN_DEFAULT_ATTEMPTS = 5;

type StepResult = Partial<Omit<StepState, 'id' | 'kind' | 'status'>> & {
  status: 'succeeded' | 'failed' | 'cancelled';
};

interface Run {
  definition: PipelineDefinition;
  input: Record<string, unknown>;
  state: PipelineState;
  byId: Map<string, StepDefinition>;
  /** Steps outside the graph: only a failure starts them. */
  compensationIds: Set<string>;
  stepStates: Record<string, StepState>;
  inflight: Map<string, CancellationScope>;
  /** Compensations waiting to start (they start even while failing, but not while paused). */
  compensations: { stepId: string; compensating: string }[];
  decisions: Map<string, ApprovalDecision>;
  failing: boolean;
  settledThisRun: number;
  changes: number;
  visibility: PipelineVisibility;
}

export async function pipelineWorkflow({
  definition,
  input,
  carried,
  rerun,
}: PipelineWorkflowInput): Promise<PipelineState> {
  // The registry validated it; a definition started some other way gets the same checks (all but cron) here.
  const problems = findDefinitionProblems(definition);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(
      new PipelineDefinitionError(definition.name, problems).message,
      INVALID_PIPELINE,
    );
  }
  const run = createRun(definition, input, carried, rerun);
  installHandlers(run);
  publish(run);
  try {
    await drive(run);
  } catch (error) {
    if (isCancellation(error)) await CancellationScope.nonCancellable(() => finishCancelled(run));
    throw error;
  }
  return finish(run);
}

function createRun(
  definition: PipelineDefinition,
  input: Record<string, unknown>,
  carried?: PipelineState,
  rerun?: PipelineRerun,
): Run {
  const reused = new Map((rerun?.reused ?? []).map((s) => [s.id, s]));
  const state: PipelineState = carried ?? {
    name: definition.name,
    workflowId: workflowInfo().workflowId,
    status: 'running',
    paused: false,
    startedAt: new Date().toISOString(),
    steps: definition.steps.map(
      (s): StepState =>
        reusedStep(reused.get(s.id), s, rerun?.of) ?? {
          id: s.id,
          kind: s.kind,
          status: 'pending',
          attempts: 0,
          runIds: [],
        },
    ),
    agentIds: [],
    continuedAsNew: 0,
    ...(rerun && { rerunOf: rerun.of }),
  };
  return {
    definition,
    input,
    state,
    byId: new Map(definition.steps.map((s) => [s.id, s])),
    compensationIds: compensationStepIds(definition),
    stepStates: Object.fromEntries(state.steps.map((s) => [s.id, s])),
    inflight: new Map(),
    compensations: [],
    decisions: new Map(),
    failing: false,
    settledThisRun: 0,
    changes: 0,
    visibility: createPipelineVisibility(definition.name),
  };
}

/** Only a step of the same kind that had succeeded or been skipped is taken over: anything else runs again. */
function reusedStep(
  recorded: StepState | undefined,
  step: StepDefinition,
  of: string | undefined,
): StepState | undefined {
  if (!recorded || !of || recorded.kind !== step.kind) return undefined;
  if (recorded.status !== 'succeeded' && recorded.status !== 'skipped') return undefined;
  return { ...recorded, id: step.id, reusedFrom: of };
}

function installHandlers(run: Run): void {
  setHandler(pipelineStateQuery, () => run.state);
  setHandler(pausePipelineSignal, () => {
    run.state.paused = true;
    changed(run);
  });
  setHandler(resumePipelineSignal, () => {
    run.state.paused = false;
    changed(run);
  });
  setHandler(approveStepSignal, (decision) => {
    const problem = approvalProblem(run, decision);
    if (problem) log.warn('approval signal dropped', { stepId: decision.stepId, problem });
    else recordDecision(run, decision);
  });
  setHandler(
    approveStepUpdate,
    async (decision) => {
      recordDecision(run, decision);
      const step = run.stepStates[decision.stepId] as StepState;
      await condition(() => isSettled(step.status));
      return step;
    },
    {
      validator: (decision) => {
        const problem = approvalProblem(run, decision);
        if (problem) throw new Error(problem);
      },
    },
  );
}

function approvalProblem(run: Run, decision: ApprovalDecision): string | undefined {
  const step = run.stepStates[decision.stepId];
  if (!step) return `pipeline ${run.state.name} has no step "${decision.stepId}"`;
  if (step.kind !== 'approval') return `step "${decision.stepId}" is not an approval step`;
  if (step.status !== 'waiting_approval' || run.decisions.has(decision.stepId)) {
    return `step "${decision.stepId}" is not waiting for approval (it is ${step.status})`;
  }
  return undefined;
}

function recordDecision(run: Run, decision: ApprovalDecision): void {
  run.decisions.set(decision.stepId, decision);
  changed(run);
}

function changed(run: Run): void {
  run.changes++;
}

async function drive(run: Run): Promise<void> {
  for (;;) {
    if (!run.state.paused) startSteps(run);
    if (run.inflight.size === 0 && run.compensations.length === 0) {
      if (run.failing || allSettled(run)) return;
      if (wantsContinueAsNew(run)) await continueAsNewWithState(run);
    }
    publish(run);
    const seen = run.changes;
    await condition(() => run.changes !== seen);
  }
}

/** Called when nothing is in flight or queued: a compensation step nobody needed stays pending (skipped at the end). */
function allSettled(run: Run): boolean {
  return run.state.steps.every((s) => isSettled(s.status) || run.compensationIds.has(s.id));
}

function wantsContinueAsNew(run: Run): boolean {
  const limit = run.definition.options?.continueAsNewAfterSteps ?? DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS;
  return run.settledThisRun >= limit || workflowInfo().continueAsNewSuggested;
}

async function continueAsNewWithState(run: Run): Promise<never> {
  await condition(allHandlersFinished);
  const carried: PipelineState = { ...run.state, continuedAsNew: run.state.continuedAsNew + 1 };
  return continueAsNew<typeof pipelineWorkflow>({ definition: run.definition, input: run.input, carried });
}

/** Starts queued compensations, then every ready step; skipped steps may make more steps ready, hence the loop. */
function startSteps(run: Run): void {
  for (const { stepId, compensating } of run.compensations.splice(0)) {
    launch(run, run.byId.get(stepId) as StepDefinition, compensating);
  }
  // Draining before continue-as-new: the steps in flight finish, nothing new starts in this run.
  if (run.failing || wantsContinueAsNew(run)) return;
  for (let decisions = decideReadySteps(run.definition, run.stepStates); decisions.length > 0;) {
    for (const { stepId, run: runIt } of decisions) {
      const step = run.byId.get(stepId) as StepDefinition;
      if (runIt) launch(run, step);
      else skip(run, step.id);
    }
    decisions = decideReadySteps(run.definition, run.stepStates);
  }
}

function skip(run: Run, stepId: string): void {
  const state = run.stepStates[stepId] as StepState;
  state.status = 'skipped';
  state.finishedAt = new Date().toISOString();
}

function launch(run: Run, step: StepDefinition, compensating?: string): void {
  const state = run.stepStates[step.id] as StepState;
  state.status = 'running';
  state.startedAt = new Date().toISOString();
  if (compensating) state.compensating = compensating;
  const scope = new CancellationScope();
  run.inflight.set(step.id, scope);
  void scope
    .run(() => executeStep(run, step, state))
    .then(
      (result) => settle(run, step, state, result),
      (error: unknown) => settle(run, step, state, errorResult(scope, error)),
    );
  changed(run);
}

function errorResult(scope: CancellationScope, error: unknown): StepResult {
  if (isCancellation(error) && scope.consideredCancelled) return { status: 'cancelled' };
  return { status: 'failed', error: describeError(error) };
}

/** The innermost cause says what went wrong ("Activity task failed" does not). */
function describeError(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function settle(run: Run, step: StepDefinition, state: StepState, result: StepResult): void {
  run.inflight.delete(step.id);
  Object.assign(state, result);
  state.finishedAt = new Date().toISOString();
  state.durationMs = Date.parse(state.finishedAt) - Date.parse(state.startedAt ?? state.finishedAt);
  run.settledThisRun++;
  if (result.status === 'failed') onStepFailure(run, step, state);
  changed(run);
}

function onStepFailure(run: Run, step: StepDefinition, state: StepState): void {
  if (run.failing) return;
  const policy = step.onFailure ?? 'fail';
  if (policy === 'continue') return;
  if (policy === 'fail' || policy.then !== 'continue') failPipeline(run, state);
  if (typeof policy === 'object' && run.stepStates[policy.compensate]?.status === 'pending') {
    run.compensations.push({ stepId: policy.compensate, compensating: step.id });
  }
}

/** Nothing new starts; siblings in flight are cancelled (their Twin runs with them). */
function failPipeline(run: Run, failed: StepState): void {
  run.failing = true;
  run.state.failedStep = failed.id;
  run.state.error = failed.error;
  for (const scope of run.inflight.values()) scope.cancel();
}

// ---------------------------------------------------------------------------------------------------------
// Step kinds.

async function executeStep(run: Run, step: StepDefinition, state: StepState): Promise<StepResult> {
  switch (step.kind) {
    case 'agent':
      return runAgentStep(run, step, state);
    case 'reschedule':
      return rescheduleStep(run, step);
    case 'instructions':
      return instructionsStep(run, step);
    case 'wait':
      return waitStep(run, step);
    case 'approval':
      return approvalStep(run, step, state);
  }
}

function templateContext(run: Run): Record<string, unknown> {
  const steps = Object.fromEntries(
    run.state.steps.map((s) => [
      s.id,
      {
        status: s.status,
        outcome: s.outcome,
        summary: s.summary,
        output: s.output,
        json: s.json,
        reason: s.reason,
        runId: s.runId,
        attempts: s.attempts,
        decidedBy: s.decidedBy,
        comment: s.comment,
        error: s.error,
      },
    ]),
  );
  return { input: run.input, steps, pipeline: { name: run.state.name, workflowId: run.state.workflowId } };
}

/** A reference without a value fails the step (the error names it) instead of rendering "". */
function render(run: Run, template: string): string {
  const missingAsEmpty = !patched(MISSING_TEMPLATE_VALUES_FAIL_PATCH);
  return renderTemplate(template, templateContext(run), { missingAsEmpty });
}

/** Renders an agent reference and records the agent for the TwinAgentIds search attribute. */
function resolveAgent(run: Run, template: string): string {
  const agentId = render(run, template).trim();
  if (!agentId)
    throw ApplicationFailure.nonRetryable(`agent "${template}" rendered to an empty ID`, 'EmptyAgentId');
  if (!run.state.agentIds.includes(agentId)) {
    run.state.agentIds.push(agentId);
    changed(run);
  }
  return agentId;
}

async function runAgentStep(run: Run, step: AgentStep, state: StepState): Promise<StepResult> {
  const agentId = resolveAgent(run, step.agent);
  const result = await runAgent(agentId, {
    runMode: step.runMode,
    userMessage: step.message === undefined ? undefined : render(run, step.message),
    skipDeployCheck: step.skipDeployCheck,
    outputFrom: step.outputFrom,
    stepKey: step.id,
    timeout: step.timeout,
    retry: { ...step.retry, retryOn: [...(step.failOn ?? DEFAULT_FAIL_ON)] },
    onRunStarted: ({ runId, attempt }) => {
      state.runIds.push(runId);
      state.runId = runId;
      state.attempts = attempt;
      changed(run);
    },
  });
  const ended = `run ${result.runId} ended ${result.status}${result.outcome ? ` with outcome ${result.outcome}` : ''}`;
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

function adminActivities(
  step: { id: string; timeout?: StepDefinition['timeout']; retry?: StepRetry },
  summary: string,
) {
  return proxyActivities<TwinAdminActivities>({
    startToCloseTimeout: ADMIN_CALL_TIMEOUT,
    scheduleToCloseTimeout: step.timeout,
    retry: { maximumAttempts: ADMIN_DEFAULT_ATTEMPTS, ...step.retry },
    summary: `${step.id}: ${summary}`,
  });
}

async function rescheduleStep(run: Run, step: RescheduleStep): Promise<StepResult> {
  const agentId = resolveAgent(run, step.agent);
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

async function instructionsStep(run: Run, step: InstructionsStep): Promise<StepResult> {
  const agentId = resolveAgent(run, step.agent);
  const content = render(run, step.content);
  await adminActivities(step, `update instructions of ${agentId}`).updateAgentInstructions({
    agentId,
    content,
  });
  return { status: 'succeeded', summary: `instructions of ${agentId} updated` };
}

async function waitStep(run: Run, step: WaitStep): Promise<StepResult> {
  if (step.duration !== undefined) {
    await sleep(step.duration, { summary: `${step.id}: wait ${String(step.duration)}` });
    return { status: 'succeeded' };
  }
  const until = render(run, step.until ?? '');
  const at = Date.parse(until);
  if (!Number.isFinite(at)) return { status: 'failed', error: `until "${until}" is not an ISO-8601 time` };
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms, { summary: `${step.id}: wait until ${until}` });
  return { status: 'succeeded' };
}

async function approvalStep(run: Run, step: ApprovalStep, state: StepState): Promise<StepResult> {
  state.status = 'waiting_approval';
  if (step.prompt !== undefined) state.prompt = render(run, step.prompt);
  changed(run);
  const decided = () => run.decisions.has(step.id);
  if (step.timeout === undefined) await condition(decided);
  else
    await condition(decided, step.timeout, {
      summary: `${step.id}: approval deadline ${String(step.timeout)}`,
    });
  const decision = run.decisions.get(step.id);
  if (!decision) {
    const approved = step.onTimeout === 'approve';
    const error = approved ? undefined : `no decision within ${String(step.timeout)}`;
    return { status: approved ? 'succeeded' : 'failed', decidedBy: 'timeout', error };
  }
  const by = decision.by ?? 'someone';
  return {
    status: decision.approved ? 'succeeded' : 'failed',
    decidedBy: by,
    comment: decision.comment,
    error: decision.approved
      ? undefined
      : `rejected by ${by}${decision.comment ? `: ${decision.comment}` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Visibility and the end.

function liveStatus(run: Run): PipelineStatus {
  if (run.state.status !== 'running' && run.state.status !== 'waiting_approval') return run.state.status;
  return run.state.steps.some((s) => s.status === 'waiting_approval') ? 'waiting_approval' : 'running';
}

function publish(run: Run): void {
  run.state.status = liveStatus(run);
  run.visibility.publish({
    status: run.state.status,
    agentIds: run.state.agentIds,
    runIds: run.state.steps.flatMap((s) => s.runIds),
  });
}

async function finish(run: Run): Promise<PipelineState> {
  const { state } = run;
  for (const step of state.steps) if (step.status === 'pending') skip(run, step.id);
  state.status = run.failing ? 'failed' : 'succeeded';
  state.finishedAt = new Date().toISOString();
  publish(run);
  await condition(allHandlersFinished);
  if (!run.failing) return state;
  throw ApplicationFailure.create({
    type: PIPELINE_FAILED,
    message: `pipeline ${state.name} failed at step ${state.failedStep}: ${state.error ?? 'unknown error'}`,
    nonRetryable: true,
    details: [state],
  });
}

/** Waits for every cancelled step to stop its Twin run, then records the end. */
async function finishCancelled(run: Run): Promise<void> {
  await condition(() => run.inflight.size === 0);
  for (const step of run.state.steps) {
    if (step.status === 'pending' || step.status === 'waiting_approval') step.status = 'cancelled';
  }
  run.state.status = 'cancelled';
  run.state.finishedAt = new Date().toISOString();
  publish(run);
}
