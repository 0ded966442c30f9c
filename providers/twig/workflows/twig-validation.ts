// Load-time checks of the Twig steps. Templates are checked by step-validation.ts, which lends its helpers
// (StepCheck); a rendered text's emptiness is checked again when the step runs
// (twig-step.ts), since a template's value is known only then.
import type { StepCheck } from '../../../workflows/step-kind.js';
import type { TwigStep } from './twig-definition.js';

const KB_ACTIONS = ['create', 'update'] as const;

/** Each required text must be given, each given text must be a valid template readable here. */
function texts(h: StepCheck, required: Record<string, unknown>, optional: Record<string, unknown>) {
  for (const [field, value] of Object.entries(required)) h.required(field, value);
  for (const [field, value] of Object.entries({ ...required, ...optional }))
    if (typeof value === 'string') h.template(field, value);
}

export function checkTwigStep(step: TwigStep, h: StepCheck): void {
  switch (step.kind) {
    case 'twig.query':
      return texts(h, { agent: step.agent, query: step.query }, { session: step.session });
    case 'twig.sync':
      return texts(h, { dataSource: step.dataSource }, {});
    case 'twig.kb':
      if (!KB_ACTIONS.includes(step.action))
        return h.problem(`action "${String(step.action)}" is not one of ${KB_ACTIONS.join(', ')}`);
      if (step.action === 'create') {
        if (step.articleId !== undefined) h.problem('"articleId" goes with action "update", not "create"');
        return texts(h, { title: step.title, content: step.content }, {});
      }
      // Twig's PUT takes any of the fields, but one at least: an update that changes nothing is a slip.
      if (step.title === undefined && step.content === undefined)
        h.problem('action "update" needs "title" or "content" (what changes)');
      return texts(h, { articleId: step.articleId }, { title: step.title, content: step.content });
  }
}
