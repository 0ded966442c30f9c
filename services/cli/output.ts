// Where the CLI's words go. Results go to stdout (as one JSON document with --json, for scripts; as text
// otherwise); warnings and progress go to stderr so they never corrupt a script's JSON. Errors follow the same
// rule: with --json they are a JSON document too, so a script parses one thing whatever happened.
import type { Writable } from 'node:stream';
import type { CliError } from './errors.js';

export interface Streams {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
}

export interface Output {
  readonly json: boolean;
  readonly streams: Streams;
  /** The command's result: `value` with --json, `human` (lines) otherwise. */
  result(value: unknown, human: () => string | string[]): void;
  warn(message: string): void;
  note(message: string): void;
  error(error: CliError): void;
}

export function createOutput(
  json: boolean,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Output {
  const line = (stream: Writable, text: string) => stream.write(`${text}\n`);
  return {
    json,
    streams,
    result(value, human) {
      if (json) {
        line(streams.stdout, JSON.stringify(value, null, 2));
        return;
      }
      const text = human();
      (Array.isArray(text) ? text : [text]).forEach((t) => line(streams.stdout, t));
    },
    warn: (message) => line(streams.stderr, `twinflow: warning: ${message}`),
    note: (message) => {
      if (!json) line(streams.stderr, message);
    },
    error(error) {
      if (json) {
        line(
          streams.stdout,
          JSON.stringify(
            { error: { message: error.message, hint: error.hint, exitCode: error.exitCode } },
            null,
            2,
          ),
        );
        return;
      }
      line(streams.stderr, `twinflow: error: ${error.message}`);
      if (error.hint) line(streams.stderr, `  hint: ${error.hint}`);
    },
  };
}

/** Left-aligned columns for lists; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(headers), ...rows.map(render)];
}
