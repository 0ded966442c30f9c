// The interpreter's scheduling rules: which pending steps are ready, whether each runs or is skipped (its `when`
// condition, or no failed dependency), and which pipelines a Twin run's end triggers. Pure: the interpreter
// calls them in the sandbox, the trigger activity and unit tests in Node.
import type { RunOutcome } from '../providers/twin/vocabulary/run-status.js';
import type {
  Condition,
  PipelineDefinition,
  PipelineTrigger,
  StepState,
  StepStatus,
} from './pipeline-definition.js';

const SETTLED: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

/** Whether a step has reached an end: nothing will change its status again. */
export function isSettled(status: StepStatus): boolean {
  return SETTLED.includes(status);
}

/** Whether a `when` condition holds over the steps' states. */
export function evaluateCondition(condition: Condition, steps: Readonly<Record<string, StepState>>): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, steps));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, steps));
  if ('not' in condition) return !evaluateCondition(condition.not, steps);
  const state = steps[condition.step];
  if (!state) return false;
  if (condition.outcome !== undefined && !asList(condition.outcome).includes(state.outcome as RunOutcome))
    return false;
  if (condition.status !== undefined && !asList(condition.status).includes(state.status)) return false;
  return answerMatches(condition, state);
}

/** A Twin.ai answer test; a step without an answer (skipped, failed, another kind) passes none. */
function answerMatches(test: Extract<Condition, { step: string }>, state: StepState): boolean {
  if (test.shouldEscalate !== undefined && state.shouldEscalate !== test.shouldEscalate) return false;
  const bounds = test.confidence;
  if (bounds === undefined) return true;
  const { confidence } = state;
  if (confidence === undefined) return false;
  if (bounds.below !== undefined && !(confidence < bounds.below)) return false;
  return bounds.atLeast === undefined || confidence >= bounds.atLeast;
}

/** A value or a list of values, as a list. */
export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The steps that compensate another: outside the graph, started only by a failure. */
export function compensationStepIds(definition: PipelineDefinition): Set<string> {
  const ids = new Set<string>();
  for (const step of definition.steps) {
    if (typeof step.onFailure === 'object') ids.add(step.onFailure.compensate);
  }
  return ids;
}

/** A ready step, and whether it runs (else it is skipped). */
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
    const runs = step.when
      ? evaluateCondition(step.when, steps)
      : deps.every((dep) => dep?.status === 'succeeded' || dep?.status === 'skipped');
    decisions.push({ stepId: step.id, run: runs });
  }
  return decisions;
}

/** Whether a terminal run observation fires this trigger. */
export function triggerMatches(
  trigger: PipelineTrigger,
  observation: { agentId: string; status: string; outcome?: RunOutcome },
): boolean {
  // A provider trigger fires on its webhook (activities/provider-triggers.ts), never on a Twin run.
  if ('provider' in trigger) return false;
  if (trigger.agent !== observation.agentId) return false;
  const event = `run.${observation.status}`;
  if (trigger.event !== event) return false;
  return (
    trigger.outcome === undefined ||
    (observation.outcome !== undefined && asList(trigger.outcome).includes(observation.outcome))
  );
}
