import type { RunScope } from '../executor.ts';

/**
 * Labels that tie engine objects to a run. The reaper trusts them: anything with
 * MANAGED_LABEL=true is Pistages' to delete once the run in RUN_LABEL is no longer active.
 */
export const MANAGED_LABEL = 'pistages.managed';
export const RUN_LABEL = 'pistages.run';

export function scopeLabels(scope: RunScope, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [RUN_LABEL]: scope.runId,
    'pistages.job': scope.job,
    'pistages.group': scope.group,
    'pistages.attempt': String(scope.attempt),
    [MANAGED_LABEL]: 'true',
  };
}

/**
 * A readable, engine-valid object name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`) such as
 * `pistages-r42-build-a1-c0-3f9a1c`; `suffix` keeps names unique across retries and leftovers.
 */
export function objectName(parts: string[], suffix: string): string {
  const cleaned = parts.map((p) => p.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '').slice(0, 40));
  return ['pistages', ...cleaned.filter((p) => p !== ''), suffix].join('-');
}
