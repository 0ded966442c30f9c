// Twig's step kinds on the provider seam (workflows/step-kind.ts): query an agent, sync a data source, write a
// knowledge-base article. The checks are twig-validation.ts, the bodies twig-step.ts.
import { fieldsOf, STEP_BASE, type StepKinds } from '../../../workflows/step-kind.js';
import type { TwigKbStep, TwigQueryStep, TwigStep, TwigSyncStep } from './twig-definition.js';
import { runTwigStep } from './twig-step.js';
import { checkTwigStep } from './twig-validation.js';

const run = (step: TwigStep, context: { render(template: string): string }) =>
  runTwigStep(step, context.render);

export const twigSteps: StepKinds<TwigStep> = {
  'twig.query': {
    fields: fieldsOf<TwigQueryStep>()([...STEP_BASE, 'agent', 'query', 'session']),
    check: checkTwigStep,
    run,
    describe: (step) => `query Twig agent ${step.agent}`,
  },
  'twig.sync': {
    fields: fieldsOf<TwigSyncStep>()([...STEP_BASE, 'dataSource']),
    check: checkTwigStep,
    run,
    describe: (step) => `sync Twig data source ${step.dataSource}`,
  },
  'twig.kb': {
    fields: fieldsOf<TwigKbStep>()([...STEP_BASE, 'action', 'articleId', 'title', 'content']),
    check: checkTwigStep,
    run,
    describe: (step) =>
      step.action === 'create'
        ? `create "${step.title ?? ''}" in Twig's KB`
        : "update an article in Twig's KB",
  },
};
