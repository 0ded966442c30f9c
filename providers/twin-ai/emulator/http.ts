// The emulator's HTTP plumbing: every failure leaves in the seed's error shape, a bare `{"error": "<message>"}`,
// and request input goes through the same zod schemas the client checks before sending (../requests.ts), so both
// sides refuse the same input. The seed quotes one validation message ("Message too long (max 2000 chars).");
// the other length refusals are worded after it, and the rest name the field and zod's complaint.
import type { Context, DefaultState, Middleware } from 'koa';
import type { Logger } from 'pino';
import getRawBody from 'raw-body';
import type { z } from 'zod';
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

/** Koa's own errors (405, 413) carry a status; they keep it, with a safe message. */
function known(err: unknown): TwinAiEmulatorError | undefined {
  if (err instanceof TwinAiEmulatorError) return err;
  const { status, expose, message } = (err ?? {}) as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new TwinAiEmulatorError(status, typeof message === 'string' ? message : 'Request refused.');
}

/** Outermost middleware: every failure rendered as `{error}`. */
export function errorMiddleware(logger: Logger): Middleware<EmulatorState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw notFound(`No route for ${ctx.method} ${ctx.path}.`);
    } catch (err) {
      const shown = known(err);
      if (!shown)
        logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled Twin.ai emulator error');
      const failure = shown ?? new TwinAiEmulatorError(500, 'Internal error.');
      ctx.status = failure.status;
      ctx.set(failure.headers);
      ctx.type = 'application/json';
      ctx.body = { error: failure.message };
    }
  };
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

export async function parseBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    throw new TwinAiEmulatorError(typeof status === 'number' ? status : 400, 'Cannot read request body.');
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw refusal(parsed.error, 'body');
  return parsed.data;
}

/** Query strings are text; `limit` is a number in the shared schemas, so digits are converted first. */
export function parseQuery<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> {
  const input: Record<string, unknown> = { ...ctx.query };
  for (const name of NUMERIC_QUERY_FIELDS) {
    const value = input[name];
    if (typeof value === 'string' && /^-?\d+$/.test(value)) input[name] = Number(value);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw refusal(parsed.error, 'query');
  return parsed.data;
}

/** A matched route always has its parameters; a miss is a routing bug. */
export function param(ctx: { params: Record<string, string | undefined> }, name = 'id'): string {
  const value = ctx.params[name];
  if (value === undefined) throw new TwinAiEmulatorError(500, `Route parameter ${name} missing.`);
  return value;
}

export const nowIso = () => new Date().toISOString();
