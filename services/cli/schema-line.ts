// A pipeline's input schema in one line for `twinflow pipelines`: enough to write --input without reading the
// code (`{ repo: string, channel?: string = "#engineering" }`). It reads the JSON Schema zod produces
// (z.toJSONSchema) and keeps only what a person types: field names, optionality, types, enums, defaults.
type Schema = Record<string, unknown>;

const MAX_DEPTH = 3;

export function schemaLine(schema: Schema): string {
  if (isAnyObject(schema)) return 'any JSON object';
  return render(schema, 0);
}

/** What a pipeline without an input schema takes: a record of JSON values. */
function isAnyObject(schema: Schema): boolean {
  return schema.type === 'object' && schema.properties === undefined;
}

function render(schema: Schema, depth: number): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map((s) => render(s, depth)).join(' | ');
  if (typeof schema.$ref === 'string') return 'JSON';
  switch (schema.type) {
    case 'object':
      return renderObject(schema, depth);
    case 'array':
      return `${wrap(render((schema.items as Schema | undefined) ?? {}, depth + 1))}[]`;
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return schema.type;
    default:
      return 'any';
  }
}

function renderObject(schema: Schema, depth: number): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(properties).length === 0) return isAnyObject(schema) ? 'object' : '{}';
  if (depth >= MAX_DEPTH) return '{ … }';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const fields = Object.entries(properties).map(([name, field]) => {
    const optional = required.has(name) ? '' : '?';
    const fallback = field.default === undefined ? '' : ` = ${JSON.stringify(field.default)}`;
    return `${name}${optional}: ${render(field, depth + 1)}${fallback}`;
  });
  return `{ ${fields.join(', ')} }`;
}

function wrap(type: string): string {
  return type.includes(' | ') ? `(${type})` : type;
}
