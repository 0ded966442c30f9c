// Request parsing for every route: JSON bodies and query strings go through the same zod schemas the client
// checks before sending (../requests.ts), so both sides refuse the same input; a refusal is the seed's 400
// `invalid_request` with the offending fields named in `details.fields`.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { zodIssueLines, zodIssuePaths } from '../../../services/shared/zod-issues.js';
import { PAGE_FIELDS } from '../requests.js';
import { invalidRequest, TwigEmulatorError } from './errors.js';

const MAX_BODY = '1mb';

function refused(error: z.ZodError, root: string): TwigEmulatorError {
  return invalidRequest(zodIssueLines(error, { root, limit: 5 }).join('; '), {
    fields: zodIssuePaths(error, root),
  });
}

export async function parseBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: MAX_BODY, encoding: 'utf8' });
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    throw new TwigEmulatorError(typeof status === 'number' ? status : 400, 'cannot read request body');
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw refused(parsed.error, 'body');
  return parsed.data;
}

/** Query strings are text; the paging fields are numbers in the shared schemas, so they are converted first. */
export function parseQuery<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> {
  const input: Record<string, unknown> = { ...ctx.query };
  for (const name of PAGE_FIELDS) {
    const value = input[name];
    if (typeof value === 'string' && /^-?\d+$/.test(value)) input[name] = Number(value);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw refused(parsed.error, 'query');
  return parsed.data;
}

/** A matched route always has its parameters; a miss is a routing bug. */
export function param(ctx: { params: Record<string, string | undefined> }, name = 'id'): string {
  const value = ctx.params[name];
  if (value === undefined) throw new TwigEmulatorError(500, `route parameter ${name} missing`);
  return value;
}

export const nowIso = () => new Date().toISOString();
