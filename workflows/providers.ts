// The providers twinflow drives, one line each: the platform's name (its folder under providers/, the word in task
// queue names and settings) and the step kinds it adds to definePipeline. This list is what the interpreter runs,
// what a definition is checked against and what `StepDefinition` is made of; the process side of each provider
// (clients, queues, webhook routes, emulators) is providers/<name>/provider.ts, found by the same name
// (providers/registry.ts). Adding a provider is its folder plus its line here.
import { sessionSteps } from '../providers/managed-agents/workflows/session-steps.js';
import { twigSteps } from '../providers/twig/workflows/twig-steps.js';
import { twinAiSteps } from '../providers/twin-ai/workflows/twin-ai-steps.js';
import { twinSteps } from '../providers/twin/workflows/twin-steps.js';
import type { StepKindSpec, StepOfKinds } from './step-kind.js';

export const PROVIDERS = {
  twin: twinSteps,
  'managed-agents': sessionSteps,
  'twin-ai': twinAiSteps,
  twig: twigSteps,
} as const;

type Registered = typeof PROVIDERS;

/** Every step kind the providers add, as definitions. */
export type ProviderStep = { [P in keyof Registered]: StepOfKinds<Registered[P]> }[keyof Registered];

/** The interpreter's own kinds, which no provider may take. */
const CORE_KINDS = new Set(['wait', 'approval']);

function specsByKind(): ReadonlyMap<string, StepKindSpec<ProviderStep>> {
  const specs = new Map<string, StepKindSpec<ProviderStep>>();
  for (const [provider, kinds] of Object.entries(PROVIDERS)) {
    for (const [kind, spec] of Object.entries(kinds)) {
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
