// Message templates: `{{steps.check.output}}`, `{{input.repo}}`, `{{steps.lint.summary ?? "no summary"}}`. A
// pipeline passes earlier steps' outputs to the next agent's `user_message` through them. Parsing is separate from
// rendering so a definition can be checked (unknown step, step that is not an ancestor) when the worker loads it,
// long before any run renders it. A reference to a value that is not there is an error, never an empty string: an
// agent told "Fix it. Lint said: " acts on nothing. `?? "text"` opts in to a default.
// Pure code: the interpreter workflow renders in the sandbox, the registry validates in Node.

export type TemplateSegment =
  { kind: 'text'; text: string } | { kind: 'ref'; path: string[]; source: string; fallback?: string };

export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
}

/** Thrown by renderTemplate when a reference without a default finds no value; `path` is the dotted reference. */
export class TemplateValueMissingError extends Error {
  override name = 'TemplateValueMissingError';
  constructor(
    readonly path: string,
    template: string,
  ) {
    super(
      `"{{${path}}}" has no value (in "${template.length > 80 ? `${template.slice(0, 77)}...` : template}"); ` +
        `write {{${path} ?? "…"}} to render a default instead`,
    );
  }
}

const PATH_SEGMENT = /^[A-Za-z0-9_-]+$/;
const OPEN = '{{';
const CLOSE = '}}';

/** Splits a template into literal text and `{{a.b.c}}` references; throws on an unclosed or empty reference. */
export function parseTemplate(template: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf(OPEN);
    if (open === -1) {
      segments.push({ kind: 'text', text: rest });
      break;
    }
    if (open > 0) segments.push({ kind: 'text', text: rest.slice(0, open) });
    const close = rest.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw new TemplateSyntaxError(`unclosed "{{" in template "${template}"`);
    const source = rest.slice(open + OPEN.length, close).trim();
    const { reference, fallback } = splitFallback(source, template);
    segments.push({
      kind: 'ref',
      path: parsePath(reference, template),
      source: reference,
      ...(fallback !== undefined && { fallback }),
    });
    rest = rest.slice(close + CLOSE.length);
  }
  return segments;
}

const FALLBACK = /^(.*?)\s*\?\?\s*(?:"([^"]*)"|'([^']*)')$/;

/** `a.b ?? "text"` → the reference and its default; only a quoted literal may follow `??`. */
function splitFallback(source: string, template: string): { reference: string; fallback?: string } {
  if (!source.includes('??')) return { reference: source };
  const match = FALLBACK.exec(source);
  if (!match) {
    throw new TemplateSyntaxError(
      `"{{${source}}}" in template "${template}": "??" must be followed by a quoted default, like ?? "none"`,
    );
  }
  return { reference: (match[1] ?? '').trim(), fallback: match[2] ?? match[3] ?? '' };
}

function parsePath(source: string, template: string): string[] {
  const path = source.split('.');
  if (source.length === 0 || !path.every((segment) => PATH_SEGMENT.test(segment))) {
    throw new TemplateSyntaxError(
      `"{{${source}}}" in template "${template}" is not a dotted path like steps.check.summary`,
    );
  }
  return path;
}

/** Every reference in a template, as dotted paths split into segments. */
export function templateReferences(template: string): string[][] {
  return parseTemplate(template).flatMap((segment) => (segment.kind === 'ref' ? [segment.path] : []));
}

export interface RenderOptions {
  /**
   * Render a missing value as an empty string instead of throwing. Only for replaying pipelines recorded before
   * missing values became errors; nothing new should set it.
   */
  missingAsEmpty?: boolean;
}

/**
 * Renders against a plain context object; objects render as JSON so `{{input}}` passes the whole input to an
 * agent. Throws TemplateValueMissingError for a reference with no value (undefined or null) and no default.
 */
export function renderTemplate(
  template: string,
  context: Readonly<Record<string, unknown>>,
  options: RenderOptions = {},
): string {
  return parseTemplate(template)
    .map((segment) => {
      if (segment.kind === 'text') return segment.text;
      const value = lookup(context, segment.path);
      if (value !== undefined && value !== null) return stringify(value);
      if (segment.fallback !== undefined) return segment.fallback;
      if (options.missingAsEmpty) return '';
      throw new TemplateValueMissingError(segment.source, template);
    })
    .join('');
}

function lookup(context: Readonly<Record<string, unknown>>, path: string[]): unknown {
  let value: unknown = context;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key))
      return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
