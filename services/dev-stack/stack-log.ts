// One terminal, four processes: every line the stack prints is prefixed with the process it came from, and the
// JSON log lines of pino (our services) and zap (Temporal) are turned into one short readable line each, so a
// person can follow the stack without a log viewer. Lines that are not JSON pass through untouched.
import type { Writable } from 'node:stream';

export interface StackLog {
  /** A line of a child's own output. */
  service(name: string, line: string): void;
  /** The supervisor speaking. */
  info(message: string): void;
  /** Something a person must notice: a crash, a restart, a failed start. */
  alarm(message: string): void;
  /** Lines printed as they are, without prefix (the banner). */
  plain(lines: string[]): void;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS = [36, 35, 33, 32, 34, 96, 95];
/** Fields every log line carries that would only add noise to a one-line rendering. */
const NOISE = new Set([
  'level',
  'time',
  'ts',
  'msg',
  'message',
  'pid',
  'hostname',
  'name',
  'logger',
  'caller',
  'stacktrace',
  'v',
]);
const PREFIX_WIDTH = 'supervisor'.length + 2;

export function createStackLog(stream: Writable & { isTTY?: boolean } = process.stdout): StackLog {
  const color = stream.isTTY === true && !process.env.NO_COLOR;
  const assigned = new Map<string, number>();
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const prefix = (name: string, code: number) => paint(code, `[${name}]`.padEnd(PREFIX_WIDTH));
  const write = (line: string) => stream.write(`${line}\n`);
  const colorOf = (name: string) => {
    if (!assigned.has(name)) assigned.set(name, COLORS[assigned.size % COLORS.length] ?? 37);
    return assigned.get(name) ?? 37;
  };
  return {
    service: (name, line) => {
      const head = prefix(name, colorOf(name));
      readableLine(line)
        .split('\n')
        .forEach((part) => write(`${head} ${part}`));
    },
    info: (message) => write(`${prefix('supervisor', 1)} ${message}`),
    alarm: (message) => write(`${prefix('supervisor', 31)} ${paint(31, `!!! ${message}`)}`),
    plain: (lines) => lines.forEach(write),
  };
}

/** `12:03:04 INFO  receiver listening  port=8787`, or the line itself when it is not a JSON log record. */
export function readableLine(line: string): string {
  const record = parseRecord(line);
  if (!record) return line;
  const time = formatTime(record.time ?? record.ts);
  const level = formatLevel(record.level);
  const message = String(record.msg ?? record.message ?? '');
  const fields = Object.entries(record)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, level.padEnd(5), message, ...fields].filter((part) => part !== '').join(' ');
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function formatLevel(level: unknown): string {
  if (typeof level === 'number') return PINO_LEVELS[level] ?? String(level);
  return typeof level === 'string' ? level.toUpperCase() : '';
}

function formatTime(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : undefined;
  if (!date || Number.isNaN(date.getTime())) return '';
  return date.toTimeString().slice(0, 8);
}
