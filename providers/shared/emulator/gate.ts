// The mechanism in front of every emulated public route: each request is logged (tests assert on what reached the
// "server"), the Bearer key is read off the Authorization header, and the route is mounted at its endpoint's
// method and path. What the gate checks in between (scopes, limits, scripted faults) and the words of each refusal
// are each platform's rule and stay in its emulator's gate.ts.
import type { Router, RouterMiddleware } from '@koa/router';
import type { Context, Middleware } from 'koa';

/** One request as the emulator saw it. */
export interface RequestLogEntry<E extends string> {
  at: number;
  endpoint: E;
  method: string;
  path: string;
  /** The status answered; 0 when the emulator hung up. */
  status: number;
}

/**
 * Wraps a gate's checks so the request is logged first, whatever happens next. `checks` resolves to `hung-up` when
 * it closed the connection instead of answering (the entry then keeps status 0); a thrown error is logged with its
 * status when it is the platform's `errorClass` (anything else will be answered 500), and rethrown for the error
 * middleware to render.
 */
export function loggedGate<S, E extends string>(
  requests: RequestLogEntry<E>[],
  endpoint: E,
  errorClass: abstract new (...args: never[]) => { status: number },
  checks: (ctx: Context, next: () => Promise<unknown>) => Promise<'hung-up' | undefined>,
): Middleware<S> {
  return async (ctx, next) => {
    const entry: RequestLogEntry<E> = {
      at: Date.now(),
      endpoint,
      method: ctx.method,
      path: ctx.path,
      status: 0,
    };
    requests.push(entry);
    try {
      if ((await checks(ctx, next)) === 'hung-up') return;
      entry.status = ctx.status;
    } catch (err) {
      entry.status = err instanceof errorClass ? err.status : 500;
      throw err;
    }
  };
}

/** The platform's 401 messages for an absent Authorization header and for one of another shape. */
export interface BearerRefusals {
  missing: string;
  malformed: string;
}

/**
 * The key of `Authorization: Bearer <key>`.
 *
 * @param refuse - builds the platform's 401 from one of `messages`
 */
export function bearerKey(
  header: string,
  messages: BearerRefusals,
  refuse: (message: string) => Error,
): string {
  if (header === '') throw refuse(messages.missing);
  const key = /^Bearer (\S+)$/.exec(header)?.[1];
  if (key === undefined) throw refuse(messages.malformed);
  return key;
}

/** Mounts `handler` behind `gate` at an endpoint's HTTP method and path. */
export function mountRoute<S>(
  router: Router<S>,
  endpoint: { method: string; path: string },
  gate: Middleware<S>,
  handler: RouterMiddleware<S>,
): void {
  const verb = endpoint.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  router[verb](endpoint.path, gate, handler);
}
