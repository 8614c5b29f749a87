import { formatIssue } from '../pipeline/errors.ts';
import { plan } from '../runs/compile.ts';
import type { Plan, Scalar } from '../pipeline/types.ts';
import { actionDirsFor, loadActions, readJobFile } from './load-files.ts';

export interface LoadedPlan {
  plan: Plan;
  text: string;
}

/** Reads, parses and plans one job file; problems are printed and the process exit code set. */
export async function loadPlan(file: string, actionDirs: string[], params: Record<string, Scalar>): Promise<LoadedPlan | undefined> {
  const loaded = await loadActions(await actionDirsFor([file], actionDirs));
  const parsed = await readJobFile(file);
  const issues = [...parsed.issues, ...loaded.issues];
  if (parsed.job && issues.length === 0) {
    const compiled = plan(parsed.job, loaded.catalog, params);
    if (compiled.ok) return { plan: compiled.plan, text: parsed.text };
    issues.push(...compiled.issues);
  }
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exitCode = 1;
  return undefined;
}
