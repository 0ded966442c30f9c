// Which start-up failures no restart can cure: a bad environment variable or a pipeline definition that does not
// validate. The processes exit with EXIT_CONFIG for those, so the local stack shows the error once and waits.
import { PipelineDefinitionError } from '../../workflows/pipeline-validation.js';
import { ConfigError } from '../shared/config.js';
import { EXIT_CONFIG, EXIT_FAILURE } from '../shared/exit-codes.js';

export function exitCodeOf(error: unknown): number {
  return error instanceof ConfigError || error instanceof PipelineDefinitionError
    ? EXIT_CONFIG
    : EXIT_FAILURE;
}
