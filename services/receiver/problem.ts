// Every error the receiver answers is RFC 9457 problem+json. Handlers throw a typed HttpProblem; one
// middleware renders it, so no handler formats error bodies itself and nothing unexpected leaks as a stack.
import { STATUS_CODES } from 'node:http';
import type { Context } from 'koa';

export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly detail: string,
    /** A stable reason for logs and metrics; never sent to the client. */
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export function renderProblem(
  ctx: Context,
  status: number,
  detail: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.status = status;
  ctx.type = 'application/problem+json';
  const body: ProblemBody = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  ctx.body = body;
}

/** Errors raised by Koa itself or by raw-body carry a 4xx `status` and a message that is safe to show. */
export function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return expose === false ? undefined : status;
}
