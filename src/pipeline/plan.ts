/**
 * buildPlan: a parsed job file, the action catalog and the caller's parameters → a Plan, the plain data
 * the executor runs. Pure and deterministic: groups and steps keep file order, every object is new.
 * Throws one ValidationError carrying every problem found (expansion, parameters, images, step outputs).
 */
import { ValidationError, issueAt, uniqueIssues } from './errors.ts';
import { assignContainers } from './containers.ts';
import { expandJob, type ResolvedGroup, type ResolvedJob } from './resolve-job.ts';
import { overlayResources } from './resolve-helpers.ts';
import { createTemplates, findStepOutputRefs } from './template.ts';
import type { ActionCatalog, JobFile, Plan, PlannedGroup, PlannedStep, Scalar, ValidationIssue } from './types.ts';

export function buildPlan(job: JobFile, catalog: ActionCatalog, params: Record<string, Scalar> = {}): Plan {
  const issues: ValidationIssue[] = [];
  const resolved = expandJob(job, catalog, params, createTemplates(), issues);
  const groups = resolved.groups.map((group) => planGroup(group, resolved, job, issues));
  if (issues.length > 0) throw new ValidationError(uniqueIssues(issues));
  const plan: Plan = {
    job: job.name,
    file: job.file,
    params: { ...resolved.params },
    secrets: [...job.secrets],
    groups,
  };
  if (job.retry !== undefined) plan.retry = job.retry;
  return plan;
}

function planGroup(group: ResolvedGroup, resolved: ResolvedJob, job: JobFile, issues: ValidationIssue[]): PlannedGroup {
  const containers = assignContainers(group.steps, resolved.image, group.name, issues);
  checkStepOutputs(group, issues);
  const steps = group.steps.map((step, index): PlannedStep => {
    const container = containers[index]!;
    const planned: PlannedStep = {
      index,
      name: step.name,
      image: container.image,
      container: container.container,
      startsContainer: container.startsContainer,
      commands: [...step.commands],
      env: Object.assign({}, resolved.env, step.env),
      actions: [...step.actions],
      pos: { ...step.pos },
    };
    if (step.id !== undefined) planned.id = step.id;
    if (step.actions.length > 0) planned.params = { ...step.params };
    const timeoutMs = step.timeoutMs ?? job.timeoutMs;
    if (timeoutMs !== undefined) planned.timeoutMs = timeoutMs;
    const resources = overlayResources(job.resources, step.resources);
    if (resources !== undefined) planned.resources = resources;
    return planned;
  });
  return { name: group.name, steps };
}

/**
 * `{{ .steps.<id>.outputs.<key> }}` must name an earlier step of the same group (outputs never cross
 * groups: groups run in parallel). Images are chosen before anything runs, so they cannot use outputs.
 * Keys cannot be checked before the run; the executor reports a missing key.
 */
function checkStepOutputs(group: ResolvedGroup, issues: ValidationIssue[]): void {
  const earlier = new Set<string>();
  for (const step of group.steps) {
    if (step.image !== undefined && findStepOutputRefs(step.image).length > 0) {
      issues.push(issueAt(step.pos, `image: '${step.image}' uses a step output, but images are chosen before the group runs; use a fixed image or a parameter`));
    }
    const refs = step.commands.flatMap(findStepOutputRefs);
    for (const key in step.env) refs.push(...findStepOutputRefs(step.env[key]!));
    for (const ref of refs) {
      if (!earlier.has(ref.step)) {
        issues.push(
          issueAt(
            step.pos,
            `step '${step.name}' uses outputs of step '${ref.step}', but no earlier step of group '${group.name}' has 'id: ${ref.step}'; give the producing step that id, or move this step after it`,
          ),
        );
      }
    }
    if (step.id !== undefined) earlier.add(step.id);
  }
}
