// The pipeline definition API: plain, JSON-serialisable data (steps that reference agents, dependencies,
// conditions, templates, per-step policies, triggers) plus the checks and scheduling rules the interpreter
// needs. A definition travels as workflow input, so history is self-contained and replayable; it is
// validated when the worker or the control layer loads it. Pure and deterministic: no zod, no I/O, so the
// workflow sandbox and Node share this one file. Anything needing a library (7-field cron) is injected.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { RUN_OUTCOMES, type RunOutcome } from '../services/twin-api/run-status.js';
import { FAILURE_KINDS, type FailureKind } from './agent-retry.js';
import { findUnknownFields } from './definition-fields.js';
import type { AttemptRecord } from './run-agent.js';
import { parseTemplate, templateReferences, TemplateSyntaxError } from './templates.js';

export type { Duration } from '@temporalio/common';
export type { FailureKind } from './agent-retry.js';

/**
 * In a pipeline an agent step fails when its run fails or is stopped; outcomes `fail` and `partial` are data that
 * conditions branch on, unless the step's `failOn` names them (runAgent alone counts `fail` too: with no
 * pipeline around it, nothing else would act on the outcome).
 */
export const DEFAULT_FAIL_ON: readonly FailureKind[] = ['failed', 'stopped'];

export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
const SETTLED: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

/**
 * Fields of an earlier step a template may read: `{{steps.<id>.<field>}}`, and `{{steps.<id>.json.<path>}}` into
 * an output that is JSON.
 */
export const STEP_OUTPUT_FIELDS = [
  'status',
  'outcome',
  'output',
  'json',
  'reason',
  'summary',
  'runId',
  'attempts',
  'decidedBy',
  'comment',
  'error',
] as const;
/** Fields of the pipeline itself: `{{pipeline.<field>}}`. */
export const PIPELINE_FIELDS = ['name', 'workflowId'] as const;
/** Fields of the Twin run that fired a trigger, for the trigger's input mapping: `{{event.<field>}}`. */
export const EVENT_FIELDS = [
  'runId',
  'agentId',
  'status',
  'outcome',
  'output',
  'summary',
  'finishedAt',
] as const;

export const SCHEDULE_ACTIONS = ['set', 'pause', 'resume', 'delete'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

export const TRIGGER_EVENTS = ['run.completed', 'run.failed', 'run.stopped'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export interface StepRetry {
  /** Total attempts including the first; 1 means no retry. */
  maximumAttempts: number;
  initialInterval?: Duration;
  backoffCoefficient?: number;
  maximumInterval?: Duration;
}

/**
 * What a failed step does to the pipeline: `fail` (default) stops starting steps, cancels the ones in flight
 * and fails the pipeline; `continue` lets independent branches go on (dependants without an explicit `when`
 * are skipped); `compensate` runs the named compensation step first, then fails or continues.
 */
export type FailurePolicy = 'fail' | 'continue' | { compensate: string; then?: 'fail' | 'continue' };

/** A condition over earlier steps. `{step, outcome}` / `{step, status}` test one step; both given = both hold. */
export type Condition =
  | { step: string; outcome?: RunOutcome | RunOutcome[]; status?: StepStatus | StepStatus[] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

interface StepBase {
  /** Unique within the pipeline; appears in templates, conditions, status and run markers. */
  id: string;
  description?: string;
  /** Steps that must be settled first. Several = fan-in; several steps after one = fan-out. */
  after?: string[];
  /** Without it a step runs when no dependency failed (skipped dependencies are fine). */
  when?: Condition;
  onFailure?: FailurePolicy;
  /** Agent and approval steps: the whole step, all attempts included. Admin steps: the activity's schedule-to-close. */
  timeout?: Duration;
}

/** Starts a Twin run and waits for it to end. Strings may be templates. */
export interface AgentStep extends StepBase {
  kind: 'agent';
  agent: string;
  message?: string;
  runMode?: 'build' | 'run';
  skipDeployCheck?: boolean;
  retry?: StepRetry;
  /**
   * Which ends count as failure (and are retried while `retry` allows): outcomes `fail`, `partial`, `unknown`, run
   * statuses `failed`, `stopped`. Default {@link DEFAULT_FAIL_ON}. Naming `fail` or `partial` makes an unknown
   * outcome a failure too, retried only if `unknown` is named.
   */
  failOn?: FailureKind[];
  /** Event kinds that carry the agent's answer (`output`); default assistant_message, message, output. */
  outputFrom?: string[];
}

/** Sets, pauses, resumes or deletes an agent's Twin cron schedule (7 fields: sec min hour day month dow year). */
export interface RescheduleStep extends StepBase {
  kind: 'reschedule';
  agent: string;
  action: ScheduleAction;
  /** Required for `set`, a literal so it is validated at load. */
  cron?: string;
  retry?: StepRetry;
}

/** Replaces an agent's instructions (Twin keeps the version history). */
export interface InstructionsStep extends StepBase {
  kind: 'instructions';
  agent: string;
  content: string;
  retry?: StepRetry;
}

/** A durable timer: exactly one of `duration` or `until` (an ISO-8601 time, may be a template). */
export interface WaitStep extends StepBase {
  kind: 'wait';
  duration?: Duration;
  until?: string;
}

/** Waits for a human to approve or reject through the control API; `timeout` then `onTimeout` (default reject). */
export interface ApprovalStep extends StepBase {
  kind: 'approval';
  prompt?: string;
  onTimeout?: 'approve' | 'reject';
}

export type StepDefinition = AgentStep | RescheduleStep | InstructionsStep | WaitStep | ApprovalStep;
export type StepKind = StepDefinition['kind'];

/** A Twin event that starts this pipeline, including runs twinflow did not start (schedules, the Twin UI). */
export interface PipelineTrigger {
  event: TriggerEvent;
  /** Literal agent ID: events are matched against it. */
  agent: string;
  /** Only for `run.completed`; an outcome twinflow could not learn is `unknown` and matches only that word. */
  outcome?: RunOutcome | RunOutcome[];
  /** Pipeline input built from the event: values are templates over `{{event.*}}`. */
  input?: Record<string, string>;
}

export interface PipelineOptions {
  /** Continue-as-new after this many steps have settled in one run (history stays bounded); default 100. */
  continueAsNewAfterSteps?: number;
}

export interface PipelineDefinition {
  /** Lower-case words and dashes: it is part of workflow IDs and the TwinflowPipeline search attribute. */
  name: string;
  description?: string;
  steps: StepDefinition[];
  triggers?: PipelineTrigger[];
  options?: PipelineOptions;
}

/** Typed identity for editors, checked at load. Not generic: a type parameter would accept `afterr: [...]`. */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  return definition;
}

// ---------------------------------------------------------------------------------------------------------
// Run-time state the scheduling rules read.

export interface StepState {
  id: string;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  runIds: string[];
  runId?: string;
  runStatus?: 'completed' | 'failed' | 'stopped';
  outcome?: RunOutcome;
  /** Only where Twin serves one: no current document promises it. */
  summary?: string;
  /** The agent's final answer (its last message event); absent when no event carried one. */
  output?: string;
  /** `output` parsed, when it is a JSON object or array. */
  json?: unknown;
  outputTruncated?: boolean;
  /** Why the last run failed or stopped, as its events say. */
  reason?: string;
  /** Every attempt's run as it ended, with its start resolution. */
  runs?: AttemptRecord[];
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
  /** Approval steps: the rendered prompt, who decided (or `timeout`) and their comment. */
  prompt?: string;
  decidedBy?: string;
  comment?: string;
  /** Set on a compensation step: the step whose failure ran it. */
  compensating?: string;
  /** Set when a rerun took this step's recorded result from that pipeline run (its workflow ID) instead of running it. */
  reusedFrom?: string;
}

export function isSettled(status: StepStatus): boolean {
  return SETTLED.includes(status);
}

export function evaluateCondition(condition: Condition, steps: Readonly<Record<string, StepState>>): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, steps));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, steps));
  if ('not' in condition) return !evaluateCondition(condition.not, steps);
  const state = steps[condition.step];
  if (!state) return false;
  if (condition.outcome !== undefined && !asList(condition.outcome).includes(state.outcome as RunOutcome))
    return false;
  if (condition.status !== undefined && !asList(condition.status).includes(state.status)) return false;
  return true;
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

export function compensationStepIds(definition: PipelineDefinition): Set<string> {
  const ids = new Set<string>();
  for (const step of definition.steps) {
    if (typeof step.onFailure === 'object') ids.add(step.onFailure.compensate);
  }
  return ids;
}

export type StepDecision = { stepId: string; run: boolean };

/**
 * The pending steps whose dependencies have all settled, each with whether it runs or is skipped. Compensation
 * steps never appear: only a failure starts them.
 */
export function decideReadySteps(
  definition: PipelineDefinition,
  steps: Readonly<Record<string, StepState>>,
): StepDecision[] {
  const compensations = compensationStepIds(definition);
  const decisions: StepDecision[] = [];
  for (const step of definition.steps) {
    if (compensations.has(step.id) || steps[step.id]?.status !== 'pending') continue;
    const deps = (step.after ?? []).map((id) => steps[id]);
    if (!deps.every((dep) => dep !== undefined && isSettled(dep.status))) continue;
    const run = step.when
      ? evaluateCondition(step.when, steps)
      : deps.every((dep) => dep?.status === 'succeeded' || dep?.status === 'skipped');
    decisions.push({ stepId: step.id, run });
  }
  return decisions;
}

// ---------------------------------------------------------------------------------------------------------
// Validation.

export interface DefinitionProblem {
  step?: string;
  message: string;
}

export class PipelineDefinitionError extends Error {
  override name = 'PipelineDefinitionError';
  constructor(
    readonly pipeline: string,
    readonly problems: DefinitionProblem[],
  ) {
    super(
      `invalid pipeline "${pipeline}":\n` +
        problems.map((p) => `  - ${p.step ? `step "${p.step}": ` : ''}${p.message}`).join('\n'),
    );
  }
}

export type CronValidator = (expression: string) => { ok: true } | { ok: false; error: string };

export interface ValidationOptions {
  /** Checks `set` crons; the registry passes Twin's 7-field validator (kept out of the workflow bundle). */
  validateCron?: CronValidator;
}

export const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** Every problem in the definition, each naming its step; empty when the definition is valid. */
export function findDefinitionProblems(
  definition: PipelineDefinition,
  options: ValidationOptions = {},
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const report = (step: string | undefined, message: string) => problems.push({ step, message });
  if (!PIPELINE_NAME.test(definition.name)) {
    report(undefined, 'name must be lower-case letters, digits and dashes (it is part of workflow IDs)');
  }
  if (definition.steps.length === 0) report(undefined, 'a pipeline needs at least one step');
  problems.push(...findUnknownFields(definition));
  const byId = checkStepIds(definition, report);
  const compensations = checkCompensations(definition, byId, report);
  const cycle = findCycle(definition, byId);
  if (cycle) report(cycle[0], `dependency cycle: ${cycle.join(' → ')}`);
  const ancestors = cycle ? new Map<string, Set<string>>() : ancestorSets(definition, byId, compensations);
  for (const step of definition.steps) {
    checkStep(step, { byId, ancestors, compensations, skipReferences: cycle !== undefined }, options, report);
  }
  definition.triggers?.forEach((trigger, index) => checkTrigger(trigger, index, report));
  const limit = definition.options?.continueAsNewAfterSteps;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    report(undefined, 'options.continueAsNewAfterSteps must be a positive integer');
  }
  return problems;
}

/** Throws a PipelineDefinitionError naming the pipeline and each offending step. */
export function assertValidPipeline(
  definition: PipelineDefinition,
  options: ValidationOptions = {},
): PipelineDefinition {
  const problems = findDefinitionProblems(definition, options);
  if (problems.length > 0) throw new PipelineDefinitionError(definition.name, problems);
  return definition;
}

type Report = (step: string | undefined, message: string) => void;

function checkStepIds(definition: PipelineDefinition, report: Report): Map<string, StepDefinition> {
  const byId = new Map<string, StepDefinition>();
  for (const step of definition.steps) {
    if (!STEP_ID.test(step.id))
      report(step.id, 'id must start with a letter and use letters, digits, "_" or "-"');
    if (byId.has(step.id)) report(step.id, 'duplicate step id');
    byId.set(step.id, step);
  }
  for (const step of definition.steps) {
    for (const dep of step.after ?? []) {
      if (dep === step.id) report(step.id, 'a step cannot come after itself');
      else if (!byId.has(dep)) report(step.id, `"after" names unknown step "${dep}"`);
    }
  }
  return byId;
}

/** Compensation steps live outside the graph: no `after`, no `when`, no compensation of their own. */
function checkCompensations(
  definition: PipelineDefinition,
  byId: Map<string, StepDefinition>,
  report: Report,
): Set<string> {
  const compensations = compensationStepIds(definition);
  for (const step of definition.steps) {
    if (typeof step.onFailure !== 'object') continue;
    const target = step.onFailure.compensate;
    if (!byId.has(target)) report(step.id, `onFailure compensates with unknown step "${target}"`);
    if (target === step.id) report(step.id, 'a step cannot compensate itself');
  }
  for (const id of compensations) {
    const step = byId.get(id);
    if (!step) continue;
    if (step.after?.length)
      report(id, 'a compensation step cannot have "after": it runs when the step it compensates fails');
    if (step.when) report(id, 'a compensation step cannot have "when"');
    if (typeof step.onFailure === 'object')
      report(id, 'a compensation step cannot have a compensation of its own');
    for (const other of definition.steps) {
      if (other.after?.includes(id)) report(other.id, `"after" names compensation step "${id}"`);
    }
  }
  return compensations;
}

function findCycle(definition: PipelineDefinition, byId: Map<string, StepDefinition>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of byId.get(id)?.after ?? []) {
      if (!byId.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of definition.steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

/**
 * The steps each step may read: its transitive dependencies. A compensation step may read what every step
 * it compensates may read, plus those steps themselves.
 */
function ancestorSets(
  definition: PipelineDefinition,
  byId: Map<string, StepDefinition>,
  compensations: Set<string>,
): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const of = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const result = new Set<string>();
    for (const dep of byId.get(id)?.after ?? []) {
      if (!byId.has(dep)) continue;
      result.add(dep);
      for (const a of of(dep)) result.add(a);
    }
    memo.set(id, result);
    return result;
  };
  for (const step of definition.steps) of(step.id);
  for (const id of compensations) {
    const compensated = definition.steps.filter(
      (s) => typeof s.onFailure === 'object' && s.onFailure.compensate === id,
    );
    const readable = compensated.map((s) => new Set([s.id, ...of(s.id)]));
    memo.set(
      id,
      readable.reduce((acc, set) => new Set([...acc].filter((x) => set.has(x)))),
    );
  }
  return memo;
}

interface StepCheckContext {
  byId: Map<string, StepDefinition>;
  ancestors: Map<string, Set<string>>;
  compensations: Set<string>;
  skipReferences: boolean;
}

function checkStep(
  step: StepDefinition,
  context: StepCheckContext,
  options: ValidationOptions,
  report: Report,
): void {
  const problem = (message: string) => report(step.id, message);
  const readable = context.ancestors.get(step.id) ?? new Set<string>();
  const template = (field: string, value: string | undefined) => {
    if (value !== undefined) checkStepTemplate(field, value, readable, context, problem);
  };
  checkDuration('timeout', step.timeout, problem);
  if (step.when && !context.skipReferences) checkCondition(step.when, readable, context.byId, problem);
  switch (step.kind) {
    case 'agent':
      requireText('agent', step.agent, problem);
      template('agent', step.agent);
      template('message', step.message);
      checkRetry(step.retry, problem);
      step.failOn?.forEach((kind) => {
        if (!FAILURE_KINDS.includes(kind))
          problem(`failOn "${kind}" is not one of ${FAILURE_KINDS.join(', ')}`);
      });
      return;
    case 'reschedule':
      requireText('agent', step.agent, problem);
      template('agent', step.agent);
      checkRetry(step.retry, problem);
      checkReschedule(step, options, problem);
      return;
    case 'instructions':
      requireText('agent', step.agent, problem);
      requireText('content', step.content, problem);
      template('agent', step.agent);
      template('content', step.content);
      checkRetry(step.retry, problem);
      return;
    case 'wait':
      if (step.timeout !== undefined) problem('a wait has no "timeout": its duration is its deadline');
      if ((step.duration === undefined) === (step.until === undefined))
        problem('a wait needs exactly one of "duration" or "until"');
      checkDuration('duration', step.duration, problem);
      template('until', step.until);
      if (step.until !== undefined && !hasReferences(step.until) && !Number.isFinite(Date.parse(step.until)))
        problem(`until "${step.until}" is not an ISO-8601 time`);
      return;
    case 'approval':
      template('prompt', step.prompt);
      if (step.onTimeout !== undefined && step.timeout === undefined)
        problem('"onTimeout" needs a "timeout"');
      return;
    default:
      problem(`unknown step kind "${(step as { kind: unknown }).kind}"`);
  }
}

function requireText(field: string, value: unknown, problem: (m: string) => void): void {
  if (typeof value !== 'string' || value.trim().length === 0) problem(`"${field}" is required`);
}

function hasReferences(template: string): boolean {
  try {
    return templateReferences(template).length > 0;
  } catch {
    return true;
  }
}

function checkReschedule(
  step: RescheduleStep,
  options: ValidationOptions,
  problem: (m: string) => void,
): void {
  if (!SCHEDULE_ACTIONS.includes(step.action)) {
    problem(`action "${step.action}" is not one of ${SCHEDULE_ACTIONS.join(', ')}`);
    return;
  }
  if (step.action !== 'set') {
    if (step.cron !== undefined) problem(`"cron" only goes with action "set", not "${step.action}"`);
    return;
  }
  if (step.cron === undefined || step.cron.trim() === '') {
    problem('action "set" needs a "cron"');
    return;
  }
  const verdict = options.validateCron?.(step.cron);
  if (verdict && !verdict.ok) problem(`cron "${step.cron}" is invalid: ${verdict.error}`);
}

function checkDuration(field: string, value: Duration | undefined, problem: (m: string) => void): void {
  if (value === undefined) return;
  try {
    if (!(msToNumber(value) > 0)) problem(`"${field}" must be a positive duration`);
  } catch {
    problem(`"${field}" is not a duration ("30s", "5 minutes" or milliseconds): ${String(value)}`);
  }
}

function checkRetry(retry: StepRetry | undefined, problem: (m: string) => void): void {
  if (!retry) return;
  if (!Number.isInteger(retry.maximumAttempts) || retry.maximumAttempts < 1) {
    problem('retry.maximumAttempts must be an integer of at least 1');
  }
  if (retry.backoffCoefficient !== undefined && !(retry.backoffCoefficient >= 1)) {
    problem('retry.backoffCoefficient must be at least 1');
  }
  checkDuration('retry.initialInterval', retry.initialInterval, problem);
  checkDuration('retry.maximumInterval', retry.maximumInterval, problem);
}

function checkCondition(
  condition: Condition,
  readable: Set<string>,
  byId: Map<string, StepDefinition>,
  problem: (m: string) => void,
): void {
  if ('all' in condition) return condition.all.forEach((c) => checkCondition(c, readable, byId, problem));
  if ('any' in condition) return condition.any.forEach((c) => checkCondition(c, readable, byId, problem));
  if ('not' in condition) return checkCondition(condition.not, readable, byId, problem);
  if (!byId.has(condition.step)) return problem(`"when" names unknown step "${condition.step}"`);
  if (!readable.has(condition.step)) {
    problem(`"when" reads step "${condition.step}", which is not among its dependencies (add it to "after")`);
  }
  if (condition.outcome !== undefined) {
    for (const outcome of asList(condition.outcome)) {
      if (!RUN_OUTCOMES.includes(outcome))
        problem(`"when" outcome "${outcome}" is not one of ${RUN_OUTCOMES.join(', ')}`);
    }
  }
  if (condition.status !== undefined) {
    for (const status of asList(condition.status)) {
      if (!STEP_STATUSES.includes(status))
        problem(`"when" status "${status}" is not one of ${STEP_STATUSES.join(', ')}`);
    }
  }
}

function checkStepTemplate(
  field: string,
  template: string,
  readable: Set<string>,
  context: StepCheckContext,
  problem: (m: string) => void,
): void {
  let references: string[][];
  try {
    references = parseTemplate(template).flatMap((s) => (s.kind === 'ref' ? [s.path] : []));
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return problem(`${field}: ${error.message}`);
    throw error;
  }
  for (const path of references) {
    const where = `${field}: "{{${path.join('.')}}}"`;
    const [root, second, third] = path;
    if (root === 'input') continue;
    if (root === 'pipeline') {
      if (path.length !== 2 || !(PIPELINE_FIELDS as readonly string[]).includes(second ?? '')) {
        problem(`${where} — pipeline fields are ${PIPELINE_FIELDS.join(', ')}`);
      }
      continue;
    }
    if (root !== 'steps') {
      problem(`${where} — a template reads "input.*", "steps.<id>.<field>" or "pipeline.<field>"`);
      continue;
    }
    const deeper = third === 'json' ? path.length >= 3 : path.length === 3;
    if (!deeper || !second || !third) {
      problem(`${where} — step references look like steps.<id>.<field> (or steps.<id>.json.<path>)`);
      continue;
    }
    if (context.skipReferences) continue;
    if (!context.byId.has(second)) problem(`${where} names unknown step "${second}"`);
    else if (!readable.has(second))
      problem(`${where} reads step "${second}", which is not an ancestor (add it to "after")`);
    if (!(STEP_OUTPUT_FIELDS as readonly string[]).includes(third)) {
      problem(`${where} — step fields are ${STEP_OUTPUT_FIELDS.join(', ')}`);
    }
  }
}

function checkTrigger(trigger: PipelineTrigger, index: number, report: Report): void {
  const problem = (message: string) => report(undefined, `trigger ${index + 1}: ${message}`);
  if (!TRIGGER_EVENTS.includes(trigger.event))
    problem(`event "${trigger.event}" is not one of ${TRIGGER_EVENTS.join(', ')}`);
  requireText('agent', trigger.agent, problem);
  if (typeof trigger.agent === 'string' && hasReferences(trigger.agent))
    problem('"agent" must be a literal agent ID');
  if (trigger.outcome !== undefined) {
    if (trigger.event !== 'run.completed') problem('"outcome" only goes with event "run.completed"');
    for (const outcome of asList(trigger.outcome)) {
      if (!RUN_OUTCOMES.includes(outcome))
        problem(`outcome "${outcome}" is not one of ${RUN_OUTCOMES.join(', ')}`);
    }
  }
  for (const [key, value] of Object.entries(trigger.input ?? {})) {
    try {
      for (const [root, field, ...rest] of templateReferences(value)) {
        if (
          root !== 'event' ||
          rest.length > 0 ||
          !(EVENT_FIELDS as readonly string[]).includes(field ?? '')
        ) {
          problem(
            `input.${key}: "{{${[root, field, ...rest].join('.')}}}" — trigger input reads event.<${EVENT_FIELDS.join('|')}>`,
          );
        }
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      problem(`input.${key}: ${error.message}`);
    }
  }
}

/** Whether a terminal run observation fires this trigger. */
export function triggerMatches(
  trigger: PipelineTrigger,
  observation: { agentId: string; status: string; outcome?: RunOutcome },
): boolean {
  if (trigger.agent !== observation.agentId) return false;
  const event = `run.${observation.status}`;
  if (trigger.event !== event) return false;
  return (
    trigger.outcome === undefined ||
    (observation.outcome !== undefined && asList(trigger.outcome).includes(observation.outcome))
  );
}
