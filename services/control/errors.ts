// The errors of the control functions: typed, so the CLI maps each to an exit code (services/cli/exit-codes.ts)
// and the HTTP API to a status (services/control/router.ts) without reading messages. Temporal's own errors
// are translated into these in one place (temporalCall in pipelines.ts).
import { isGrpcServiceError } from '@temporalio/client';

export class PipelineRunNotFoundError extends Error {
  override name = 'PipelineRunNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no pipeline run ${workflowId}`);
  }
}

export class UnknownStepError extends Error {
  override name = 'UnknownStepError';
  constructor(
    readonly pipeline: string,
    readonly stepId: string,
  ) {
    super(`pipeline ${pipeline} has no step "${stepId}"`);
  }
}

export class InvalidControlRequestError extends Error {
  override name = 'InvalidControlRequestError';
}

/** The request is well-formed but the pipeline is not in a state to take it (e.g. the step is not waiting). */
export class PipelineConflictError extends Error {
  override name = 'PipelineConflictError';
}

/**
 * The run exists but has closed. Temporal answers "not found" to a signal or update for a closed run, which
 * would read as "no such run" next to a `status` that shows it; this says what is true instead.
 */
export class PipelineRunEndedError extends PipelineConflictError {
  override name = 'PipelineRunEndedError';
  constructor(
    readonly workflowId: string,
    /** The pipeline's status (succeeded, failed, cancelled) where known, else Temporal's, in lower case. */
    readonly status: string,
  ) {
    super(`pipeline run ${workflowId} has already ended (${status})`);
  }
}

export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
  constructor(options: { cause: unknown }) {
    super('Temporal is not reachable', options);
  }
}

/** gRPC status codes (grpc/status.proto); the client wraps them in ServiceError causes. */
export const GRPC = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNAVAILABLE: 14 } as const;
const UNAVAILABLE_CODES: readonly number[] = [GRPC.UNAVAILABLE, GRPC.DEADLINE_EXCEEDED];

export function isGrpcCode(error: unknown, code: number): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current) && current.code === code) return true;
  }
  return false;
}

export function isUnavailable(error: unknown): boolean {
  return UNAVAILABLE_CODES.some((code) => isGrpcCode(error, code));
}
