// Load-time checks of the Twin.ai steps and of the conditions that read an ask's answer. Templates are checked by
// step-validation.ts, which lends its helpers (StepCheck); the rendered lengths are checked again when the step runs
// (twin-ai-step.ts), since a template's length is known only then.
import type { Condition, StepDefinition } from '../../../workflows/pipeline-definition.js';
import type { StepCheck } from '../../../workflows/step-kind.js';
import type { TwinAiStep } from './twin-ai-definition.js';
import { TWIN_AI_TEXT_LIMITS } from './twin-ai-api.js';

const KB_ACTIONS = ['add', 'delete'] as const;

function texts(h: StepCheck, required: Record<string, unknown>, optional: Record<string, unknown>) {
  for (const [field, value] of Object.entries(required)) h.required(field, value);
  for (const [field, value] of Object.entries({ ...required, ...optional })) {
    if (typeof value !== 'string') continue;
    h.template(field, value);
    const limit = (TWIN_AI_TEXT_LIMITS as Record<string, number>)[field];
    if (limit !== undefined && h.isLiteral(value) && value.length > limit)
      h.problem(`${field} is ${value.length} characters; Twin.ai takes at most ${limit}`);
  }
}

export function checkTwinAiStep(step: TwinAiStep, h: StepCheck): void {
  switch (step.kind) {
    case 'twinai.ask':
      return texts(h, { message: step.message }, { context: step.context, askedBy: step.askedBy });
    case 'twinai.resolveEscalation':
      return texts(h, { escalationId: step.escalationId }, { resolution: step.resolution });
    case 'twinai.kb':
      if (!KB_ACTIONS.includes(step.action)) {
        return h.problem(`action "${String(step.action)}" is not one of ${KB_ACTIONS.join(', ')}`);
      }
      if (step.action === 'add') {
        if (step.documentId !== undefined) h.problem('"documentId" goes with action "delete", not "add"');
        return texts(h, { title: step.title, content: step.content }, {});
      }
      if (step.title !== undefined || step.content !== undefined)
        h.problem('"title" and "content" go with action "add", not "delete"');
      return texts(h, { documentId: step.documentId }, {});
  }
}

const isFraction = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1;

/** The answer tests of one step test (`shouldEscalate`, `confidence`), which only a `twinai.ask` step can pass. */
export function checkAnswerTest(
  test: Extract<Condition, { step: string }>,
  target: StepDefinition | undefined,
  problem: (message: string) => void,
): void {
  if (test.shouldEscalate === undefined && test.confidence === undefined) return;
  if (target && target.kind !== 'twinai.ask') {
    problem(`"when" reads the answer of step "${target.id}", which is not a twinai.ask step`);
  }
  if (test.shouldEscalate !== undefined && typeof test.shouldEscalate !== 'boolean')
    problem('"when" shouldEscalate must be true or false');
  const bounds = test.confidence;
  if (bounds === undefined) return;
  if (bounds.below === undefined && bounds.atLeast === undefined)
    return problem('"when" confidence needs "below" or "atLeast"');
  for (const [name, value] of Object.entries(bounds)) {
    if (value !== undefined && !isFraction(value))
      problem(`"when" confidence ${name} ${String(value)} is not a number from 0 to 1`);
  }
  if (bounds.below !== undefined && bounds.atLeast !== undefined && bounds.atLeast >= bounds.below)
    problem(`"when" confidence atLeast ${bounds.atLeast} and below ${bounds.below} can never both hold`);
}
