import { ValidationError, formatIssue } from '../pipeline/errors.ts';
import { createCatalog } from '../pipeline/catalog.ts';
import { parseJob } from '../pipeline/parse.ts';
import { buildPlan } from '../pipeline/plan.ts';
import type { ActionCatalog, JobFile, Plan, Scalar, ValidationIssue } from '../pipeline/types.ts';
import type { ActionRegistry } from '../store/store.ts';
import { HttpError } from './http-error.ts';

/**
 * Job text → JobFile → Plan for the API, with every pipeline problem turned into one 422 that carries
 * each issue's position: `{error: 'invalid_job', details: {issues: [{file, line, col, message}]}}`.
 */

export function invalidJob(issues: readonly ValidationIssue[]): HttpError {
  const shown = issues.slice(0, 5).map(formatIssue).join('\n');
  const more = issues.length > 5 ? `\n(and ${issues.length - 5} more; see details.issues)` : '';
  return new HttpError(422, 'invalid_job', `the job file has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${shown}${more}`, {
    issues: issues.map(({ file, line, col, message }) => ({ file, line, col, message })),
  });
}

export function parseJobText(text: string, file: string): JobFile {
  const { job, issues } = parseJob(text, file);
  if (issues.length > 0 || job === undefined) {
    throw invalidJob(issues.length > 0 ? issues : [{ file, line: 1, col: 1, message: 'the file defines no job' }]);
  }
  return job;
}

/** The registered actions as a catalog; loaded per request so a run sees the registry as it is now. */
export async function loadCatalog(actions: ActionRegistry): Promise<ActionCatalog> {
  const records = await actions.list();
  return createCatalog(records.map((r) => r.definition)).catalog;
}

export function compileJob(job: JobFile, catalog: ActionCatalog, params: Record<string, Scalar>): Plan {
  try {
    return buildPlan(job, catalog, params);
  } catch (error) {
    if (error instanceof ValidationError) throw invalidJob(error.issues);
    throw error;
  }
}
