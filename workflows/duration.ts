// Durations as Temporal's API takes them ("30 seconds", "5m", or milliseconds), read into milliseconds. The SDK's
// own converter is marked internal (deprecated at the package root, private under lib/), so twinflow keeps this
// copy of its grammar: the `ms` package's, which Temporal uses, so a duration means the same here and there.
// Pure: the workflow sandbox and Node share it.
import type { Duration } from '@temporalio/common';

const UNIT_MS: Readonly<Record<string, number>> = (() => {
  const second = 1000;
  const minute = 60 * second;
  const hour = 60 * minute;
  const day = 24 * hour;
  const units: [number, string[]][] = [
    [1, ['milliseconds', 'millisecond', 'msecs', 'msec', 'ms']],
    [second, ['seconds', 'second', 'secs', 'sec', 's']],
    [minute, ['minutes', 'minute', 'mins', 'min', 'm']],
    [hour, ['hours', 'hour', 'hrs', 'hr', 'h']],
    [day, ['days', 'day', 'd']],
    [7 * day, ['weeks', 'week', 'w']],
    [365.25 * day, ['years', 'year', 'yrs', 'yr', 'y']],
  ];
  return Object.fromEntries(units.flatMap(([factor, names]) => names.map((name) => [name, factor])));
})();

const DURATION =
  /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;

/** Milliseconds of a duration; throws a TypeError for a string that is not one, as the SDK does. */
export function durationMs(value: Duration): number {
  if (typeof value === 'number') return value;
  const match = value.length <= 100 ? DURATION.exec(value) : null;
  const factor = match ? UNIT_MS[(match[2] ?? 'ms').toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new TypeError(`Invalid duration string: '${value}'`);
  return parseFloat(match[1] ?? '') * factor;
}

/** Why `value` is not a positive duration, for a definition or options check; undefined when it is one. */
export function durationProblem(field: string, value: Duration | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return durationMs(value) > 0 ? undefined : `"${field}" must be a positive duration`;
  } catch {
    return `"${field}" is not a duration ("30s", "5 minutes" or milliseconds): ${String(value)}`;
  }
}
