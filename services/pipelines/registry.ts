// Pipelines registered by name. Every definition is validated here, when the worker or the control API loads
// it, so a bad reference, a cycle, a bad cron or a bad template stops the process at start with an error that
// names the pipeline and the step, instead of failing a run days later. The optional zod schema of a
// pipeline's input is the edge check for whatever a caller (CLI, HTTP, a trigger) passes in. Pipelines written
// as plain workflow code (examples/code-first.ts) are registered here too, by workflow type, so status, cancel
// and the HTTP API know them by name like any declared pipeline.
import { z } from 'zod';
import { zodIssueLines } from '../shared/zod-issues.js';
import {
  assertValidPipeline,
  PIPELINE_NAME,
  PipelineDefinitionError,
} from '../../workflows/pipeline-validation.js';
import { triggerMatches } from '../../workflows/pipeline-scheduling.js';
import { type PipelineDefinition, type PipelineTrigger } from '../../workflows/pipeline-definition.js';
import { validateTwinCron } from '../../providers/twin/vocabulary/cron.js';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';

export type PipelineInput = Record<string, unknown>;

export interface PipelineRegistration {
  definition: PipelineDefinition;
  /** Validates (and may default) the input; without one, any JSON object is accepted. */
  inputSchema?: z.ZodType<PipelineInput>;
}

/** A pipeline written as a workflow function: twinflow can start, watch and cancel it, not steer its steps. */
export interface CodePipelineRegistration {
  name: string;
  /** The workflow function's name, as workflows/index.ts exports it to the worker. */
  workflowType: string;
  description?: string;
  inputSchema?: z.ZodType<PipelineInput>;
}

interface PipelineEntry {
  name: string;
  description?: string;
  /** Throws InvalidPipelineInputError listing every problem. */
  parseInput(input: unknown): PipelineInput;
  /** The input schema as JSON Schema (input side: fields with defaults are optional). */
  inputJsonSchema(): Record<string, unknown>;
}

/** A declared pipeline, run by the interpreter: every control (pause, approve, step status) applies. */
export interface RegisteredPipeline extends PipelineEntry {
  kind: 'declared';
  definition: PipelineDefinition;
}

/** Has no definition: no step list, no pause, no approvals; its status is Temporal's and its search attributes. */
export interface CodePipeline extends PipelineEntry {
  kind: 'code';
  workflowType: string;
}

export type AnyPipeline = RegisteredPipeline | CodePipeline;

export interface TriggeredPipeline {
  pipeline: RegisteredPipeline;
  trigger: PipelineTrigger;
}

export interface PipelineRegistry {
  get(name: string): AnyPipeline | undefined;
  /** Throws UnknownPipelineError. */
  require(name: string): AnyPipeline;
  /** Throws UnknownPipelineError, or CodePipelineError when `name` is written as code. */
  requireDeclared(name: string): RegisteredPipeline;
  list(): AnyPipeline[];
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

/** Raised where a declared pipeline is needed (a graph, a definition) and the name is one written as code. */
export class CodePipelineError extends Error {
  override name = 'CodePipelineError';
  constructor(
    readonly pipeline: string,
    readonly workflowType: string,
    what: string,
  ) {
    super(`pipeline "${pipeline}" is written as code (workflow ${workflowType}): ${what}`);
  }
}

const anyJsonObject: z.ZodType<PipelineInput> = z.record(z.string(), z.json());

export interface RegistryOptions {
  /** Reference time for "this cron never fires again"; default now. */
  now?: Date;
}

/** Validates every definition and throws the first PipelineDefinitionError (which names pipeline and step). */
export function createPipelineRegistry(
  registrations: ReadonlyArray<PipelineRegistration | PipelineDefinition | CodePipelineRegistration>,
  options: RegistryOptions = {},
): PipelineRegistry {
  const byName = new Map<string, AnyPipeline>();
  for (const entry of registrations) {
    const pipeline =
      'workflowType' in entry
        ? registerCode(entry)
        : register('definition' in entry ? entry : { definition: entry }, options);
    if (byName.has(pipeline.name)) {
      throw new PipelineDefinitionError(pipeline.name, [
        { message: 'registered twice: pipeline names must be unique' },
      ]);
    }
    byName.set(pipeline.name, pipeline);
  }
  const require = (name: string) => {
    const pipeline = byName.get(name);
    if (!pipeline) throw new UnknownPipelineError(name);
    return pipeline;
  };
  return {
    get: (name) => byName.get(name),
    require,
    requireDeclared(name) {
      const pipeline = require(name);
      if (pipeline.kind === 'code')
        throw new CodePipelineError(name, pipeline.workflowType, 'it has no declared steps');
      return pipeline;
    },
    list: () => [...byName.values()],
    triggeredBy(observation) {
      return [...byName.values()].flatMap((pipeline) => {
        if (pipeline.kind === 'code') return [];
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
    kind: 'declared',
    name: definition.name,
    description: definition.description,
    definition,
    ...inputChecks(definition.name, schema),
  };
}

function registerCode(registration: CodePipelineRegistration): CodePipeline {
  const { name, workflowType, description } = registration;
  if (!PIPELINE_NAME.test(name)) {
    throw new PipelineDefinitionError(name, [
      { message: 'name must be lower-case letters, digits and dashes (it is part of workflow IDs)' },
    ]);
  }
  return {
    kind: 'code',
    name,
    workflowType,
    description,
    ...inputChecks(name, registration.inputSchema ?? anyJsonObject),
  };
}

function inputChecks(
  name: string,
  schema: z.ZodType<PipelineInput>,
): Pick<PipelineEntry, 'parseInput' | 'inputJsonSchema'> {
  return {
    parseInput(input) {
      let parsed: z.ZodSafeParseResult<PipelineInput>;
      try {
        parsed = schema.safeParse(input);
      } catch (error) {
        // z.json() recurses: input nested a few thousand levels deep exhausts the stack.
        if (error instanceof RangeError)
          throw new InvalidPipelineInputError(name, ['input: nested too deeply']);
        throw error;
      }
      if (parsed.success) return parsed.data;
      throw new InvalidPipelineInputError(name, zodIssueLines(parsed.error, { root: 'input' }));
    },
    // Transforms and the like have no JSON Schema; they show as "any" rather than failing a listing.
    inputJsonSchema: () => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
  };
}
