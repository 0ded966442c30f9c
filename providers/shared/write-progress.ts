// At-most-once writes to platforms that take no idempotency key (managed-agent sessions, Twin.ai, Twig): an attempt
// records "sending" in its heartbeat before the request leaves, so any later attempt of the same activity knows
// the write may have been performed and looks for it instead of sending it again. Temporal keeps the last
// heartbeat for the next attempt (the SDK sends it with a failure, throttled or not).
import { Context } from '@temporalio/activity';

/** What an attempt knew when it ended: `sending` may have been performed, `not-sent` certainly was not. */
export interface WriteProgress {
  phase: 'sending' | 'not-sent';
}

/** Whether an earlier attempt of this activity may have performed the write. */
export function sentBefore(): boolean {
  const details = Context.current().info.heartbeatDetails as WriteProgress | undefined;
  return details?.phase === 'sending';
}

export function mark(phase: WriteProgress['phase']): void {
  Context.current().heartbeat({ phase } satisfies WriteProgress);
}

/** How one platform's errors read, for `sendOnce`. */
export interface WriteRules {
  /** The answer was lost after the write may have been performed: settle it by looking now. */
  lost(error: unknown): boolean;
  /** The platform certainly did nothing: a later attempt may send again. Anything else keeps the doubt. */
  notPerformed(error: unknown): boolean;
  /** The platform error as the failure Temporal should act on. */
  rethrow(error: unknown): never;
}

/**
 * Sends a write once. `look` settles a doubt (an earlier attempt that may have sent it, or an answer lost now) by
 * reading the platform's lists, or throws the failure that hands the doubt to a person.
 */
export async function sendOnce<T>(
  rules: WriteRules,
  send: () => Promise<T>,
  look: () => Promise<T>,
): Promise<T> {
  if (sentBefore()) return look().catch(rules.rethrow);
  mark('sending');
  try {
    return await send();
  } catch (error) {
    if (rules.lost(error)) return look().catch(rules.rethrow);
    if (rules.notPerformed(error)) mark('not-sent');
    return rules.rethrow(error);
  }
}
