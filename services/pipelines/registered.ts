// The pipelines this deployment runs: the worker, the receiver's control API and the CLI all load this one
// list, so a trigger, a `twinflow pipelines` listing and a control-API start can never disagree. Add your
// own definitions here next to the examples.
import { examplePipelines } from '../../examples/index.js';
import { createPipelineRegistry, type PipelineRegistry } from './registry.js';

export function loadRegisteredPipelines(env: NodeJS.ProcessEnv = process.env): PipelineRegistry {
  return createPipelineRegistry(examplePipelines(env));
}
