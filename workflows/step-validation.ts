// The check of each step and trigger of a definition: required fields, durations, the retry policy, conditions and
// templates that may read only a step's ancestors, trigger mappings. Called by pipeline-validation.ts, which has
// already built the graph these checks read.
import { RUN_OUTCOMES } from '../providers/twin/vocabulary/run-status.js';
import { durationProblem } from './duration.js';
import {
  EVENT_FIELDS,
  PIPELINE_FIELDS,
  STEP_OUTPUT_FIELDS,
  STEP_STATUSES,
  TRIGGER_EVENTS,
  type Condition,
  type Duration,
  type PipelineTrigger,
  type StepDefinition,
} from './pipeline-definition.js';
import { asList } from './pipeline-scheduling.js';
import { parseTemplate, templateReferences, TemplateSyntaxError } from './templates.js';
import { checkAnswerTest } from '../providers/twin-ai/workflows/twin-ai-validation.js';
import { stepKindSpec } from './providers.js';
import { checkProviderTrigger, checkTriggerInput } from './trigger-validation.js';

/** Checks a 7-field Twin cron expression. */
export type CronValidator = (expression: string) => { ok: true } | { ok: false; error: string };

/** What a definition check is given beyond the definition. */
export interface ValidationOptions {
  /** Checks `set` crons; the registry passes Twin's 7-field validator (kept out of the workflow bundle). */
  validateCron?: CronValidator;
}

/** Records a problem, naming its step where it has one. */
export type Report = (step: string | undefined, message: string) => void;

/** What the graph check learnt, for the checks of each step. */
export interface StepCheckContext {
  byId: Map<string, StepDefinition>;
  ancestors: Map<string, Set<string>>;
  compensations: Set<string>;
  skipReferences: boolean;
}

/** Every problem of one step, reported against it. */
export function checkStep(
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
  }
  const spec = stepKindSpec(step.kind);
  if (!spec) return problem(`unknown step kind "${(step as { kind: unknown }).kind}"`);
  spec.check(step, {
    problem,
    required: (field, value) => requireText(field, value, problem),
    template,
    isLiteral: (value) => !hasReferences(value),
    references: context.skipReferences ? undefined : { byId: context.byId, readable },
    options,
  });
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

function checkDuration(field: string, value: Duration | undefined, problem: (m: string) => void): void {
  const found = durationProblem(field, value);
  if (found) problem(found);
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
  checkAnswerTest(condition, byId.get(condition.step), problem);
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

/** Every problem of one trigger, reported against the pipeline. */
export function checkTrigger(trigger: PipelineTrigger, index: number, report: Report): void {
  const problem = (message: string) => report(undefined, `trigger ${index + 1}: ${message}`);
  if ('provider' in trigger) return checkProviderTrigger(trigger, problem);
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
  const readable = ([root, field, ...rest]: readonly string[]) =>
    root === 'event' && rest.length === 0 && (EVENT_FIELDS as readonly string[]).includes(field ?? '');
  checkTriggerInput(trigger.input, readable, `event.<${EVENT_FIELDS.join('|')}>`, problem);
}
