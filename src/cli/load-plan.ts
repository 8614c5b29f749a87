import { formatIssue } from '../pipeline/errors.ts';
import { NO_LIMITS, type JobLimits } from '../pipeline/operator-limits.ts';
import { plan } from '../runs/compile.ts';
import type { Plan, Scalar } from '../pipeline/types.ts';
import { actionDirsFor, loadActions, readJobFile } from './load-files.ts';

export interface LoadedPlan {
  plan: Plan;
  text: string;
}

/**
 * Reads, parses and plans one job file within the operator's maxima (`limits`, PISTAGES_MAX_*);
 * problems are printed and the process exit code set.
 */
export async function loadPlan(file: string, actionDirs: string[], params: Record<string, Scalar>, limits: JobLimits = NO_LIMITS): Promise<LoadedPlan | undefined> {
  const loaded = await loadActions(await actionDirsFor([file], actionDirs));
  const parsed = await readJobFile(file, limits);
  const issues = [...parsed.issues, ...loaded.issues];
  if (parsed.job && issues.length === 0) {
    const compiled = plan(parsed.job, loaded.catalog, params, limits);
    if (compiled.ok) return { plan: compiled.plan, text: parsed.text };
    issues.push(...compiled.issues);
  }
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exitCode = 1;
  return undefined;
}
