// A 2xx answer's body checked against the endpoint's zod schema. Shared because "the body is not JSON" and "the
// body breaks the contract" are the same failure on every platform; whether an empty body is allowed, and which
// error a provider throws, are passed in.
import type { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';

/**
 * Parses `bodyText` and checks it with `schema`.
 *
 * @param whenEmpty - what an empty body stands for (`{}` where the platform may answer nothing, else undefined,
 *   which the schema then refuses as "body is empty")
 * @param malformed - builds the provider's error from a detail and the JSON or zod error underneath
 */
export function decodeAnswer<T>(
  bodyText: string,
  schema: z.ZodType<T>,
  whenEmpty: unknown,
  malformed: (detail: string, cause: unknown) => Error,
): T {
  const text = bodyText.trim();
  let json: unknown = whenEmpty;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw malformed('body is not JSON', err);
    }
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const detail = text === '' ? 'body is empty' : zodIssueLines(result.error, { limit: 5 }).join('; ');
  throw malformed(detail, result.error);
}
