// The client options both providers check the same way: the base URL (HTTPS, plain HTTP only to loopback so the
// emulator works without letting a key travel in clear elsewhere) and the retry policy's four numbers. Defaults
// and the key's shape are each platform's and stay in its client.ts.
import { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An http(s) URL that is HTTPS unless it points at a loopback address. */
export const httpsBaseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .refine((u) => u.startsWith('https:') || LOOPBACK.has(new URL(u).hostname), {
    message: 'must be https:// (plain http is allowed only to a loopback address, e.g. the emulator)',
  });

/** The retry policy's fields, as both providers' `TwigRetryPolicy` / `TwinAiRetryPolicy` have them. */
export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10),
  baseDelayMs: z.number().int().min(0),
  maxDelayMs: z.number().int().min(0),
  maxRateLimitWaitMs: z.number().int().min(0),
});

/**
 * What is wrong with an API key, without echoing any of it (a key in an error ends up in logs).
 *
 * @param shape - the platform's full key pattern; a key matching it has no problem
 * @param platformProblem - the platform's wording for a key of the wrong prefix or characters
 */
export function keyProblem(
  apiKey: unknown,
  shape: RegExp,
  platformProblem: (apiKey: string) => string,
): string | undefined {
  if (typeof apiKey !== 'string' || apiKey === '') return 'apiKey is missing';
  if (shape.test(apiKey)) return undefined;
  if (apiKey.trim() !== apiKey) return 'apiKey has leading or trailing whitespace';
  return platformProblem(apiKey);
}

/**
 * The options parsed by `schema`, or a TypeError `invalid <platform> client options: …` naming what is wrong.
 *
 * @param keyIssue - from {@link keyProblem}, checked first so a bad key is reported without parsing the rest
 */
export function checkedClientOptions<S extends z.ZodType>(
  platform: string,
  keyIssue: string | undefined,
  schema: S,
  input: unknown,
): z.output<S> {
  const fail = (problem: string) => new TypeError(`invalid ${platform} client options: ${problem}`);
  if (keyIssue) throw fail(keyIssue);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fail(zodIssueLines(parsed.error).join('; '));
  return parsed.data;
}
