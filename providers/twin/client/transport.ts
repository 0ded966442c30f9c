// How one Twin request travels (seed 001): the outgoing body is validated, the call is bounded by a timeout, the
// answer is validated with zod, and every failure becomes a TwinApiError that says whether to retry and whether
// Twin may have acted. A 2xx counts only when it is the JSON the endpoint promises (a gRPC answer or an empty
// body is an error, except where the endpoint promises no content). The API key lives only in this closure's
// request headers; redirects are not followed (they would carry the key to another origin) and the key is
// scrubbed from every error.
import { z } from 'zod';
import { zodIssueLines } from '../../../services/shared/zod-issues.js';
import {
  grpcAnswerError,
  invalidRequestError,
  malformedResponseError,
  networkError,
  timeoutError,
  twinErrorFromResponse,
} from './errors.js';

export interface TwinClientOptions {
  /** e.g. https://build.twin.so or the emulator's http://127.0.0.1:port; a path prefix is kept. */
  baseUrl: string;
  apiKey: string;
  /** Per request, covering connect, headers and body. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Aborting rejects with the signal's own reason (not a TwinApiError), so cancellation stays cancellation. */
  signal?: AbortSignal;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface Body {
  schema: z.ZodType;
  value: unknown;
}

export interface Call<T> {
  method: Method;
  path: string;
  query?: Query;
  body?: Body;
  response: z.ZodType<T>;
}

interface Answer {
  status: number;
  headers: Headers;
  bodyText: string;
}

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().min(1),
  timeoutMs: z.number().int().positive(),
});

export const body = (schema: z.ZodType, value: unknown): Body => ({ schema, value });

/**
 * Path template whose interpolations are IDs: each is percent-encoded, and "", "." and ".." are refused
 * because URL normalisation would turn them into a different endpoint.
 */
export function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((out, text, i) => {
    if (i === 0) return text;
    const segment = segments[i - 1] ?? '';
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalidRequestError(
        'INVALID_ARGUMENT',
        `path segment ${JSON.stringify(segment)} is not a valid ID`,
      );
    }
    return `${out}${encodeURIComponent(segment)}${text}`;
  }, '');
}

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function issuesText(error: z.ZodError): string {
  return zodIssueLines(error, { limit: 5 }).join('; ');
}

/** fetch's own message is just "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function describeFailure(err: unknown): { detail: string; code?: string } {
  if (!(err instanceof Error)) return { detail: String(err) };
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? cause?.message;
  return { detail: typeof detail === 'string' ? `${err.message} (${detail})` : err.message, code };
}

/**
 * The request function of one client. Each call resolves to the answer parsed by `response`, or rejects with a
 * TwinApiError (or, when the caller aborts, with the signal's reason). Throws a TypeError at once on invalid
 * options, without echoing the key.
 */
export function createTransport(options: TwinClientOptions) {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new TypeError(`invalid Twin client options: ${issuesText(parsed.error)}`);
  const { apiKey, timeoutMs } = parsed.data;
  const baseUrl = parsed.data.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const redact = (text: string) => text.split(apiKey).join('[redacted]');

  function encodeBody(spec: Body | undefined): string | undefined {
    if (!spec) return undefined;
    const checked = spec.schema.safeParse(spec.value);
    if (!checked.success) throw invalidRequestError('INVALID_ARGUMENT', redact(issuesText(checked.error)));
    return JSON.stringify(checked.data);
  }

  async function exchange(
    spec: Call<unknown>,
    payload: string | undefined,
    caller?: AbortSignal,
  ): Promise<Answer> {
    const where = { method: spec.method, path: spec.path };
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { 'x-api-key': apiKey, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetchImpl(`${baseUrl}${spec.path}${queryString(spec.query)}`, {
        method: spec.method,
        headers,
        body: payload,
        redirect: 'manual',
        signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
      });
      return { status: response.status, headers: response.headers, bodyText: await response.text() };
    } catch (err) {
      if (caller?.aborted) throw caller.reason;
      if (timeout.aborted) throw timeoutError(timeoutMs, where);
      const failure = describeFailure(err);
      throw networkError(redact(failure.detail), where, failure.code);
    }
  }

  /**
   * An empty body only passes a schema that expects none (noContentSchema, the 204 endpoints); every other
   * schema is an object, so "nothing" is MALFORMED_RESPONSE rather than an empty success.
   */
  function decode<T>(spec: Call<T>, answer: Answer): T {
    const where = { method: spec.method, path: spec.path };
    const text = answer.bodyText.trim();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw malformedResponseError(answer.status, 'body is not JSON', where);
    }
    const result = spec.response.safeParse(json);
    if (result.success) return result.data;
    const detail = text ? redact(issuesText(result.error)) : 'body is empty';
    throw malformedResponseError(answer.status, detail, where);
  }

  async function call<T>(spec: Call<T>, requestOptions: RequestOptions = {}): Promise<T> {
    const answer = await exchange(spec, encodeBody(spec.body), requestOptions.signal);
    const response = { ...answer, bodyText: redact(answer.bodyText), method: spec.method, path: spec.path };
    if (answer.status < 200 || answer.status >= 300) throw twinErrorFromResponse(response);
    const grpc = grpcAnswerError(response);
    if (grpc) throw grpc;
    return decode(spec, answer);
  }

  return call;
}
