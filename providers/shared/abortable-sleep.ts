// Every wait in a provider (a retry's backoff, a rate-limit reset, an emulator's scripted delay) must end the moment
// the caller gives up, and end the way the caller's own code expects: with the signal's reason, not a wrapper.

/**
 * Sleeps `ms` (nothing for `ms <= 0`), rejecting with the signal's own reason if it aborts first or has already.
 *
 * @param ms - how long to wait
 * @param signal - the caller's abort signal, if any
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
