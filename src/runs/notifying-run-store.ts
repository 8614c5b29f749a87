import type { RunEvent } from '../executor/events.ts';
import type { Status } from '../pipeline/types.ts';
import { forwardRunStore, type RunStore } from '../store/store.ts';

/** A change of a stored run: created, a status event applied, or finished outside run-job. */
export interface RunChange {
  runId: string;
  kind: 'created' | 'event' | 'finished';
  /** the new status, when the change set one (a run, group or step status) */
  status?: Status;
  /** what the status belongs to */
  level?: 'run' | 'group' | 'step';
}

export type RunChangeListener = (change: RunChange) => void;

/**
 * The RunStore, telling `listener` after every write that changes what a run looks like, whichever
 * path made it (run-job's events, a cancel before start, a missing secret, a queueing failure).
 * Built once in main.ts, so the worker and the executor never know who listens. The listener runs
 * after the write succeeded and must not throw (a failing listener never fails a run).
 */
export function notifyingRunStore(store: RunStore, listener: RunChangeListener): RunStore {
  const tell = (change: RunChange): void => {
    try {
      listener(change);
    } catch {
      // contract: listeners do not throw; a listener bug must not fail the write that succeeded
    }
  };
  return {
    ...forwardRunStore(store),
    create: async (run) => {
      const record = await store.create(run);
      tell({ runId: record.id, kind: 'created', status: record.status, level: 'run' });
      return record;
    },
    apply: async (event: RunEvent) => {
      await store.apply(event);
      if (event.type !== 'log') tell({ runId: event.runId, kind: 'event', status: event.status, level: event.type });
    },
    applyBatch: async (runId, events) => {
      await store.applyBatch(runId, events);
      const last = events[events.length - 1];
      if (last !== undefined) tell({ runId, kind: 'event', status: last.status, level: last.type });
    },
    requestCancel: async (id) => {
      const record = await store.requestCancel(id);
      if (record !== null) tell({ runId: id, kind: 'event', status: record.status, level: 'run' });
      return record;
    },
    finish: async (id, status, message, now) => {
      await store.finish(id, status, message, now);
      tell({ runId: id, kind: 'finished', status, level: 'run' });
    },
  };
}
