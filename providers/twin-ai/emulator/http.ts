// The emulator's HTTP plumbing: every failure leaves in the seed's error shape, a bare `{"error": "<message>"}`,
// and request input goes through the same zod schemas the client checks before sending (../requests.ts), so both
// sides refuse the same input. The seed quotes one validation message ("Message too long (max 2000 chars).");
// the other length refusals are worded after it, and the rest name the field and zod's complaint.
import type { DefaultState, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { answerFailures, type FailureAnswers } from '../../shared/emulator/koa-errors.js';
import { routeInput } from '../../shared/emulator/request-input.js';
import { NUMERIC_QUERY_FIELDS } from '../requests.js';

export class TwinAiEmulatorError extends Error {
  override name = 'TwinAiEmulatorError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new TwinAiEmulatorError(400, message);
export const notFound = (message: string) => new TwinAiEmulatorError(404, message);

/** Koa's state slot: the emulator keeps nothing per request there. */
export type EmulatorState = DefaultState;

const FAILURES: FailureAnswers<TwinAiEmulatorError> = {
  own: TwinAiEmulatorError,
  fromKoa: (status, message) => new TwinAiEmulatorError(status, message ?? 'Request refused.'),
  noRoute: (method, path) => notFound(`No route for ${method} ${path}.`),
  internal: () => new TwinAiEmulatorError(500, 'Internal error.'),
  render(ctx, failure) {
    ctx.status = failure.status;
    ctx.set(failure.headers);
    ctx.type = 'application/json';
    ctx.body = { error: failure.message };
  },
  unhandled: 'unhandled Twin.ai emulator error',
};

/** Outermost middleware: every failure rendered as `{error}`. */
export function errorMiddleware(logger: Logger): Middleware<EmulatorState> {
  return (ctx, next) => answerFailures(ctx, next, logger, FAILURES);
}

const LENGTH_NAMES: Record<string, string> = { message: 'Message', context: 'Context', content: 'Content' };

function refusal(error: z.ZodError, root: string): TwinAiEmulatorError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const name = LENGTH_NAMES[field];
  if (issue?.code === 'too_big' && name !== undefined && root === 'body') {
    return badRequest(`${name} too long (max ${Number(issue.maximum)} chars).`);
  }
  return badRequest(`${field === '' ? root : field}: ${issue?.message ?? 'invalid'}.`);
}

/** Query strings are text; `limit` is a number in the shared schemas, so digits are converted first. */
export const { parseBody, parseQuery, param } = routeInput({
  unreadable: (status) => new TwinAiEmulatorError(status, 'Cannot read request body.'),
  notJson: () => badRequest('Request body is not valid JSON.'),
  invalid: refusal,
  numericFields: NUMERIC_QUERY_FIELDS,
  missingParam: (name) => new TwinAiEmulatorError(500, `Route parameter ${name} missing.`),
});

export { nowIso } from '../../shared/emulator/request-input.js';
