import type { Status } from '../pipeline/types.ts';
import type { GroupRecord, RunRecord, StepRecord } from '../store/store.ts';

/** The JSON shapes of runs in API answers (dates serialise as ISO strings). */

export interface StepView {
  index: number;
  name: string;
  status: Status;
  exitCode: number | null;
  attempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  outputs: Record<string, string>;
  message: string | null;
}

export interface GroupView {
  name: string;
  status: Status;
  attempt: number;
  /** the steps of the latest attempt (or of the plan, before the first attempt) */
  steps: StepView[];
  attempts: { attempt: number; status: Status; startedAt: Date | null; finishedAt: Date | null; steps: StepView[] }[];
}

export function toRunSummary(run: RunRecord) {
  return {
    id: run.id,
    job: run.job,
    status: run.status,
    source: run.source,
    repo: run.repo ?? null,
    sha: run.sha ?? null,
    ref: run.ref ?? null,
    branch: run.branch ?? null,
    createdAt: run.createdAt,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    message: run.message ?? null,
    rerunOf: run.rerunOf ?? null,
    onlyGroups: run.onlyGroups ?? null,
    event: run.event ?? null,
    pullRequest: run.pullRequest ?? null,
    sender: run.sender ?? null,
    fork: run.fork ?? false,
    deliveryId: run.deliveryId ?? null,
  };
}

export function toRunView(run: RunRecord) {
  return {
    ...toRunSummary(run),
    file: run.file,
    params: run.params,
    actions: (run.actions ?? []).map(({ name, scope, file, version }) => ({ name, scope, file, version: version ?? null })),
    groups: groupsOf(run),
  };
}

function stepView(step: StepRecord, attempt: number): StepView {
  return {
    index: step.index,
    name: step.name,
    status: step.status,
    exitCode: step.exitCode ?? null,
    attempt,
    startedAt: step.startedAt ?? null,
    finishedAt: step.finishedAt ?? null,
    outputs: step.outputs ?? {},
    message: step.message ?? null,
  };
}

/** Groups as recorded, with planned groups the store has not recorded yet (a queued run) filled in. */
function groupsOf(run: RunRecord): GroupView[] {
  const recorded = new Map(run.groups.map((g) => [g.name, g]));
  const names = [...run.plan.groups.map((g) => g.name), ...run.groups.map((g) => g.name)].filter((n, i, all) => all.indexOf(n) === i);
  return names.map((name) => {
    const planned = run.plan.groups.find((g) => g.name === name);
    const group: GroupRecord = recorded.get(name) ?? { name, status: groupStatusBeforeStart(run, name), attempt: 0, attempts: [] };
    const latest = group.attempts.find((a) => a.attempt === group.attempt);
    const steps = latest
      ? latest.steps.map((s) => stepView(s, latest.attempt))
      : (planned?.steps ?? []).map((s) => stepView({ index: s.index, name: s.name, status: group.status }, group.attempt));
    return {
      name,
      status: group.status,
      attempt: group.attempt,
      steps,
      attempts: group.attempts.map((a) => ({
        attempt: a.attempt,
        status: a.status,
        startedAt: a.startedAt ?? null,
        finishedAt: a.finishedAt ?? null,
        steps: a.steps.map((s) => stepView(s, a.attempt)),
      })),
    };
  });
}

/** a group left out of a rerun of failed groups is `skipped`; otherwise it waits like its run */
function groupStatusBeforeStart(run: RunRecord, name: string): Status {
  if (run.onlyGroups !== undefined && !run.onlyGroups.includes(name)) return 'skipped';
  return run.status === 'queued' || run.status === 'running' ? 'queued' : run.status;
}
