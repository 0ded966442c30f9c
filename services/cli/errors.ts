// Every way the CLI can fail ends as one CliError: a sentence a person can act on and an exit code a script
// can branch on. Errors from the libraries underneath (Temporal, the Twin client, config, the secrets file)
// are translated here and nowhere else, so each command only throws what it knows.
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ConfigError } from '../shared/config.js';
import { ProjectError } from '../project/load.js';
import { TwinApiError } from '../../providers/twin/client/errors.js';
import { SecretsFileError } from '../shared/secrets-file.js';
import {
  InvalidControlRequestError,
  PipelineConflictError,
  PipelineRunEndedError,
  PipelineRunNotFoundError,
  UnknownStepError,
  TemporalUnavailableError,
} from '../control/pipelines.js';
import { CodePipelineError, InvalidPipelineInputError, UnknownPipelineError } from '../pipelines/registry.js';
import { StackStateError } from '../shared/stack-state.js';
import { EXIT, type ExitCode } from './exit-codes.js';

export { EXIT, type ExitCode } from './exit-codes.js';

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** One line telling what to do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;

/** Where the Temporal address came from, for the message: the variable, or the local stack's state file. */
export interface TemporalTarget {
  address: string;
  source: string;
}

export function temporalUnreachable({ address, source }: TemporalTarget, cause: unknown): CliError {
  return new CliError(
    `cannot reach Temporal at ${address} (${source}): ${causeText(cause)}`,
    EXIT.unavailable,
    'start the local stack with `npm start`, or point TEMPORAL_ADDRESS at your Temporal frontend',
  );
}

/** Translates anything thrown below a command into a CliError. */
export function toCliError(
  error: unknown,
  context: { temporal: TemporalTarget; twinBaseUrl: string },
): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ProjectError) return new CliError(error.message, EXIT.usage);
  if (error instanceof ConfigError)
    return new CliError(error.message, EXIT.usage, 'fix the variables above (see .env.example)');
  if (error instanceof TwinApiError) return fromTwinError(error, context.twinBaseUrl);
  if (error instanceof SecretsFileError || error instanceof StackStateError)
    return new CliError(error.message, EXIT.internal);
  if (error instanceof UnknownPipelineError) return usageError(error.message, 'see `twinflow pipelines`');
  if (error instanceof CodePipelineError) return usageError(error.message);
  if (error instanceof InvalidPipelineInputError || error instanceof InvalidControlRequestError)
    return usageError(error.message);
  if (error instanceof UnknownStepError)
    return usageError(error.message, 'see `twinflow status <id>` for its steps');
  if (error instanceof PipelineRunNotFoundError)
    return new CliError(error.message, EXIT.notFound, 'see `twinflow list`');
  if (error instanceof PipelineRunEndedError) {
    const id = error.workflowId;
    return new CliError(error.message, EXIT.conflict, `see \`twinflow status ${id}\``);
  }
  if (error instanceof PipelineConflictError) return new CliError(error.message, EXIT.conflict);
  if (error instanceof TemporalUnavailableError) return temporalUnreachable(context.temporal, error.cause);
  if (error instanceof WorkflowNotFoundError) {
    return new CliError(`no pipeline with ID ${error.workflowId}`, EXIT.notFound, 'see `twinflow list`');
  }
  const grpcCode = grpcCodeOf(error);
  if (grpcCode === GRPC_UNAVAILABLE || grpcCode === GRPC_DEADLINE_EXCEEDED) {
    return temporalUnreachable(context.temporal, error);
  }
  if (grpcCode === GRPC_NOT_FOUND) return new CliError(causeText(error), EXIT.notFound);
  return new CliError(causeText(error), EXIT.internal);
}

function fromTwinError(error: TwinApiError, baseUrl: string): CliError {
  if (error.status === 401 || error.status === 403) {
    return new CliError(
      `Twin at ${baseUrl} refused the API key (${error.status} ${error.title}): ${error.detail}`,
      EXIT.unauthorized,
      'check TWIN_API_KEY',
    );
  }
  if (error.status === 0 && (error.code === 'NETWORK' || error.code === 'TIMEOUT')) {
    return new CliError(
      `cannot reach Twin at ${baseUrl} (TWIN_API_BASE_URL): ${error.detail}`,
      EXIT.unavailable,
    );
  }
  if (error.status === 404) return new CliError(`Twin: ${error.detail}`, EXIT.notFound);
  if (error.status === 0 || (error.status >= 400 && error.status < 500)) {
    return new CliError(`Twin rejected the request: ${error.detail}`, EXIT.usage);
  }
  return new CliError(`Twin answered ${error.status} ${error.title}: ${error.detail}`, EXIT.unavailable);
}

function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

function causeText(error: unknown): string {
  if (error instanceof ServiceError && error.cause instanceof Error)
    return `${error.message}: ${error.cause.message}`;
  return error instanceof Error ? error.message : String(error);
}
