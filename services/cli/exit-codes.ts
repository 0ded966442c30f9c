// The CLI's exit codes: one table that the error translation uses, `twinflow --help` prints and
// docs/operations.md repeats (a test keeps the three in step). Scripts branch on these numbers, so a code keeps
// its meaning for good; a new kind of failure gets a new number rather than borrowing one.

export const EXIT = {
  ok: 0,
  /** The thing ran and did not succeed: a failed or cancelled pipeline (also an existing run under --id). */
  failed: 1,
  /** Bad input: unknown pipeline or step, bad JSON, refused input, bad cron or URL, bad configuration. */
  usage: 2,
  /** A service could not be reached: Temporal or Twin. */
  unavailable: 3,
  /** Twin refused the credentials (401/403). */
  unauthorized: 4,
  /** The thing asked about does not exist: pipeline run, webhook, agent. */
  notFound: 5,
  /** It exists but is not in a state to take the request: the run has ended, the step is not waiting. */
  conflict: 6,
  /** Something went wrong that twinflow did not expect: a bug, or a local file it cannot read. */
  internal: 7,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, in the words of the help text and the docs. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'done; for `run --wait`: the pipeline succeeded',
  1: 'the pipeline ended failed or cancelled (also: `run` with an --id whose run failed or was cancelled)',
  2: 'bad input: unknown pipeline or step, bad JSON, input the pipeline refuses, bad cron or URL, bad configuration',
  3: 'Temporal or Twin could not be reached',
  4: 'Twin refused the API key (401/403)',
  5: 'no such pipeline run, webhook or agent',
  6: 'the run or step is not in a state to take the request: it has already ended, or is not waiting for approval',
  7: 'an unexpected error (a bug, or a local state file that cannot be read)',
};

/** The table as `twinflow --help` prints it. */
export function exitCodeHelp(): string {
  const rows = Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]) => `  ${code}  ${meaning}`);
  return ['Exit codes:', ...rows].join('\n');
}
