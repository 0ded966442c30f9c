// Structured logs for every process. Redaction is on the logger itself so that no call site can leak a
// secret by logging a whole config, request or error object. It is a pino formatter rather than pino's
// `redact` option: with wildcard paths pino's redactor re-parses every path for every key of every line,
// which cost the receiver more than its HMAC per delivery (docs/benchmarks.md); one pass over the line's
// keys against a set costs well under a microsecond and covers the same places.
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Keys that hold secrets, censored at the top of a log line and one level down (a logged config, an error). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'apiKey',
  'api_key',
  'signing_secret',
  'secret',
  'secrets',
  'TWIN_API_KEY',
  'WEBHOOK_SIGNING_SECRETS',
  'CONTROL_API_TOKEN',
]);

/** Credential headers, censored under `headers` and `req.headers`. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'authorization']);

export const CENSOR = '[redacted]';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A copy with `keys` censored, keeping prototype and non-enumerable fields (an Error's message and stack). */
function censored<T extends object>(value: T, keys: readonly string[]): T {
  const copy = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as T;
  for (const key of keys) Object.defineProperty(copy, key, { value: CENSOR, enumerable: true });
  return copy;
}

/** The object itself when nothing in it is secret, so the common line allocates nothing. */
function withoutSecrets<T extends object>(value: T, secret: (key: string) => boolean): T {
  const found = Object.keys(value).filter(secret);
  return found.length === 0 ? value : censored(value, found);
}

const isSecretKey = (key: string) => SECRET_KEYS.has(key);
const isSecretHeader = (key: string) => SECRET_HEADERS.has(key.toLowerCase());

function redactNested(key: string, value: unknown): unknown {
  if (!isObject(value)) return value;
  if (key === 'headers') return withoutSecrets(value, (k) => isSecretKey(k) || isSecretHeader(k));
  const inner = withoutSecrets(value, isSecretKey);
  if (key !== 'req' || !isObject(inner.headers)) return inner;
  const headers = withoutSecrets(inner.headers, isSecretHeader);
  return headers === inner.headers ? inner : { ...inner, headers };
}

/** Never mutates what the caller logged: a value with a secret in it is copied, then censored. */
export function redactLogLine(line: Record<string, unknown>): Record<string, unknown> {
  let out = line;
  for (const key of Object.keys(line)) {
    const value = line[key];
    const redacted = isSecretKey(key) ? CENSOR : redactNested(key, value);
    if (redacted === value) continue;
    if (out === line) out = { ...line };
    out[key] = redacted;
  }
  return out;
}

/** pino gives children an identity bindings formatter, so a child's bindings are censored on their way in. */
function censorChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactLogLine(bindings), options);
  } as Logger['child'];
  return logger;
}

export function createLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = { name, level, formatters: { log: redactLogLine } };
  return censorChildBindings(destination ? pino(options, destination) : pino(options));
}
