// The managed-agent step kind on the provider seam (workflows/step-kind.ts): a session, or a turn in the session
// of an earlier step. The body is session-step.ts.
import { fieldsOf, STEP_BASE, type StepCheck, type StepKinds } from '../../../workflows/step-kind.js';
import type { SessionStep } from './session-definition.js';
import { runSessionStep } from './session-step.js';

function checkSession(step: SessionStep, check: StepCheck): void {
  check.required('message', step.message);
  check.template('message', step.message);
  check.template('agent', step.agent);
  if ((step.agent === undefined) === (step.continues === undefined)) {
    check.problem(
      'a session step needs exactly one of "agent" (a new session) or "continues" (a turn in one)',
    );
  }
  if (step.agent !== undefined) check.required('agent', step.agent);
  if (step.agentVersion !== undefined) {
    if (step.agent === undefined)
      check.problem('"agentVersion" goes with "agent": a turn stays on its session\'s');
    if (!Number.isInteger(step.agentVersion) || step.agentVersion < 1)
      check.problem(`agentVersion ${String(step.agentVersion)} is not a positive integer`);
  }
  if (step.continues === undefined || !check.references) return;
  const { byId, readable } = check.references;
  const earlier = byId.get(step.continues);
  if (!earlier) check.problem(`"continues" names unknown step "${step.continues}"`);
  else if (earlier.kind !== 'session')
    check.problem(`"continues" names step "${step.continues}", which is not a session step`);
  else if (!readable.has(step.continues))
    check.problem(`"continues" names step "${step.continues}", which is not an ancestor (add it to "after")`);
  // A session takes one turn at a time and a turn's events begin after its predecessor's: turns form one chain.
  const steps = [...byId.values()];
  const earlierTurn = steps.find((s) => s.kind === 'session' && s.continues === step.continues && s !== step);
  if (earlierTurn && steps.indexOf(earlierTurn) < steps.indexOf(step)) {
    check.problem(
      `step "${earlierTurn.id}" already continues "${step.continues}": continue "${earlierTurn.id}" instead, so the turns form one chain`,
    );
  }
}

export const sessionSteps: StepKinds<SessionStep> = {
  session: {
    fields: fieldsOf<SessionStep>()([...STEP_BASE, 'agent', 'agentVersion', 'continues', 'message']),
    check: checkSession,
    run: (step, context) => runSessionStep(step, context.state, context),
    describe: (step) =>
      step.continues ? `turn in the session of ${step.continues}` : `session of ${step.agent ?? ''}`,
  },
};
