// Request parsing shared by every route: JSON bodies and query strings go through zod, and anything malformed
// becomes a 400 problem with a detail naming the offending fields.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { ApiError, badRequest } from './problem.js';

const MAX_BODY = '1mb';

/** What authentication leaves on ctx.state for the public API routes. */
export interface ApiState {
  userId: string;
  keyId: string;
}
export type ApiRouter = Router<ApiState>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

async function readJson(ctx: Context): Promise<unknown> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: MAX_BODY, encoding: 'utf8' });
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    throw new ApiError(
      typeof status === 'number' ? status : 400,
      `cannot read request body: ${(err as Error).message}`,
    );
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

/** An absent body reaches the schema as undefined: optional bodies use `.prefault({})`. */
export async function parseBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(ctx));
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

export const isoDate = z
  .string()
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO-8601 timestamp');
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Agent IDs end up in URLs and file names; keep them to a safe alphabet. */
export const agentIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 of [A-Za-z0-9_.-]');

/** Route parameters are typed as optional; a matched route always has them, so a miss is a routing bug. */
export function param(ctx: { params: Record<string, string | undefined> }, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new ApiError(500, `route parameter ${name} missing`);
  return value;
}
