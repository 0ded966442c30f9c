// Request parsing shared by every route: JSON bodies and query strings go through zod, and anything malformed
// becomes a 400 problem with a detail naming the offending fields — or, for a value of the wrong JSON type, a
// WrongJsonTypeError that the documented profile answers 422 in the words of Twin's (serde) deserialiser.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { zodIssueLines } from '../../../services/shared/zod-issues.js';
import { ApiError, badRequest, WrongJsonTypeError } from './problem.js';

const MAX_BODY = '1mb';

/** What authentication leaves on ctx.state for the public API routes. */
export interface ApiState {
  userId: string;
  keyId: string;
}
export type ApiRouter = Router<ApiState>;

function describeIssues(error: z.ZodError): string {
  return zodIssueLines(error, { root: 'body' }).join('; ');
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

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** serde's names for what it found, e.g. `invalid type: map, expected a string`. */
function serdeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  return `${typeof value} \`${String(value)}\``;
}

const SERDE_EXPECTED: Record<string, string> = {
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  int: 'an integer',
  array: 'a sequence',
  object: 'a map',
};

function wrongTypeDetail(error: z.ZodError, input: unknown): string | undefined {
  for (const issue of error.issues) {
    const value = valueAt(input, issue.path);
    if (issue.code !== 'invalid_type' || value === undefined) continue;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const expected = SERDE_EXPECTED[issue.expected] ?? issue.expected;
    return `Failed to deserialize the JSON body into the target type: ${where}invalid type: ${serdeFound(value)}, expected ${expected}`;
  }
  return undefined;
}

/** An absent body reaches the schema as undefined: optional bodies use `.prefault({})`. */
export async function parseBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  const input = await readJson(ctx);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const detail = describeIssues(parsed.error);
  const wrongType = wrongTypeDetail(parsed.error, input);
  throw wrongType === undefined ? badRequest(detail) : new WrongJsonTypeError(detail, wrongType);
}

export function parseQuery<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

/** An answer with no body at all (not even `{}`), as the live gateway gives for some paths. */
export function answerEmpty(ctx: Context, status: number, headers: Record<string, string>): void {
  ctx.status = status;
  ctx.set(headers);
  const typed = Boolean(ctx.response.get('Content-Type'));
  ctx.body = '';
  if (!typed) ctx.remove('Content-Type');
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
