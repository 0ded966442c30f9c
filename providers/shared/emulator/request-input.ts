// How an emulated route reads its input before the platform's zod schema sees it: the raw body as JSON (capped,
// so a test cannot make the emulator buffer without bound) and the query with its numeric fields as numbers. The
// same for every emulator; the words of each refusal are the platform's, passed in.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';

/** The platform's refusal of input its schema rejects; `root` is `body` or `query`. */
export type SchemaRefusal = (error: z.ZodError, root: 'body' | 'query') => Error;

/** How a platform's emulator reads route input and words its refusals. */
export interface InputRules {
  /** A body that cannot be read (`status` from raw-body, e.g. 413). */
  unreadable: (status: number) => Error;
  notJson: () => Error;
  invalid: SchemaRefusal;
  /** Query fields that the shared schemas take as numbers. */
  numericFields: readonly string[];
  /** The 500 for a route parameter missing from a matched route (a routing bug). */
  missingParam: (name: string) => Error;
}

/** `parseBody`, `parseQuery` and `param` for every route of one emulator, bound to its `rules`. */
export function routeInput(rules: InputRules) {
  return {
    /** The body as JSON (undefined when empty), checked with `schema`. */
    parseBody: <S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> =>
      parseJsonBody(ctx, schema, rules),
    /** The query, the numeric fields converted first (query strings are text), checked with `schema`. */
    parseQuery: <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> =>
      parseQueryWith(ctx, schema, rules.numericFields, rules.invalid),
    /** A matched route's parameter (default `id`). */
    param: (ctx: { params: Record<string, string | undefined> }, name = 'id'): string =>
      routeParam(ctx, name, rules.missingParam),
  };
}

/** The request body as JSON (undefined when empty), checked with `schema`. */
async function parseJsonBody<S extends z.ZodType>(
  ctx: Context,
  schema: S,
  refuse: InputRules,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(ctx, refuse));
  if (!parsed.success) throw refuse.invalid(parsed.error, 'body');
  return parsed.data;
}

/** The query, `numericFields` that are integers turned into numbers first (query strings are text), checked. */
function parseQueryWith<S extends z.ZodType>(
  ctx: Context,
  schema: S,
  numericFields: readonly string[],
  invalid: SchemaRefusal,
): z.output<S> {
  const input: Record<string, unknown> = { ...ctx.query };
  for (const name of numericFields) {
    const value = input[name];
    if (typeof value === 'string' && /^-?\d+$/.test(value)) input[name] = Number(value);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error, 'query');
  return parsed.data;
}

async function readJson(ctx: Context, refuse: InputRules): Promise<unknown> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    throw refuse.unreadable(typeof status === 'number' ? status : 400);
  }
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    throw refuse.notJson();
  }
}

function routeParam(
  ctx: { params: Record<string, string | undefined> },
  name: string,
  missing: (name: string) => Error,
): string {
  const value = ctx.params[name];
  if (value === undefined) throw missing(name);
  return value;
}

/** Timestamps as the emulators write them. */
export const nowIso = () => new Date().toISOString();
