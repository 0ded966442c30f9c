// Error answers that are not in the platform's error shape (a proxy's HTML page, an empty 502) must still become
// a useful error: the status's name and a short snippet of what came, so an operator sees who answered.
import { STATUS_CODES } from 'node:http';

const SNIPPET = 200;

/** An error answer as the transport hands it over, with what it decided about retrying. */
export interface ErrorAnswer {
  status: number;
  bodyText: string;
  method: string;
  path: string;
  retryable: boolean;
  retryAfterMs?: number;
  attempts: number;
  /** The previous attempt's error, where the provider keeps the history. */
  cause?: unknown;
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOrUndefined(bodyText: string): unknown {
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `HTTP 503 Service Unavailable without Twig's error body: <first 200 characters>`.
 *
 * @param platform - whose error body was expected, e.g. `Twig`
 */
export function foreignBodyMessage(status: number, bodyText: string, platform: string): string {
  const text = bodyText.trim().slice(0, SNIPPET);
  return `HTTP ${status} ${STATUS_CODES[status] ?? ''} without ${platform}'s error body${text ? `: ${text}` : ''}`;
}
