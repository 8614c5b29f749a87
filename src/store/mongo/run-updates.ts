import type { GroupStatusEvent, RunStatusEvent, StepStatusEvent } from '../../executor/events.ts';
import { TERMINAL_STATUSES, type Status } from '../../pipeline/types.ts';
import { toNamedValues, type AttemptDoc, type GroupDoc, type StepDoc } from './run-document.ts';

/**
 * Pure translation of status events into update operators on a run document, given the paths of
 * the group / attempt / step element. The paths are `groups.$[g]...` (arrayFilters) or
 * `groups.3...` (index paths, guarded by the filter) — see run-apply.ts.
 * Timing rules: `startedAt` is stamped by `running`, `finishedAt` by a terminal status.
 */
export interface FieldUpdate {
  $set: Record<string, unknown>;
  $min?: Record<string, unknown>;
  $max?: Record<string, unknown>;
  $unset?: Record<string, ''>;
}

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function runEventUpdate(event: RunStatusEvent): FieldUpdate {
  const update: FieldUpdate = { $set: { status: event.status } };
  if (event.message !== undefined) update.$set.message = event.message;
  if (event.status === 'running') {
    // a run restarted after a crash keeps its first start time
    update.$min = { startedAt: event.at };
  } else if (isTerminal(event.status)) {
    update.$set.finishedAt = event.at;
    // nobody holds a finished run; `worker` stays as the record of who ran it. A message left by an
    // earlier start ("…; retrying in 2 s") is not about this outcome: it goes unless one is given
    update.$unset = event.message === undefined ? { leaseUntil: '', message: '' } : { leaseUntil: '' };
  } else if (event.status === 'queued') {
    // handed back by its worker (shutdown, engine failure): claimable again at once
    update.$unset = { leaseUntil: '' };
  }
  return update;
}

export function groupEventUpdate(event: GroupStatusEvent, groupPath: string, attemptPath: string): FieldUpdate {
  const update: FieldUpdate = {
    $set: { [`${groupPath}.status`]: event.status, [`${attemptPath}.status`]: event.status },
    // the group shows its latest attempt
    $max: { [`${groupPath}.attempt`]: event.attempt },
  };
  stampTimes(update, attemptPath, event.status, event.at);
  if (event.message !== undefined) {
    update.$set[`${groupPath}.message`] = event.message;
    update.$set[`${attemptPath}.message`] = event.message;
  }
  return update;
}

export function stepEventUpdate(event: StepStatusEvent, stepPath: string): FieldUpdate {
  const update: FieldUpdate = { $set: { [`${stepPath}.status`]: event.status, [`${stepPath}.name`]: event.stepName } };
  stampTimes(update, stepPath, event.status, event.at);
  if (event.exitCode !== undefined) update.$set[`${stepPath}.exitCode`] = event.exitCode;
  if (event.message !== undefined) update.$set[`${stepPath}.message`] = event.message;
  if (event.outputs !== undefined) update.$set[`${stepPath}.outputs`] = toNamedValues(event.outputs);
  return update;
}

function stampTimes(update: FieldUpdate, path: string, status: Status, at: Date): void {
  if (status === 'running') update.$set[`${path}.startedAt`] = at;
  else if (isTerminal(status)) update.$set[`${path}.finishedAt`] = at;
}

export function newGroupDoc(name: string): GroupDoc {
  return { name, status: 'queued', attempt: 0, attempts: [] };
}

export function newAttemptDoc(attempt: number): AttemptDoc {
  return { attempt, status: 'queued', steps: [] };
}

export function newStepDoc(index: number, name: string): StepDoc {
  return { index, name, status: 'queued' };
}
