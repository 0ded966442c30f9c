// Twin has no idempotency key, so a start whose answer was lost (timeout, reset connection) may have created a
// run anyway. Each start carries a short marker in its `user_message`, derived from who asked for it; a retried
// start first looks for a run bearing its marker and adopts it instead of starting a second one.
import { createHash } from 'node:crypto';

export interface RunMarkerSeed {
  workflowId: string;
  stepKey: string;
  /** runAgent's attempt number (a new Twin run per attempt), not the activity's retry attempt. */
  attempt: number;
  /** Unique per runAgent attempt, so the same step reached twice in one workflow gets two markers. */
  token: string;
}

const MARKER_HASH_CHARS = 16;

/** `[twinflow:<16 hex>]`: short enough not to distract the agent, long enough never to collide. */
export function runMarker(seed: RunMarkerSeed): string {
  const material = JSON.stringify([seed.workflowId, seed.stepKey, seed.attempt, seed.token]);
  const hash = createHash('sha256').update(material).digest('hex').slice(0, MARKER_HASH_CHARS);
  return `[twinflow:${hash}]`;
}

/** The marker goes on a trailing line of its own, after whatever the caller wrote. */
export function withRunMarker(message: string | undefined, marker: string): string {
  return message ? `${message}\n\n${marker}` : marker;
}

export function hasRunMarker(message: string | undefined, marker: string): boolean {
  return message?.trimEnd().endsWith(marker) ?? false;
}
