// The load-time check of a pipeline definition: names, step IDs, the dependency graph (unknown steps, cycles,
// compensations outside the graph), then each step and trigger (step-validation.ts). It runs when the worker or
// the control layer loads a definition, and again in the interpreter for a definition started some other way, so
// a bad reference stops the process at start instead of failing a run days later. Anything needing a library
// (Twin's 7-field cron) is injected.
import { findUnknownFields } from './definition-fields.js';
import type { DefinitionProblem, PipelineDefinition, StepDefinition } from './pipeline-definition.js';
import { compensationStepIds } from './pipeline-scheduling.js';
import { checkStep, checkTrigger, type Report, type ValidationOptions } from './step-validation.js';

/** A definition that does not validate: its message lists every problem, each naming its step. */
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

/** Pipeline names: lower-case words and dashes, since they are part of workflow IDs. */
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
