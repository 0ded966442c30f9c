// One way to read a fetched workflow history as text with every payload's bytes decoded, so a secret that
// reached a payload shows up in a plain `toContain` check.
import type { temporal } from '@temporalio/proto';

export function historyText(history: temporal.api.history.v1.IHistory): string {
  return textOf(history);
}

function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return '';
  return Object.values(value).map(textOf).join('\n');
}
