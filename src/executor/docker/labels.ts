import type { RunScope } from '../executor.ts';

/**
 * Labels that tie engine objects to a run. The reaper trusts them: anything with
 * MANAGED_LABEL=true is Pistages' to delete once the run in RUN_LABEL is no longer active.
 * Objects of a local `pistages run` also carry HOST_LABEL and PID_LABEL: they belong to that
 * process, and `pistages prune` removes them once it is gone (a server's reaper leaves them alone).
 */
export const MANAGED_LABEL = 'pistages.managed';
export const RUN_LABEL = 'pistages.run';
export const JOB_LABEL = 'pistages.job';
export const HOST_LABEL = 'pistages.host';
export const PID_LABEL = 'pistages.pid';

export function scopeLabels(scope: RunScope, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...runLabels(scope.runId, scope.job, extra),
    'pistages.group': scope.group,
    'pistages.attempt': String(scope.attempt),
  };
}

/** Labels of an object that belongs to a whole run rather than to one group attempt. */
export function runLabels(runId: string, job: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [RUN_LABEL]: runId, [JOB_LABEL]: job, [MANAGED_LABEL]: 'true' };
}

/** The labels a local run puts on everything it creates: which machine and process own it. */
export function localOwnerLabels(host: string, pid: number): Record<string, string> {
  return { [HOST_LABEL]: host, [PID_LABEL]: String(pid) };
}

/**
 * A readable, engine-valid object name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`) such as
 * `pistages-r42-build-a1-c0-3f9a1c`; `suffix` keeps names unique across retries and leftovers.
 */
export function objectName(parts: string[], suffix: string): string {
  const cleaned = parts.map((p) => p.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '').slice(0, 40));
  return ['pistages', ...cleaned.filter((p) => p !== ''), suffix].join('-');
}
