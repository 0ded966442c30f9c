// Twin.ai's step kinds on the provider seam (workflows/step-kind.ts): ask the twin, change its knowledge base,
// resolve an escalation. The checks are twin-ai-validation.ts, the bodies twin-ai-step.ts.
import { fieldsOf, STEP_BASE, type StepKinds } from '../../../workflows/step-kind.js';
import type {
  TwinAiAskStep,
  TwinAiKbStep,
  TwinAiResolveEscalationStep,
  TwinAiStep,
} from './twin-ai-definition.js';
import { runTwinAiStep } from './twin-ai-step.js';
import { checkTwinAiStep } from './twin-ai-validation.js';

const run = (step: TwinAiStep, context: { render(template: string): string }) =>
  runTwinAiStep(step, context.render);

export const twinAiSteps: StepKinds<TwinAiStep> = {
  'twinai.ask': {
    fields: fieldsOf<TwinAiAskStep>()([...STEP_BASE, 'message', 'context', 'askedBy']),
    check: checkTwinAiStep,
    run,
    describe: () => 'ask Twin.ai',
  },
  'twinai.kb': {
    fields: fieldsOf<TwinAiKbStep>()([...STEP_BASE, 'action', 'title', 'content', 'documentId']),
    check: checkTwinAiStep,
    run,
    describe: (step) =>
      step.action === 'add' ? `add "${step.title ?? ''}" to Twin.ai's KB` : "delete from Twin.ai's KB",
  },
  'twinai.resolveEscalation': {
    fields: fieldsOf<TwinAiResolveEscalationStep>()([...STEP_BASE, 'escalationId', 'resolution']),
    check: checkTwinAiStep,
    run,
    describe: () => 'resolve a Twin.ai escalation',
  },
};
