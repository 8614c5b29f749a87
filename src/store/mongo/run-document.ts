import type { Plan, Scalar } from '../../pipeline/types.ts';
import type { AttemptRecord, GroupRecord, NewRun, RunRecord, StepRecord } from '../store.ts';
import { runBucketLabels } from './run-buckets.ts';

/**
 * The `runs` document. It mirrors RunRecord except where users choose the keys: `params` and step
 * `outputs` become `[{name, value}]` lists and the plan is stored as JSON text, because keys with
 * `.` or a leading `$` cannot be addressed by update operators (and FerretDB rejects them outright).
 */
export interface NamedValue<T> {
  name: string;
  value: T;
}

// Derived from the records, so a field added there is stored without a second edit here.
export type StepDoc = Omit<StepRecord, 'outputs'> & { outputs?: NamedValue<string>[] };

export type AttemptDoc = Omit<AttemptRecord, 'steps'> & { steps: StepDoc[] };

export type GroupDoc = Omit<GroupRecord, 'attempts'> & { attempts: AttemptDoc[] };

export type RunDoc = Omit<RunRecord, 'id' | 'params' | 'plan' | 'groups'> & {
  _id: string;
  params: NamedValue<Scalar>[];
  planJson: string;
  groups: GroupDoc[];
  /** time bucket labels of `createdAt` for listing on servers without sort pushdown (run-buckets.ts) */
  listBuckets: string[];
};

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
    listBuckets: runBucketLabels(createdAt),
    groups: plan.groups.map((group) => ({ name: group.name, status: 'queued', attempt: 0, attempts: [] })),
    starts: 0,
  };
  return doc;
}

export function toRunRecord(doc: RunDoc): RunRecord {
  const { _id, params, planJson, groups, listBuckets: _buckets, ...rest } = doc;
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
