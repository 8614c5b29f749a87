import { planLimitIssues, type JobLimits } from '../pipeline/operator-limits.ts';
import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { ActionRegistry, NewRun, RunRecord, TriggerInfo } from '../store/store.ts';
import { compileOrThrow } from './compile.ts';
import { InvalidJobError, RunStateError } from './errors.ts';
import { runCatalog, sentActionFiles } from './run-actions.ts';

/**
 * A new run of a finished one: every group, or only those that did not succeed. A run triggered
 * by a repository keeps its plan (it was compiled from that commit's files, local actions included);
 * a submitted job is compiled again from its stored text, with the action files it was sent with,
 * against the actions registered now, so a fixed registered action applies. Either way the plan
 * must fit the operator's maxima (`limits`) as they are now; InvalidJobError says which value does not.
 */
export async function prepareRerun(actions: ActionRegistry, original: RunRecord, options: { failedOnly: boolean; limits: JobLimits }): Promise<NewRun> {
  if (!TERMINAL_STATUSES.includes(original.status)) {
    throw new RunStateError(`run ${original.id} is still ${original.status}; wait for it to finish or cancel it first`, original.status);
  }
  let onlyGroups: string[] | undefined;
  if (options.failedOnly) {
    const done = new Set(original.groups.filter((g) => g.status === 'success').map((g) => g.name));
    onlyGroups = original.plan.groups.map((g) => g.name).filter((name) => !done.has(name));
    if (onlyGroups.length === 0) {
      throw new RunStateError(`every group of run ${original.id} succeeded; rerun all groups instead`, original.status);
    }
  }
  let plan = original.plan;
  let used = original.actions;
  if (original.forge === undefined) {
    const catalog = await runCatalog(actions, sentActionFiles(original.actions));
    plan = compileOrThrow(original.yaml, original.file, catalog.catalog, original.params, options.limits).plan;
    used = catalog.used();
  } else {
    const over = planLimitIssues(plan, options.limits);
    if (over.length > 0) throw new InvalidJobError(over);
  }
  return {
    ...triggerOf(original),
    job: original.job,
    source: 'rerun',
    yaml: original.yaml,
    file: original.file,
    params: plan.params,
    plan,
    rerunOf: original.id,
    // kept unless the caller decides again for its own token (withSecretScope)
    ...(original.secretScope !== undefined && { secretScope: original.secretScope }),
    ...(used === undefined || used.length === 0 ? {} : { actions: used }),
    ...(onlyGroups === undefined ? {} : { onlyGroups }),
  };
}

const TRIGGER_FIELDS = ['repo', 'sha', 'ref', 'branch', 'cloneUrl', 'event', 'installationId', 'pullRequest', 'sender', 'fork', 'forge'] as const;

/** the trigger data of a run, without keys that are unset */
export function triggerOf(run: RunRecord): TriggerInfo {
  const trigger: Record<string, unknown> = {};
  for (const key of TRIGGER_FIELDS) {
    const value = run[key];
    if (value !== undefined && value !== null) trigger[key] = value;
  }
  return trigger as TriggerInfo;
}
