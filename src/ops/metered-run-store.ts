import type { RunEvent } from '../executor/events.ts';
import { TERMINAL_STATUSES, type Status } from '../pipeline/types.ts';
import { forwardRunStore, type RunStore } from '../store/store.ts';
import type { OpsMetrics } from './ops-metrics.ts';

/**
 * The RunStore, counting finished runs and timing steps as their events are written. Wrapped once in
 * main.ts, so the worker feeds the metrics without knowing of them. A step is timed from its
 * `running` event to its final one; the start times of steps still running are the only state kept.
 */
export function meteredRunStore(store: RunStore, metrics: Pick<OpsMetrics, 'runFinished' | 'stepFinished'>): RunStore {
  const started = new Map<string, Date>();
  const final = (status: Status): boolean => TERMINAL_STATUSES.includes(status);
  const observe = (event: RunEvent): void => {
    if (event.type === 'run' && final(event.status)) {
      metrics.runFinished(event.status);
      // steps a crash left without a final event are not kept past their run
      for (const key of started.keys()) if (key.startsWith(`${event.runId}\u0000`)) started.delete(key);
    }
    if (event.type !== 'step') return;
    const key = `${event.runId}\u0000${event.group}\u0000${event.step}\u0000${event.attempt}`;
    if (event.status === 'running') started.set(key, event.at);
    else if (final(event.status)) {
      const from = started.get(key);
      started.delete(key);
      if (from !== undefined) metrics.stepFinished(event.status, Math.max(0, (event.at.getTime() - from.getTime()) / 1000));
    }
  };
  return {
    ...forwardRunStore(store),
    apply: async (event) => {
      await store.apply(event);
      observe(event);
    },
    applyBatch: async (runId, events) => {
      await store.applyBatch(runId, events);
      for (const event of events) observe(event);
    },
    requestCancel: async (id) => {
      const record = await store.requestCancel(id);
      if (record !== null && record.status === 'cancelled') metrics.runFinished('cancelled');
      return record;
    },
    finish: async (id, status, message, now) => {
      await store.finish(id, status, message, now);
      metrics.runFinished(status);
    },
  };
}
