// One HTTP attempt of a provider call, reduced to what a retry policy needs to tell apart: an answer (any status),
// no complete answer within the timeout, or a failure before one (refused connection, DNS, cut connection). The
// caller's own abort is not an outcome: it rejects with the signal's reason, so cancelling is never retried. How
// each outcome becomes an error, and whether it is retried, is each provider's rule.

/** An answer as read off the wire, its body already scrubbed of the API key. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  bodyText: string;
}

export type AttemptOutcome =
  | { kind: 'answer'; answer: HttpAnswer }
  /** The timeout's abort reason, kept as the error's cause. */
  | { kind: 'timeout'; reason: unknown }
  /** fetch's own error. */
  | { kind: 'failed'; error: unknown };

/** What a wire needs; both providers' TransportSettings have these fields. */
export interface WireSettings {
  baseUrl: URL;
  /** Sent as `Authorization: Bearer <apiKey>`, and scrubbed from every answer text. */
  apiKey: string;
  /** Per attempt, covering connect, headers and body. */
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * The key-holding side of a transport: builds JSON requests with the Bearer key (redirects not followed, as they
 * would carry the key to another host) and sends one attempt at a time. The key lives only in this closure.
 */
export function bearerWire(settings: WireSettings) {
  const base = settings.baseUrl.href.replace(/\/+$/, '');
  const redact = (text: string) => text.split(settings.apiKey).join('[redacted]');
  return {
    /** Removes the key from a text (fetch errors, before they become error messages). */
    redact,

    /** A JSON request; `payload` is the serialised body, if any. */
    init(method: string, payload: string | undefined): RequestInit {
      const headers: Record<string, string> = {
        authorization: `Bearer ${settings.apiKey}`,
        accept: 'application/json',
      };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      return { method, headers, body: payload, redirect: 'manual' };
    },

    /**
     * Sends one request to `path` (with its query) and reads its whole body within the timeout.
     *
     * @throws the signal's reason when the caller aborted
     */
    async attempt(path: string, init: RequestInit, signal?: AbortSignal): Promise<AttemptOutcome> {
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      try {
        const res = await settings.fetch(`${base}${path}`, {
          ...init,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        return {
          kind: 'answer',
          answer: { status: res.status, headers: res.headers, bodyText: redact(await res.text()) },
        };
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (timeout.aborted) return { kind: 'timeout', reason: timeout.reason };
        return { kind: 'failed', error: err };
      }
    },
  };
}

/** The system error code (ECONNREFUSED, …) fetch keeps on its error's cause, if any. */
export function failureCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause, so it is added. */
export function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { message?: unknown } | undefined;
  const detail = failureCode(err) ?? cause?.message;
  return typeof detail === 'string' ? `${err.message} (${detail})` : err.message;
}
