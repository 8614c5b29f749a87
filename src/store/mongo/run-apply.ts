import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import type { GroupStatusEvent, RunEvent, StepStatusEvent } from '../../executor/events.ts';
import { NotFoundError } from '../store.ts';
import type { RunDoc } from './run-document.ts';
import {
  groupEventUpdate,
  newAttemptDoc,
  newGroupDoc,
  newStepDoc,
  runEventUpdate,
  stepEventUpdate,
  type FieldUpdate,
} from './run-updates.ts';

/**
 * Applies a status event to its run document with single-document atomic updates; the group,
 * attempt and step elements are created (each by a conditional $push that cannot duplicate) the
 * first time an event names them. Two strategies address the elements:
 * - arrayFilters (MongoDB ≥ 3.6): one update in the common case, no read.
 * - index paths (servers without arrayFilters, e.g. FerretDB 1.x): read the element positions,
 *   then update `groups.<i>.attempts.<j>...` with a filter that re-checks the element identities
 *   at those positions. Elements are only ever appended, so a position never changes meaning;
 *   a failed guard (concurrent append) just re-reads.
 */
export type ApplyEvent = (event: RunEvent) => Promise<void>;

type Runs = Collection<RunDoc>;
type Element = GroupStatusEvent | StepStatusEvent;

export function createApplyEvent(runs: Runs, useArrayFilters: boolean): ApplyEvent {
  const applyElement = useArrayFilters ? applyWithArrayFilters : applyWithIndexPaths;
  return async (event) => {
    if (event.type === 'log') return;
    if (event.type === 'run') {
      const result = await runs.updateOne({ _id: event.runId }, asUpdate(runEventUpdate(event)));
      if (result.matchedCount === 0) throw unknownRun(event.runId);
      return;
    }
    await applyElement(runs, event);
  };
}

async function applyWithArrayFilters(runs: Runs, event: Element): Promise<void> {
  const g = 'groups.$[g]';
  const a = `${g}.attempts.$[a]`;
  const update = event.type === 'group' ? groupEventUpdate(event, g, a) : stepEventUpdate(event, `${a}.steps.$[s]`);
  const arrayFilters: Document[] = [{ 'g.name': event.group }, { 'a.attempt': event.attempt }];
  if (event.type === 'step') arrayFilters.push({ 's.index': event.step });
  const attemptMatch: Document = { attempt: event.attempt };
  if (event.type === 'step') attemptMatch['steps.index'] = event.step;
  const present: Filter<RunDoc> = { _id: event.runId, groups: { $elemMatch: { name: event.group, attempts: { $elemMatch: attemptMatch } } } };

  if ((await runs.updateOne(present, asUpdate(update), { arrayFilters })).matchedCount === 1) return;
  // first event naming this group / attempt / step: create what is missing, each at most once
  await runs.updateOne({ _id: event.runId, 'groups.name': { $ne: event.group } }, { $push: { groups: newGroupDoc(event.group) } });
  await runs.updateOne(
    { _id: event.runId, groups: { $elemMatch: { name: event.group, 'attempts.attempt': { $ne: event.attempt } } } },
    { $push: { 'groups.$[g].attempts': newAttemptDoc(event.attempt) } } as UpdateFilter<RunDoc>,
    { arrayFilters: [{ 'g.name': event.group }] },
  );
  if (event.type === 'step') {
    await runs.updateOne(
      {
        _id: event.runId,
        groups: { $elemMatch: { name: event.group, attempts: { $elemMatch: { attempt: event.attempt, 'steps.index': { $ne: event.step } } } } },
      },
      { $push: { 'groups.$[g].attempts.$[a].steps': newStepDoc(event.step, event.stepName) } } as UpdateFilter<RunDoc>,
      { arrayFilters: [{ 'g.name': event.group }, { 'a.attempt': event.attempt }] },
    );
  }
  if ((await runs.updateOne(present, asUpdate(update), { arrayFilters })).matchedCount === 0) throw unknownRun(event.runId);
}

const MAX_ROUNDS = 10;

async function applyWithIndexPaths(runs: Runs, event: Element): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const doc = await runs.findOne(
      { _id: event.runId },
      { projection: { 'groups.name': 1, 'groups.attempts.attempt': 1, 'groups.attempts.steps.index': 1 } },
    );
    if (doc === null) throw unknownRun(event.runId);
    const groups = doc.groups ?? [];
    const gi = groups.findIndex((group) => group.name === event.group);
    if (gi < 0) {
      await appendGuarded(runs, event.runId, {}, 'groups', groups.length, newGroupDoc(event.group));
      continue;
    }
    const g = `groups.${gi}`;
    const attempts = groups[gi]?.attempts ?? [];
    const ai = attempts.findIndex((attempt) => attempt.attempt === event.attempt);
    const identity: Document = { [`${g}.name`]: event.group };
    if (ai < 0) {
      await appendGuarded(runs, event.runId, identity, `${g}.attempts`, attempts.length, newAttemptDoc(event.attempt));
      continue;
    }
    const a = `${g}.attempts.${ai}`;
    identity[`${a}.attempt`] = event.attempt;
    let update: FieldUpdate;
    if (event.type === 'step') {
      const steps = attempts[ai]?.steps ?? [];
      const si = steps.findIndex((step) => step.index === event.step);
      if (si < 0) {
        await appendGuarded(runs, event.runId, identity, `${a}.steps`, steps.length, newStepDoc(event.step, event.stepName));
        continue;
      }
      identity[`${a}.steps.${si}.index`] = event.step;
      update = stepEventUpdate(event, `${a}.steps.${si}`);
    } else {
      update = groupEventUpdate(event, g, a);
    }
    const result = await runs.updateOne({ _id: event.runId, ...identity } as Filter<RunDoc>, asUpdate(update));
    if (result.matchedCount === 1) return;
  }
  throw new Error(`run ${event.runId}: could not apply a ${event.type} event after ${MAX_ROUNDS} rounds of concurrent changes`);
}

/** $push to `path` only if the array still has `length` elements (so nobody appended meanwhile). */
async function appendGuarded(runs: Runs, runId: string, identity: Document, path: string, length: number, element: unknown): Promise<void> {
  const guard: Document = { ...identity, [`${path}.${length}`]: { $exists: false } };
  await runs.updateOne({ _id: runId, ...guard } as Filter<RunDoc>, { $push: { [path]: element } } as UpdateFilter<RunDoc>);
}

function asUpdate(update: FieldUpdate): UpdateFilter<RunDoc> {
  return update as UpdateFilter<RunDoc>;
}

function unknownRun(id: string): NotFoundError {
  return new NotFoundError(`run ${id} does not exist`);
}
