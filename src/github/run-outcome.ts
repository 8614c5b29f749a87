/**
 * The facts of a stored run that its check run and commit status show: which groups passed, which
 * step of each failed group went wrong (on which attempt), how long it took.
 */
import type { Status } from '../pipeline/types.ts';
import type { GroupRecord, RunRecord, StepRecord } from '../store/store.ts';

export const FAILED_STATUSES: readonly Status[] = ['failure', 'timed_out', 'error'];

export interface FailedGroup {
  group: string;
  status: Status;
  attempt: number;
  /** the step that failed in the latest attempt; undefined when the group failed before any step */
  step?: StepRecord;
}

export interface RunOutcome {
  total: number;
  passed: number;
  failed: FailedGroup[];
  /** run duration; undefined until it started and finished */
  durationMs?: number;
}

export function latestSteps(group: GroupRecord): StepRecord[] {
  return group.attempts.find((a) => a.attempt === group.attempt)?.steps ?? group.attempts.at(-1)?.steps ?? [];
}

/** a step that succeeded in the group's latest attempt after failing in the one before */
export function passedOnRetry(group: GroupRecord, step: StepRecord): boolean {
  if (step.status !== 'success' || group.attempt < 2) return false;
  const before = group.attempts.find((a) => a.attempt === group.attempt - 1)?.steps.find((s) => s.index === step.index);
  return before !== undefined && FAILED_STATUSES.includes(before.status);
}

export function runOutcome(run: RunRecord): RunOutcome {
  const failed: FailedGroup[] = [];
  for (const group of run.groups) {
    if (!FAILED_STATUSES.includes(group.status)) continue;
    const step = latestSteps(group).find((s) => FAILED_STATUSES.includes(s.status));
    failed.push({ group: group.name, status: group.status, attempt: group.attempt, ...(step ? { step } : {}) });
  }
  const outcome: RunOutcome = { total: run.groups.length, passed: run.groups.filter((g) => g.status === 'success').length, failed };
  const ms = elapsedMs(run.startedAt, run.finishedAt);
  if (ms !== undefined) outcome.durationMs = ms;
  return outcome;
}

export function elapsedMs(start: Date | undefined, end: Date | undefined): number | undefined {
  return start && end ? Math.max(0, end.getTime() - start.getTime()) : undefined;
}

/** `build › test (attempt 2)`: where a group failed; the attempt only when it was a retry */
export function failedAt(failure: FailedGroup, withAttempt = true): string {
  const where = failure.step ? `${failure.group} › ${failure.step.name}` : failure.group;
  return withAttempt && failure.attempt > 1 ? `${where} (attempt ${failure.attempt})` : where;
}

/** `45s`, `1m 12s`, `2h 5m`; under a second: `0.4s` */
export function durationText(ms: number): string {
  if (ms < 950) return `${Math.round(ms / 100) / 10}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
