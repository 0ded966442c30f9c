// What every provider API error has, whatever the platform: the HTTP status (0 without an answer), a code, the
// platform's own message verbatim, whether trying again can help, and where it happened (never the base URL or a
// header, so never the key). Platforms add their own fields (Twig's request ID) and their own subclasses; what
// the codes are and which failures are retryable stays with them.

/** The fields a provider error is built from. */
export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  method?: string;
  path?: string;
  attempts?: number;
  cause?: unknown;
}

/** Where a call failed: method, path with query, and how many requests it had sent. */
export type Where = { method: string; path: string; attempts: number };

/**
 * The base of TwigApiError and TwinAiApiError. Its message reads `<code> (<status>): <message><note> [<method>
 * <path>]`; `note` is the platform's extra (Twig's `request_id=…`).
 */
export abstract class ProviderApiError extends Error {
  /** HTTP status, or 0 when no answer arrived or the client refused to send. */
  readonly status: number;
  readonly code: string;
  /** The platform's own error message, verbatim (the `message` of this Error adds status, code and place). */
  readonly serverMessage: string;
  /** Whether the same call can succeed later unchanged; which failures are is the platform's rule. */
  readonly retryable: boolean;
  /** How long the platform asked (or its documentation advises) to wait, when known. */
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  /** Path and query only: never the base URL or a header. */
  readonly path: string | undefined;
  /** Requests sent for this call, retries included (0 when refused before sending). */
  readonly attempts: number;

  protected constructor(init: ApiErrorInit, note = '') {
    const where = init.method && init.path ? ` [${init.method} ${init.path}]` : '';
    super(`${init.code} (${init.status}): ${init.message}${note}${where}`, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.message;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 0;
  }
}
