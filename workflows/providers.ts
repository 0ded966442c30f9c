// The providers twinflow drives, one line each: the platform's name (its folder under providers/, the word in task
// queue names and workflow IDs), the step kinds it adds to definePipeline and the webhook events it offers as
// pipeline triggers. This list is what the interpreter runs,
// what a definition is checked against and what `StepDefinition` is made of; the process side of each provider
// (clients, queues, webhook routes, emulators) is providers/<name>/provider.ts, found by the same name
// (providers/registry.ts). Adding a provider is its folder plus its line here.
import { sessionSteps } from '../providers/managed-agents/workflows/session-steps.js';
import { onTwigEvent } from '../providers/twig/workflows/twig-sync-nudge.js';
import { twigSteps } from '../providers/twig/workflows/twig-steps.js';
import { twinAiSteps } from '../providers/twin-ai/workflows/twin-ai-steps.js';
import { twinSteps } from '../providers/twin/workflows/twin-steps.js';
import { TWIG_EVENTS } from '../providers/twig/workflows/twig-events.js';
import { TWIN_AI_EVENTS } from '../providers/twin-ai/workflows/twin-ai-events.js';
import type { ProviderEvents } from './provider-events.js';
import type { StepKindSpec, StepOfKinds } from './step-kind.js';

export const PROVIDERS = {
  twin: { steps: twinSteps },
  'managed-agents': { steps: sessionSteps },
  'twin-ai': { steps: twinAiSteps, events: TWIN_AI_EVENTS },
  twig: { steps: twigSteps, events: { ...TWIG_EVENTS, onEvent: onTwigEvent } },
} as const satisfies Record<string, { steps: object; events?: ProviderEvents }>;

type Registered = typeof PROVIDERS;

/** Every step kind the providers add, as definitions. */
export type ProviderStep = { [P in keyof Registered]: StepOfKinds<Registered[P]['steps']> }[keyof Registered];

/** The providers whose webhooks twinflow receives as trigger events. */
export type EventProvider = {
  [P in keyof Registered]: Registered[P] extends { events: ProviderEvents } ? P : never;
}[keyof Registered];

/** The interpreter's own kinds, which no provider may take. */
const CORE_KINDS = new Set(['wait', 'approval']);

function specsByKind(): ReadonlyMap<string, StepKindSpec<ProviderStep>> {
  const specs = new Map<string, StepKindSpec<ProviderStep>>();
  for (const [provider, { steps }] of Object.entries(PROVIDERS)) {
    for (const [kind, spec] of Object.entries(steps)) {
      if (specs.has(kind) || CORE_KINDS.has(kind))
        throw new Error(`provider ${provider} registers step kind "${kind}", which is taken`);
      // Each spec is kept under its own kind, so the step it is handed is always of that kind.
      specs.set(kind, spec as unknown as StepKindSpec<ProviderStep>);
    }
  }
  return specs;
}

const SPECS = specsByKind();

/** The spec of a provider's step kind; undefined for the interpreter's own kinds and for unknown words. */
export function stepKindSpec(kind: string): StepKindSpec<ProviderStep> | undefined {
  return SPECS.get(kind);
}

/** Every provider step kind with its spec, in registration order. */
export function providerStepKinds(): ReadonlyMap<string, StepKindSpec<ProviderStep>> {
  return SPECS;
}
