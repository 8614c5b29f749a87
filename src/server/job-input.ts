import { formatIssue } from '../pipeline/errors.ts';
import type { ValidationIssue } from '../pipeline/types.ts';
import { HttpError } from './http-error.ts';

/**
 * Job-file problems as one 422 that carries each issue's position:
 * `{error: 'invalid_job', details: {issues: [{file, line, col, message}]}}`.
 */
export function invalidJob(issues: readonly ValidationIssue[]): HttpError {
  const shown = issues.slice(0, 5).map(formatIssue).join('\n');
  const more = issues.length > 5 ? `\n(and ${issues.length - 5} more; see details.issues)` : '';
  return new HttpError(422, 'invalid_job', `the job file has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${shown}${more}`, {
    issues: issues.map(({ file, line, col, message }) => ({ file, line, col, message })),
  });
}
