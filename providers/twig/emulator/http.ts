// Request parsing for every route: JSON bodies and query strings go through the same zod schemas the client
// checks before sending (../requests.ts), so both sides refuse the same input; a refusal is the seed's 400
// `invalid_request` with the offending fields named in `details.fields`.
import type { z } from 'zod';
import { zodIssueLines, zodIssuePaths } from '../../../services/shared/zod-issues.js';
import { routeInput } from '../../shared/emulator/request-input.js';
import { PAGE_FIELDS } from '../requests.js';
import { invalidRequest, TwigEmulatorError } from './errors.js';

function refused(error: z.ZodError, root: string): TwigEmulatorError {
  return invalidRequest(zodIssueLines(error, { root, limit: 5 }).join('; '), {
    fields: zodIssuePaths(error, root),
  });
}

/** Query strings are text; the paging fields are numbers in the shared schemas, so they are converted first. */
export const { parseBody, parseQuery, param } = routeInput({
  unreadable: (status) => new TwigEmulatorError(status, 'cannot read request body'),
  notJson: () => invalidRequest('request body is not valid JSON'),
  invalid: refused,
  numericFields: PAGE_FIELDS,
  missingParam: (name) => new TwigEmulatorError(500, `route parameter ${name} missing`),
});

export { nowIso } from '../../shared/emulator/request-input.js';
