// How a client method describes a call to its transport, and how that becomes a path: the same for both platforms,
// which address resources as `/…/:id` and take query parameters as plain strings.
import type { z } from 'zod';

/** One call as a client method describes it to its transport; `E` is the platform's endpoint names. */
export interface CallSpec<E extends string, T> {
  endpoint: E;
  /** Fills the endpoint's `:id`. */
  id?: string;
  /** Checked against `schema` before anything is sent. */
  query?: { schema: z.ZodType; value: unknown };
  body?: { schema: z.ZodType; value: unknown };
  /** What a 2xx answer must be. */
  response: z.ZodType<T>;
}

/** What every call accepts besides its input. */
export interface RequestOptions {
  /** Aborting rejects with the signal's own reason, while waiting for an answer, a token or a retry. */
  signal?: AbortSignal;
}

/** `?a=1&b=2` from the defined fields of `value`; empty when there are none. */
export function queryString(value: unknown): string {
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (v !== undefined) params.set(name, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Fills the template's `:id` with `id`, URL-encoded. An ID that would change the path (`.`, `..`) or one the
 * platform's rule `usable` refuses throws `refused()` instead, so no other endpoint is ever called by accident.
 */
export function fillId(
  template: string,
  id: string | undefined,
  usable: (id: string) => boolean,
  refused: () => Error,
): string {
  if (!template.includes(':id')) return template;
  const value = id ?? '';
  if (!usable(value) || value === '.' || value === '..') throw refused();
  return template.replace(':id', encodeURIComponent(value));
}
