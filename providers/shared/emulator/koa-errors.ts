// Every failure must leave an emulator in its platform's error shape, whatever threw: the emulator's own errors
// as they are, Koa's and the router's own client errors (405, 413, …, flagged `expose`) with their status kept, and
// anything else as a 500 whose message shows nothing (a bug's text has no place in an answer) and is logged. That
// sorting is the same for every emulator; the shape and the words are the platform's.
import type { Context } from 'koa';
import type { Logger } from 'pino';

/** How a platform's emulator words and renders its failures. */
export interface FailureAnswers<E> {
  /** The emulator's own error class: such errors are rendered as they are. */
  own: abstract new (...args: never[]) => E;
  /** The platform's error for a Koa client error; `message` is Koa's, when it has one. */
  fromKoa: (status: number, message: string | undefined) => E;
  /** The platform's 404 for a path no route matched. */
  noRoute: (method: string, path: string) => E;
  /** The platform's 500 for anything unexpected. */
  internal: () => E;
  /** Writes `err` as the answer. */
  render: (ctx: Context, err: E) => void;
  /** The log message for an unexpected error. */
  unhandled: string;
}

/** The status and message of a Koa client error (4xx, exposed), or undefined for anything else. */
function exposedClientError(err: unknown): { status: number; message: string | undefined } | undefined {
  const { status, expose, message } = (err ?? {}) as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return { status, message: typeof message === 'string' ? message : undefined };
}

/**
 * Runs the rest of the middleware chain and answers whatever failed, per `answers`. Meant to be called by the
 * outermost middleware, after anything it must do first (Twig's request ID).
 */
export async function answerFailures<E>(
  ctx: Context,
  next: () => Promise<unknown>,
  logger: Logger,
  answers: FailureAnswers<E>,
): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw answers.noRoute(ctx.method, ctx.path);
  } catch (err) {
    let shown: E | undefined;
    if (err instanceof answers.own) shown = err;
    else {
      const exposed = exposedClientError(err);
      if (exposed) shown = answers.fromKoa(exposed.status, exposed.message);
    }
    if (!shown) logger.error({ err, method: ctx.method, path: ctx.path }, answers.unhandled);
    answers.render(ctx, shown ?? answers.internal());
  }
}
