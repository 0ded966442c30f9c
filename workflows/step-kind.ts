// The seam a provider's step kinds plug into. The interpreter (pipeline.ts) knows only its own kinds, `wait` and
// `approval`; every other kind is a StepKindSpec that a provider's workflows/ folder exports and workflows/providers.ts
// registers. A spec says which fields a definition of that kind may have, what is checked when a project loads,
// how the step runs inside the pipeline workflow, and how `twinflow graph` labels it. Pure and deterministic: the
// workflow bundle runs these, and the CLI and the registry read them in Node.
import type { StepBase, StepDefinition, StepResult, StepState } from './pipeline-definition.js';
import type { ValidationOptions } from './step-validation.js';

/** What a spec's load-time check is lent: problems are reported against the step being checked. */
export interface StepCheck {
  problem(message: string): void;
  /** Reports a field that is absent or blank. */
  required(field: string, value: unknown): void;
  /** Checks a template field: its syntax, and that it reads only the step's ancestors. */
  template(field: string, value: string | undefined): void;
  /** Whether a template reads nothing, so its text can be checked at load. */
  isLiteral(value: string): boolean;
  /** The definition's steps and the ones this step may read; absent where references are not checked. */
  references?: { byId: ReadonlyMap<string, StepDefinition>; readable: ReadonlySet<string> };
  options: ValidationOptions;
}

/** What the interpreter lends a running step. */
export interface StepRunContext {
  /** The step's own state: a spec may record progress in it, then call `changed` to publish it. */
  state: StepState;
  /** Every step's state, for kinds that continue an earlier step's work (a session's turn). */
  stepStates: Readonly<Record<string, StepState>>;
  /** Renders a template against the input and earlier steps; a reference without a value fails the step. */
  render(template: string): string;
  /** Renders an agent reference, failing the step on an empty ID, and records the agent for visibility. */
  resolveAgent(template: string): string;
  /** Publishes the pipeline's state (queries, the Web UI's details) after a change to `state`. */
  changed(): void;
  /**
   * Present only when no other step reads this step's result. The spec may then settle the step as soon as its
   * status and outcome are known and hand in the rest of its result here (a Twin run's output, read after the
   * end): the pipeline goes on, and neither finishes nor continues as new before the rest has come.
   */
  completeLater?(rest: Promise<StepResult>): void;
}

/** One step kind a provider adds to definePipeline. */
export interface StepKindSpec<S extends StepBase & { kind: string }> {
  /** Every field a definition of this kind may have (`fieldsOf`); any other is reported with a suggestion. */
  fields: readonly string[];
  /** Load-time checks beyond the fields every step has. */
  check(step: S, check: StepCheck): void;
  /** Runs the step inside the pipeline workflow: deterministic code that reaches the platform via activities. */
  run(step: S, context: StepRunContext): Promise<StepResult>;
  /** A few words for `twinflow graph` (e.g. `query Twig agent a-1`). */
  describe(step: S): string;
}

/** A provider's step kinds, one spec per kind of its step union. */
export type StepKinds<S extends StepBase & { kind: string }> = {
  readonly [K in S['kind']]: StepKindSpec<Extract<S, { kind: K }>>;
};

/** The step union a provider's kinds run. */
export type StepOfKinds<M> = {
  [K in keyof M]: M[K] extends StepKindSpec<infer S> ? S : never;
}[keyof M];

/** The fields every step has. */
export const STEP_BASE = ['id', 'kind', 'description', 'after', 'when', 'onFailure', 'timeout'] as const;

/** The keys of T, each listed exactly once: a field added to an interface and not here fails the type check. */
type FieldsOf<T> = readonly (keyof T & string)[];
type Complete<T, L extends FieldsOf<T>> = [Exclude<keyof T, L[number]>] extends [never] ? L : never;

/** Lists T's fields for a spec or a definition check, complete by construction. */
export const fieldsOf =
  <T>() =>
  <const L extends FieldsOf<T>>(list: Complete<T, L>): readonly string[] =>
    list;
