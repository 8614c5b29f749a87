import type { Plan, Scalar, Status } from '../../pipeline/types.ts';
import type { AttemptRecord, GroupRecord, NewRun, RunRecord, RunSource, StepRecord } from '../store.ts';

/**
 * The `runs` document. It mirrors RunRecord except where users choose the keys: `params` and step
 * `outputs` become `[{name, value}]` lists and the plan is stored as JSON text, because keys with
 * `.` or a leading `$` cannot be addressed by update operators (and FerretDB rejects them outright).
 */
export interface NamedValue<T> {
  name: string;
  value: T;
}

export interface StepDoc {
  index: number;
  name: string;
  status: Status;
  exitCode?: number;
  startedAt?: Date;
  finishedAt?: Date;
  outputs?: NamedValue<string>[];
  message?: string;
}

export interface AttemptDoc {
  attempt: number;
  status: Status;
  startedAt?: Date;
  finishedAt?: Date;
  message?: string;
  steps: StepDoc[];
}

export interface GroupDoc {
  name: string;
  status: Status;
  attempt: number;
  message?: string;
  attempts: AttemptDoc[];
}

export interface RunDoc {
  _id: string;
  job: string;
  source: RunSource;
  yaml: string;
  file: string;
  params: NamedValue<Scalar>[];
  planJson: string;
  rerunOf?: string;
  onlyGroups?: string[];
  repo?: string;
  sha?: string;
  ref?: string;
  branch?: string;
  cloneUrl?: string;
  event?: string;
  installationId?: number;
  status: Status;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  message?: string;
  groups: GroupDoc[];
  worker?: string;
  leaseUntil?: Date;
  starts: number;
  cancelRequested?: boolean;
}

export function toNamedValues<T>(map: Record<string, T>): NamedValue<T>[] {
  return Object.entries(map).map(([name, value]) => ({ name, value }));
}

function fromNamedValues<T>(list: NamedValue<T>[]): Record<string, T> {
  return Object.fromEntries(list.map((item) => [item.name, item.value]));
}

/** A fresh queued run: one queued group per planned group, no attempts yet. */
export function newRunDoc(id: string, run: NewRun, createdAt: Date): RunDoc {
  const { params, plan, ...rest } = run;
  const doc: RunDoc = {
    ...withoutUndefined(rest),
    _id: id,
    params: toNamedValues(params),
    planJson: JSON.stringify(plan),
    status: 'queued',
    createdAt,
    groups: plan.groups.map((group) => ({ name: group.name, status: 'queued', attempt: 0, attempts: [] })),
    starts: 0,
  };
  return doc;
}

export function toRunRecord(doc: RunDoc): RunRecord {
  const { _id, params, planJson, groups, ...rest } = doc;
  return {
    ...rest,
    id: _id,
    params: fromNamedValues(params),
    plan: JSON.parse(planJson) as Plan,
    groups: groups.map(toGroupRecord),
  };
}

function toGroupRecord(group: GroupDoc): GroupRecord {
  return {
    ...group,
    attempts: [...group.attempts].sort((a, b) => a.attempt - b.attempt).map(toAttemptRecord),
  };
}

function toAttemptRecord(attempt: AttemptDoc): AttemptRecord {
  return { ...attempt, steps: [...attempt.steps].sort((a, b) => a.index - b.index).map(toStepRecord) };
}

function toStepRecord(step: StepDoc): StepRecord {
  const { outputs, ...rest } = step;
  return outputs === undefined ? rest : { ...rest, outputs: fromNamedValues(outputs) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
