import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { GroupStatusEvent, StepStatusEvent } from '../../executor/events.ts';
import { NotFoundError } from '../store.ts';
import type { GroupDoc, RunDoc } from './run-document.ts';
import { groupEventUpdate, newAttemptDoc, newGroupDoc, newStepDoc, stepEventUpdate, type FieldUpdate } from './run-updates.ts';

export type ElementEvent = GroupStatusEvent | StepStatusEvent;

const MAX_ROUNDS = 10;

/**
 * Applies many group and step events of one run with one read and one write: the events are
 * applied in order to the groups as read (through the same field updates `apply` uses, on index
 * paths), and every group they touched is written back whole. The write is guarded by the group
 * names and by the lengths of the arrays it extends, so an element appended meanwhile makes it
 * read again rather than lose that element. Portable: index paths work on every server.
 */
export async function applyEventBatch(runs: Collection<RunDoc>, runId: string, events: ElementEvent[]): Promise<void> {
  const foreign = events.find((event) => event.runId !== runId);
  if (foreign !== undefined) throw new Error(`a batch for run ${runId} holds an event of run ${foreign.runId}`);
  if (events.length === 0) return;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const doc = await runs.findOne({ _id: runId }, { projection: { groups: 1 } });
    if (doc === null) throw new NotFoundError(`run ${runId} does not exist`);
    const before = doc.groups ?? [];
    const guard = guardOf(before);
    const groups = structuredClone(before);
    const touched = new Set<number>();
    for (const event of events) touched.add(applyInMemory(groups, event));
    const $set: Record<string, unknown> = {};
    const filter: Record<string, unknown> = { _id: runId };
    for (const index of touched) {
      $set[`groups.${index}`] = groups[index];
      Object.assign(filter, index < before.length ? guard(index) : { [`groups.${index}`]: { $exists: false } });
    }
    const result = await runs.updateOne(filter as Filter<RunDoc>, { $set } as UpdateFilter<RunDoc>);
    if (result.matchedCount === 1) return;
  }
  throw new Error(`run ${runId}: could not apply ${events.length} events after ${MAX_ROUNDS} rounds of concurrent changes`);
}

/** The conditions under which group `index` is still the one read: same name, no element appended. */
function guardOf(groups: GroupDoc[]): (index: number) => Record<string, unknown> {
  return (index) => {
    const group = groups[index];
    if (group === undefined) return {};
    const g = `groups.${index}`;
    const guard: Record<string, unknown> = { [`${g}.name`]: group.name, [`${g}.attempts.${group.attempts.length}`]: { $exists: false } };
    group.attempts.forEach((attempt, a) => {
      guard[`${g}.attempts.${a}.steps.${attempt.steps.length}`] = { $exists: false };
    });
    return guard;
  };
}

/** Applies one event to `groups`, creating the elements it names; returns the group's index. */
function applyInMemory(groups: GroupDoc[], event: ElementEvent): number {
  let gi = groups.findIndex((group) => group.name === event.group);
  if (gi < 0) gi = groups.push(newGroupDoc(event.group)) - 1;
  const group = groups[gi] as GroupDoc;
  let ai = group.attempts.findIndex((attempt) => attempt.attempt === event.attempt);
  if (ai < 0) ai = group.attempts.push(newAttemptDoc(event.attempt)) - 1;
  const root = { groups };
  const g = `groups.${gi}`;
  const a = `${g}.attempts.${ai}`;
  if (event.type === 'group') {
    applyUpdate(root, groupEventUpdate(event, g, a));
    return gi;
  }
  const steps = group.attempts[ai]?.steps ?? [];
  let si = steps.findIndex((step) => step.index === event.step);
  if (si < 0) si = steps.push(newStepDoc(event.step, event.stepName)) - 1;
  applyUpdate(root, stepEventUpdate(event, `${a}.steps.${si}`));
  return gi;
}

/** The subset of update operators run-updates.ts produces ($set, $max, $min, $unset), on a plain object. */
export function applyUpdate(target: object, update: FieldUpdate): void {
  for (const [path, value] of Object.entries(update.$set)) at(target, path, (parent, key) => (parent[key] = value));
  for (const [path, value] of Object.entries(update.$max ?? {})) {
    at(target, path, (parent, key) => (parent[key] = parent[key] === undefined || compare(value, parent[key]) > 0 ? value : parent[key]));
  }
  for (const [path, value] of Object.entries(update.$min ?? {})) {
    at(target, path, (parent, key) => (parent[key] = parent[key] === undefined || compare(value, parent[key]) < 0 ? value : parent[key]));
  }
  for (const path of Object.keys(update.$unset ?? {})) at(target, path, (parent, key) => delete parent[key]);
}

function at(target: object, path: string, change: (parent: Record<string, unknown>, key: string) => unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node: unknown = target;
  for (const key of keys) {
    node = (node as Record<string, unknown>)[key];
    if (typeof node !== 'object' || node === null) throw new Error(`no element at ${path}`);
  }
  change(node as Record<string, unknown>, last);
}

function compare(a: unknown, b: unknown): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  throw new Error(`cannot compare ${String(a)} with ${String(b)}`);
}
