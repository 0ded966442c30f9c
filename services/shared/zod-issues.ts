// One wording for what a zod schema refused, wherever twinflow reports it (config, pipeline input, HTTP bodies,
// Twin's answers, the secrets file): each issue as `path: message`. Only paths and zod's messages, never the values,
// so no secret that failed a check reaches an error message or a log.
import type { z } from 'zod';

/** How the issues are listed. */
export interface IssueTextOptions {
  /** What a path names when the issue is about the value as a whole (`input`, `body`); default `(root)`. */
  root?: string;
  /** At most this many issues; default all. */
  limit?: number;
}

/** Each issue as `path: message`, in zod's order. */
export function zodIssueLines(error: z.ZodError, options: IssueTextOptions = {}): string[] {
  const { root = '(root)', limit } = options;
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : root}: ${issue.message}`);
}

/** The distinct paths that failed, for answers that say where but not why. */
export function zodIssuePaths(error: z.ZodError, root = '(root)'): string[] {
  return [...new Set(error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') : root)))];
}
