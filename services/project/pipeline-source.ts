// Which file declared each pipeline, so an invalid definition is reported at the user's own file and step
// (`pipelines/triage.ts: step "fix": ...`) rather than at the config that merely lists it. Pure: the public
// definePipeline records its caller here, and that entry is imported inside Temporal's workflow bundle too.
import type { PipelineDefinition } from '../../workflows/pipeline-definition.js';

const sources = new WeakMap<PipelineDefinition, string>();

/** The file of the first stack frame outside `skipFile`: whoever called the function in `skipFile`. */
export function callerFile(skipFile: string): string | undefined {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(frame.trim());
    const file = match?.[1]?.replace(/^file:\/\//, '');
    if (file && !file.endsWith(skipFile) && !file.endsWith('pipeline-source.ts')) return file;
  }
  return undefined;
}

export function rememberSource(definition: PipelineDefinition, file: string | undefined): void {
  if (file) sources.set(definition, file);
}

/** The file whose definePipeline call made `definition`, when it went through the public entry. */
export function sourceOf(definition: PipelineDefinition): string | undefined {
  return sources.get(definition);
}
