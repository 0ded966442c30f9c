// Message templates: `{{steps.check.summary}}`, `{{input.repo}}`. A pipeline passes earlier steps' outputs to the
// next agent's `user_message` through them. Parsing is separate from rendering so a definition can be checked
// (unknown step, step that is not an ancestor) when the worker loads it, long before any run renders it.
// Pure code: the interpreter workflow renders in the sandbox, the registry validates in Node.

export type TemplateSegment =
  { kind: 'text'; text: string } | { kind: 'ref'; path: string[]; source: string };

export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
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
    segments.push({ kind: 'ref', path: parsePath(source, template), source });
    rest = rest.slice(close + CLOSE.length);
  }
  return segments;
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

/** True when the string contains at least one `{{…}}` reference, i.e. its value is only known at run time. */
export function isTemplated(template: string): boolean {
  return templateReferences(template).length > 0;
}

/**
 * Renders against a plain context object. A missing value renders as an empty string (a skipped step has no
 * summary); objects render as JSON so `{{input}}` passes the whole input to an agent.
 */
export function renderTemplate(template: string, context: Readonly<Record<string, unknown>>): string {
  return parseTemplate(template)
    .map((segment) => (segment.kind === 'text' ? segment.text : stringify(lookup(context, segment.path))))
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
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
