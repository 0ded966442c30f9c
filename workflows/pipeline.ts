// The generic interpreter: one workflow that runs any registered pipeline. The validated definition is part of
// the workflow input, so each history is self-contained and replays without the registry. Steps start as their
// dependencies settle (sequence, fan-out, fan-in), each in its own cancellation scope so a failing pipeline can
// stop its siblings and a cancelled pipeline stops every in-flight Twin execution (runAgent honours cancellation).
// Pause holds back new steps; approvals arrive by signal or update; long pipelines continue-as-new between
// steps, carrying the step states.
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { compensationStepIds, decideReadySteps, isSettled } from './pipeline-scheduling.js';
import { findDefinitionProblems, PipelineDefinitionError } from './pipeline-validation.js';
import {
  type ApprovalStep,
  type PipelineDefinition,
  type ProviderStep,
  STEP_OUTPUT_FIELDS,
  type StepDefinition,
  type StepResult,
  type StepState,
  type WaitStep,
} from './pipeline-definition.js';
import {
  approveStepSignal,
  approveStepUpdate,
  INVALID_PIPELINE,
  pausePipelineSignal,
  PIPELINE_FAILED,
  pipelineStateQuery,
  resumePipelineSignal,
  type ApprovalDecision,
  type PipelineRerun,
  type PipelineState,
  type PipelineStatus,
  type PipelineWorkflowInput,
} from './pipeline-api.js';
import { createPipelineVisibility, type PipelineVisibility } from './pipeline-visibility.js';
import { stepKindSpec } from './providers.js';
import { stepsReadByOthers } from './step-readers.js';
import { renderTemplate } from './templates.js';

/** Pipelines recorded before this patch rendered a missing template value as "": their replay must too. */
const MISSING_TEMPLATE_VALUES_FAIL_PATCH = 'missing-template-values-fail';

const DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS = 100;

/** One pipeline execution's working state inside the interpreter ("run" is kept for Twin runs). */
interface Execution {
  definition: PipelineDefinition;
  input: Record<string, unknown>;
  state: PipelineState;
  byId: Map<string, StepDefinition>;
  /** Steps outside the graph: only a failure starts them. */
  compensationIds: Set<string>;
  stepStates: Record<string, StepState>;
  inflight: Map<string, CancellationScope>;
  /** Settled steps whose result is still coming in (StepRunContext.completeLater). */
  completing: Set<string>;
  /** Steps whose result another step reads: they settle only with all of it. */
  readByOthers: Set<string>;
  /** Compensations waiting to start (they start even while failing, but not while paused). */
  compensations: { stepId: string; compensating: string }[];
  decisions: Map<string, ApprovalDecision>;
  failing: boolean;
  settledThisExecution: number;
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
  const execution = createExecution(definition, input, carried, rerun);
  installHandlers(execution);
  publish(execution);
  try {
    await drive(execution);
  } catch (error) {
    if (isCancellation(error)) await CancellationScope.nonCancellable(() => finishCancelled(execution));
    throw error;
  }
  return finish(execution);
}

function createExecution(
  definition: PipelineDefinition,
  input: Record<string, unknown>,
  carried?: PipelineState,
  rerun?: PipelineRerun,
): Execution {
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
    completing: new Set(),
    readByOthers: stepsReadByOthers(definition),
    compensations: [],
    decisions: new Map(),
    failing: false,
    settledThisExecution: 0,
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

function installHandlers(execution: Execution): void {
  setHandler(pipelineStateQuery, () => execution.state);
  setHandler(pausePipelineSignal, () => {
    execution.state.paused = true;
    changed(execution);
  });
  setHandler(resumePipelineSignal, () => {
    execution.state.paused = false;
    changed(execution);
  });
  setHandler(approveStepSignal, (decision) => {
    const problem = approvalProblem(execution, decision);
    if (problem) log.warn('approval signal dropped', { stepId: decision.stepId, problem });
    else recordDecision(execution, decision);
  });
  setHandler(
    approveStepUpdate,
    async (decision) => {
      recordDecision(execution, decision);
      const step = execution.stepStates[decision.stepId] as StepState;
      await condition(() => isSettled(step.status));
      return step;
    },
    {
      validator: (decision) => {
        const problem = approvalProblem(execution, decision);
        if (problem) throw new Error(problem);
      },
    },
  );
}

function approvalProblem(execution: Execution, decision: ApprovalDecision): string | undefined {
  const step = execution.stepStates[decision.stepId];
  if (!step) return `pipeline ${execution.state.name} has no step "${decision.stepId}"`;
  if (step.kind !== 'approval') return `step "${decision.stepId}" is not an approval step`;
  if (step.status !== 'waiting_approval' || execution.decisions.has(decision.stepId)) {
    return `step "${decision.stepId}" is not waiting for approval (it is ${step.status})`;
  }
  return undefined;
}

function recordDecision(execution: Execution, decision: ApprovalDecision): void {
  execution.decisions.set(decision.stepId, decision);
  changed(execution);
}

function changed(execution: Execution): void {
  execution.changes++;
}

async function drive(execution: Execution): Promise<void> {
  for (;;) {
    if (!execution.state.paused) startSteps(execution);
    if (idle(execution)) {
      if (execution.failing || allSettled(execution)) return;
      if (wantsContinueAsNew(execution)) await continueAsNewWithState(execution);
    }
    publish(execution);
    const seen = execution.changes;
    await condition(() => execution.changes !== seen);
  }
}

function idle(execution: Execution): boolean {
  return (
    execution.inflight.size === 0 && execution.compensations.length === 0 && execution.completing.size === 0
  );
}

/** Called when nothing is in flight or queued: a compensation step nobody needed stays pending (skipped at the end). */
function allSettled(execution: Execution): boolean {
  return execution.state.steps.every((s) => isSettled(s.status) || execution.compensationIds.has(s.id));
}

function wantsContinueAsNew(execution: Execution): boolean {
  const limit = execution.definition.options?.continueAsNewAfterSteps ?? DEFAULT_CONTINUE_AS_NEW_AFTER_STEPS;
  return execution.settledThisExecution >= limit || workflowInfo().continueAsNewSuggested;
}

async function continueAsNewWithState(execution: Execution): Promise<never> {
  await condition(allHandlersFinished);
  const carried: PipelineState = { ...execution.state, continuedAsNew: execution.state.continuedAsNew + 1 };
  return continueAsNew<typeof pipelineWorkflow>({
    definition: execution.definition,
    input: execution.input,
    carried,
  });
}

/** Starts queued compensations, then every ready step; skipped steps may make more steps ready, hence the loop. */
function startSteps(execution: Execution): void {
  for (const { stepId, compensating } of execution.compensations.splice(0)) {
    launch(execution, execution.byId.get(stepId) as StepDefinition, compensating);
  }
  // Draining before continue-as-new: the steps in flight finish, nothing new starts in this execution.
  if (execution.failing || wantsContinueAsNew(execution)) return;
  for (let decisions = decideReadySteps(execution.definition, execution.stepStates); decisions.length > 0;) {
    for (const { stepId, run: runIt } of decisions) {
      const step = execution.byId.get(stepId) as StepDefinition;
      if (runIt) launch(execution, step);
      else skip(execution, step.id);
    }
    decisions = decideReadySteps(execution.definition, execution.stepStates);
  }
}

function skip(execution: Execution, stepId: string): void {
  const state = execution.stepStates[stepId] as StepState;
  state.status = 'skipped';
  state.finishedAt = new Date().toISOString();
}

function launch(execution: Execution, step: StepDefinition, compensating?: string): void {
  const state = execution.stepStates[step.id] as StepState;
  state.status = 'running';
  state.startedAt = new Date().toISOString();
  if (compensating) state.compensating = compensating;
  const scope = new CancellationScope();
  execution.inflight.set(step.id, scope);
  void scope
    .run(() => executeStep(execution, step, state))
    .then(
      (result) => settle(execution, step, state, result),
      (error: unknown) => settle(execution, step, state, errorResult(scope, error)),
    );
  changed(execution);
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

function settle(execution: Execution, step: StepDefinition, state: StepState, result: StepResult): void {
  execution.inflight.delete(step.id);
  Object.assign(state, result);
  state.finishedAt = new Date().toISOString();
  state.durationMs = Date.parse(state.finishedAt) - Date.parse(state.startedAt ?? state.finishedAt);
  execution.settledThisExecution++;
  if (result.status === 'failed') onStepFailure(execution, step, state);
  changed(execution);
}

function onStepFailure(execution: Execution, step: StepDefinition, state: StepState): void {
  if (execution.failing) return;
  const policy = step.onFailure ?? 'fail';
  if (policy === 'continue') return;
  if (policy === 'fail' || policy.then !== 'continue') failPipeline(execution, state);
  if (typeof policy === 'object' && execution.stepStates[policy.compensate]?.status === 'pending') {
    execution.compensations.push({ stepId: policy.compensate, compensating: step.id });
  }
}

/** Nothing new starts; siblings in flight are cancelled (their Twin runs with them). */
function failPipeline(execution: Execution, failed: StepState): void {
  execution.failing = true;
  execution.state.failedStep = failed.id;
  execution.state.error = failed.error;
  for (const scope of execution.inflight.values()) scope.cancel();
}

// ---------------------------------------------------------------------------------------------------------
// Step kinds.

async function executeStep(
  execution: Execution,
  step: StepDefinition,
  state: StepState,
): Promise<StepResult> {
  switch (step.kind) {
    case 'wait':
      return waitStep(execution, step);
    case 'approval':
      return approvalStep(execution, step, state);
    default:
      return providerStep(execution, step, state);
  }
}

async function providerStep(execution: Execution, step: ProviderStep, state: StepState): Promise<StepResult> {
  const spec = stepKindSpec(step.kind);
  // The definition check refused unknown kinds before the run started.
  if (!spec) throw ApplicationFailure.nonRetryable(`unknown step kind "${step.kind}"`, 'UnknownStepKind');
  return spec.run(step, {
    state,
    stepStates: execution.stepStates,
    render: (template) => render(execution, template),
    resolveAgent: (template) => resolveAgent(execution, template),
    changed: () => changed(execution),
    ...(!execution.readByOthers.has(step.id) && {
      completeLater: (rest: Promise<StepResult>) => completeLater(execution, state, rest),
    }),
  });
}

function completeLater(execution: Execution, state: StepState, rest: Promise<StepResult>): void {
  execution.completing.add(state.id);
  void rest
    .then(
      (result) => {
        Object.assign(state, result);
      },
      (error: unknown) => {
        // Cancelled with the pipeline, most likely: the step has its status; what never came is left out.
        log.warn('the rest of a settled step result did not come', {
          stepId: state.id,
          error: String(error),
        });
      },
    )
    .finally(() => {
      execution.completing.delete(state.id);
      changed(execution);
    });
}

function templateContext(execution: Execution): Record<string, unknown> {
  // Exactly the readable fields, so what a template may name (checked at load) and what it reads cannot drift.
  const steps = Object.fromEntries(
    execution.state.steps.map((s) => [s.id, Object.fromEntries(STEP_OUTPUT_FIELDS.map((f) => [f, s[f]]))]),
  );
  return {
    input: execution.input,
    steps,
    pipeline: { name: execution.state.name, workflowId: execution.state.workflowId },
  };
}

/** A reference without a value fails the step (the error names it) instead of rendering "". */
function render(execution: Execution, template: string): string {
  const missingAsEmpty = !patched(MISSING_TEMPLATE_VALUES_FAIL_PATCH);
  return renderTemplate(template, templateContext(execution), { missingAsEmpty });
}

/** Renders an agent reference and records the agent for the TwinAgentIds search attribute. */
function resolveAgent(execution: Execution, template: string): string {
  const agentId = render(execution, template).trim();
  if (!agentId)
    throw ApplicationFailure.nonRetryable(`agent "${template}" rendered to an empty ID`, 'EmptyAgentId');
  if (!execution.state.agentIds.includes(agentId)) {
    execution.state.agentIds.push(agentId);
    changed(execution);
  }
  return agentId;
}

async function waitStep(execution: Execution, step: WaitStep): Promise<StepResult> {
  if (step.duration !== undefined) {
    await sleep(step.duration, { summary: `${step.id}: wait ${String(step.duration)}` });
    return { status: 'succeeded' };
  }
  const until = render(execution, step.until ?? '');
  const at = Date.parse(until);
  if (!Number.isFinite(at)) return { status: 'failed', error: `until "${until}" is not an ISO-8601 time` };
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms, { summary: `${step.id}: wait until ${until}` });
  return { status: 'succeeded' };
}

async function approvalStep(execution: Execution, step: ApprovalStep, state: StepState): Promise<StepResult> {
  state.status = 'waiting_approval';
  if (step.prompt !== undefined) state.prompt = render(execution, step.prompt);
  changed(execution);
  const decided = () => execution.decisions.has(step.id);
  if (step.timeout === undefined) await condition(decided);
  else
    await condition(decided, step.timeout, {
      summary: `${step.id}: approval deadline ${String(step.timeout)}`,
    });
  const decision = execution.decisions.get(step.id);
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

function liveStatus(execution: Execution): PipelineStatus {
  if (execution.state.status !== 'running' && execution.state.status !== 'waiting_approval')
    return execution.state.status;
  return execution.state.steps.some((s) => s.status === 'waiting_approval') ? 'waiting_approval' : 'running';
}

function publish(execution: Execution): void {
  execution.state.status = liveStatus(execution);
  execution.visibility.publish({
    status: execution.state.status,
    agentIds: execution.state.agentIds,
    runIds: execution.state.steps.flatMap((s) => s.runIds),
  });
}

async function finish(execution: Execution): Promise<PipelineState> {
  const { state } = execution;
  for (const step of state.steps) if (step.status === 'pending') skip(execution, step.id);
  state.status = execution.failing ? 'failed' : 'succeeded';
  state.finishedAt = new Date().toISOString();
  publish(execution);
  await condition(allHandlersFinished);
  if (!execution.failing) return state;
  throw ApplicationFailure.create({
    type: PIPELINE_FAILED,
    message: `pipeline ${state.name} failed at step ${state.failedStep}: ${state.error ?? 'unknown error'}`,
    nonRetryable: true,
    details: [state],
  });
}

/** Waits for every cancelled step to stop its Twin execution, then records the end. */
async function finishCancelled(execution: Execution): Promise<void> {
  await condition(() => execution.inflight.size === 0 && execution.completing.size === 0);
  for (const step of execution.state.steps) {
    if (step.status === 'pending' || step.status === 'waiting_approval') step.status = 'cancelled';
  }
  execution.state.status = 'cancelled';
  execution.state.finishedAt = new Date().toISOString();
  publish(execution);
}
