// Which steps' results another step reads, so the interpreter knows whose output may come after the step has
// settled (a Twin run's output is read after its end, off the path to the next step). Reading means a template
// naming `steps.<id>` (or all of `steps`), or a field naming the step (a session turn continuing one). Conditions
// are not reads here: they test status, outcome and answers, which a step settles with. Pure: unit-tested.
import type { PipelineDefinition, StepDefinition } from './pipeline-definition.js';
import { templateReferences } from './templates.js';

/** Top-level step fields that name other steps without reading their results. */
const NOT_READS: ReadonlySet<string> = new Set(['id', 'after', 'when', 'onFailure']);

/** The IDs of steps whose result some other step reads; `all` when a template reads every step at once. */
export function stepsReadByOthers(definition: PipelineDefinition): Set<string> {
  const ids = new Set(definition.steps.map((s) => s.id));
  const read = new Set<string>();
  for (const step of definition.steps) {
    const noteString = (value: string) => {
      if (ids.has(value) && value !== step.id) read.add(value);
      for (const id of templateReads(value, ids)) read.add(id);
    };
    for (const [key, value] of Object.entries(step as StepDefinition & Record<string, unknown>)) {
      if (!NOT_READS.has(key)) visitStrings(value, noteString);
    }
  }
  return read;
}

function visitStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((v) => visitStrings(v, visit));
  else if (value !== null && typeof value === 'object')
    Object.values(value).forEach((v) => visitStrings(v, visit));
}

function templateReads(value: string, ids: ReadonlySet<string>): Iterable<string> {
  if (!value.includes('{{')) return [];
  let paths: string[][];
  try {
    paths = templateReferences(value);
  } catch {
    // The load-time check refuses a bad template; should one get here, reading everything is the safe guess.
    return ids;
  }
  const read = new Set<string>();
  for (const [root, id] of paths) {
    if (root !== 'steps') continue;
    if (id === undefined) return ids;
    read.add(id);
  }
  return read;
}
