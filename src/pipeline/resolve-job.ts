/** A whole job expanded: its parameters, rendered top-level image and env, and each group's leaf steps. */
import { ValidationError, issueAt, uniqueIssues } from './errors.ts';
import { paramEnvProblems } from './param-env.ts';
import { jobParams } from './params.ts';
import { createResolver, type ResolvedStep, type Scope } from './resolve.ts';
import { createTemplates, type Templates } from './template.ts';
import type { ActionCatalog, JobFile, Scalar, ValidationIssue } from './types.ts';

export interface ResolvedGroup {
  name: string;
  steps: ResolvedStep[];
}

export interface ResolvedJob {
  /** the job's `with` defaults overlaid by the caller's values */
  params: Record<string, Scalar>;
  /** top-level image, rendered: the last fallback of rule 3 */
  image?: string;
  /** top-level env, rendered: the first layer of every step's env (read-only, may be shared) */
  env: Readonly<Record<string, string>>;
  groups: ResolvedGroup[];
}

/** Expands `job`, collecting every problem into `issues` instead of stopping at the first. */
export function expandJob(
  job: JobFile,
  catalog: ActionCatalog,
  given: Record<string, Scalar>,
  templates: Templates,
  issues: ValidationIssue[],
): ResolvedJob {
  const resolver = createResolver(catalog, templates, issues);
  const declared = resolver.declared(job);
  const params = jobParams(job, given, declared, issues);
  for (const problem of paramEnvProblems(params, `job '${job.name}'`)) issues.push(issueAt(job.pos, problem));
  const scope: Scope = {
    params,
    file: job,
    actions: [],
    missing: new Set(declared.referenced.filter((name) => !Object.hasOwn(params, name))),
  };
  // A job that is itself the registered action of its name must not reach itself through a dep.
  if (catalog.get(job.name)?.file === job.file) scope.root = job.name;
  const resolved: ResolvedJob = {
    params,
    env: resolver.renderEnv(job.env, scope, job.pos),
    groups: job.groups.map((group) => ({ name: group.name, steps: resolver.expand(group.steps, scope) })),
  };
  if (job.image !== undefined) resolved.image = resolver.render(job.image, scope, job.pos, 'image');
  return resolved;
}

/** `expandJob` for callers that want the result or one ValidationError with every issue. */
export function resolveJob(job: JobFile, catalog: ActionCatalog, given: Record<string, Scalar> = {}): ResolvedJob {
  const issues: ValidationIssue[] = [];
  const resolved = expandJob(job, catalog, given, createTemplates(), issues);
  if (issues.length > 0) throw new ValidationError(uniqueIssues(issues));
  return resolved;
}
