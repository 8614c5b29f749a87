import { createCatalog } from '../pipeline/catalog.ts';
import { ValidationError, uniqueIssues } from '../pipeline/errors.ts';
import { jobSizeIssue, NO_LIMITS, operatorLimitIssues, type JobLimits } from '../pipeline/operator-limits.ts';
import { parseJob } from '../pipeline/parse.ts';
import { buildPlan } from '../pipeline/plan.ts';
import type { ActionCatalog, JobFile, Plan, Scalar, ValidationIssue } from '../pipeline/types.ts';
import type { ActionRegistry } from '../store/store.ts';
import { InvalidJobError } from './errors.ts';

/**
 * Compiling a job: text + action catalog + parameters → plan, or every problem with its position.
 * One path for the API, the CLI and the webhook, so a job means the same wherever it starts.
 * `limits` are the operator's maxima (config); callers that run or store jobs pass them, a text
 * above maxJobBytes is refused before it is parsed.
 */

export type CompileResult = { ok: true; job: JobFile; plan: Plan } | { ok: false; issues: ValidationIssue[] };

export function compile(text: string, file: string, catalog: ActionCatalog, params: Record<string, Scalar>, limits: JobLimits = NO_LIMITS): CompileResult {
  const tooLarge = jobSizeIssue(text, file, limits);
  if (tooLarge !== undefined) return { ok: false, issues: [tooLarge] };
  const parsed = parseJob(text, file);
  if (parsed.issues.length > 0 || parsed.job === undefined) {
    return { ok: false, issues: parsed.issues.length > 0 ? parsed.issues : [{ file, line: 1, col: 1, message: 'the file defines no job' }] };
  }
  return plan(parsed.job, catalog, params, limits);
}

/** Plans an already parsed job; values above the maxima are reported with the planning problems. */
export function plan(job: JobFile, catalog: ActionCatalog, params: Record<string, Scalar>, limits: JobLimits = NO_LIMITS): CompileResult {
  const overLimits = operatorLimitIssues(job, catalog, limits);
  try {
    const built = buildPlan(job, catalog, params);
    return overLimits.length > 0 ? { ok: false, issues: overLimits } : { ok: true, job, plan: built };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, issues: uniqueIssues([...overLimits, ...error.issues]) };
    throw error;
  }
}

/** compile(), throwing InvalidJobError instead of returning issues. */
export function compileOrThrow(
  text: string,
  file: string,
  catalog: ActionCatalog,
  params: Record<string, Scalar>,
  limits: JobLimits = NO_LIMITS,
): { job: JobFile; plan: Plan } {
  const result = compile(text, file, catalog, params, limits);
  if (!result.ok) throw new InvalidJobError(result.issues);
  return result;
}

/** Parses a file that must define a job (an action to register, say); throws InvalidJobError. */
export function parseOrThrow(text: string, file: string): JobFile {
  const parsed = parseJob(text, file);
  if (parsed.issues.length > 0 || parsed.job === undefined) {
    throw new InvalidJobError(parsed.issues.length > 0 ? parsed.issues : [{ file, line: 1, col: 1, message: 'the file defines no job' }]);
  }
  return parsed.job;
}

export interface LayeredCatalog {
  catalog: ActionCatalog;
  /** duplicate names inside one layer (two local files, say) */
  issues: ValidationIssue[];
}

/**
 * Layers of actions, first wins by name: a repository's own `.pistages/actions/` before the shared
 * registry. A name defined twice within one layer is an issue (the first definition stays usable).
 */
export function layerCatalogs(layers: readonly (readonly JobFile[])[]): LayeredCatalog {
  const built = layers.map((layer) => createCatalog(layer));
  const catalogs = built.map((b) => b.catalog);
  const catalog: ActionCatalog = {
    get: (name) => {
      for (const c of catalogs) {
        const found = c.get(name);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    names: () => [...new Set(catalogs.flatMap((c) => c.names()))],
  };
  return { catalog, issues: uniqueIssues(built.flatMap((b) => b.issues)) };
}

/** The registered actions as a catalog, optionally under repository-local ones; read per call so a run sees the registry as it is now. */
export async function registryCatalog(actions: ActionRegistry, local: readonly JobFile[] = []): Promise<LayeredCatalog> {
  const records = await actions.list();
  return layerCatalogs([local, records.map((r) => r.definition)]);
}
