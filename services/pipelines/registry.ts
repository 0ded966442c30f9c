// Pipelines registered by name. Every definition is validated here, when the worker or the control API loads
// it, so a bad reference, a cycle, a bad cron or a bad template stops the process at start with an error that
// names the pipeline and the step, instead of failing a run days later. The optional zod schema of a
// pipeline's input is the edge check for whatever a caller (CLI, HTTP, a trigger) passes in.
import { z } from 'zod';
import {
  assertValidPipeline,
  PipelineDefinitionError,
  triggerMatches,
  type PipelineDefinition,
  type PipelineTrigger,
} from '../../workflows/pipeline-definition.js';
import { validateTwinCron } from '../twin-api/cron.js';
import type { RunObservation } from '../twin-api/run-status.js';

export type PipelineInput = Record<string, unknown>;

export interface PipelineRegistration {
  definition: PipelineDefinition;
  /** Validates (and may default) the input; without one, any JSON object is accepted. */
  inputSchema?: z.ZodType<PipelineInput>;
}

export interface RegisteredPipeline {
  name: string;
  definition: PipelineDefinition;
  /** Throws InvalidPipelineInputError listing every problem. */
  parseInput(input: unknown): PipelineInput;
}

export interface TriggeredPipeline {
  pipeline: RegisteredPipeline;
  trigger: PipelineTrigger;
}

export interface PipelineRegistry {
  get(name: string): RegisteredPipeline | undefined;
  /** Throws UnknownPipelineError. */
  require(name: string): RegisteredPipeline;
  list(): RegisteredPipeline[];
  /** Each pipeline whose trigger this terminal run fires, with the first matching trigger. */
  triggeredBy(observation: Pick<RunObservation, 'agentId' | 'status' | 'outcome'>): TriggeredPipeline[];
}

export class UnknownPipelineError extends Error {
  override name = 'UnknownPipelineError';
  constructor(readonly pipeline: string) {
    super(`no pipeline named "${pipeline}" is registered`);
  }
}

export class InvalidPipelineInputError extends Error {
  override name = 'InvalidPipelineInputError';
  constructor(
    readonly pipeline: string,
    readonly problems: string[],
  ) {
    super(`invalid input for pipeline "${pipeline}": ${problems.join('; ')}`);
  }
}

const anyJsonObject: z.ZodType<PipelineInput> = z.record(z.string(), z.json());

export interface RegistryOptions {
  /** Reference time for "this cron never fires again"; default now. */
  now?: Date;
}

/** Validates every definition and throws the first PipelineDefinitionError (which names pipeline and step). */
export function createPipelineRegistry(
  registrations: ReadonlyArray<PipelineRegistration | PipelineDefinition>,
  options: RegistryOptions = {},
): PipelineRegistry {
  const byName = new Map<string, RegisteredPipeline>();
  for (const entry of registrations) {
    const registration = 'definition' in entry ? entry : { definition: entry };
    const pipeline = register(registration, options);
    if (byName.has(pipeline.name)) {
      throw new PipelineDefinitionError(pipeline.name, [
        { message: 'registered twice: pipeline names must be unique' },
      ]);
    }
    byName.set(pipeline.name, pipeline);
  }
  return {
    get: (name) => byName.get(name),
    require(name) {
      const pipeline = byName.get(name);
      if (!pipeline) throw new UnknownPipelineError(name);
      return pipeline;
    },
    list: () => [...byName.values()],
    triggeredBy(observation) {
      return [...byName.values()].flatMap((pipeline) => {
        const trigger = pipeline.definition.triggers?.find((t) => triggerMatches(t, observation));
        return trigger ? [{ pipeline, trigger }] : [];
      });
    },
  };
}

function register(registration: PipelineRegistration, options: RegistryOptions): RegisteredPipeline {
  const { definition } = registration;
  const now = options.now ?? new Date();
  assertValidPipeline(definition, { validateCron: (expression) => validateTwinCron(expression, now) });
  const schema = registration.inputSchema ?? anyJsonObject;
  return {
    name: definition.name,
    definition,
    parseInput(input) {
      let parsed: z.ZodSafeParseResult<PipelineInput>;
      try {
        parsed = schema.safeParse(input);
      } catch (error) {
        // z.json() recurses: input nested a few thousand levels deep exhausts the stack.
        if (error instanceof RangeError)
          throw new InvalidPipelineInputError(definition.name, ['input: nested too deeply']);
        throw error;
      }
      if (parsed.success) return parsed.data;
      const problems = parsed.error.issues.map(
        (i) => `${i.path.length > 0 ? i.path.join('.') : 'input'}: ${i.message}`,
      );
      throw new InvalidPipelineInputError(definition.name, problems);
    },
  };
}
