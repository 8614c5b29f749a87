import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { RunChange } from './notifying-run-store.ts';

/**
 * Turns a stream of run changes into report requests, at most one per run per `windowMs` (plus a
 * trailing one for changes inside the window) and at once for a final status. The requests are
 * durable (a queue in the database); the reporter re-reads the run, so extra requests are cheap and
 * a coalesced one never loses the latest state.
 */
export interface ReportTrigger {
  changed(change: RunChange): void;
  /** cancels pending trailing requests (shutdown) */
  stop(): void;
}

export function createReportTrigger(options: {
  request: (runId: string) => Promise<void>;
  windowMs: number;
  onError: (err: unknown, runId: string) => void;
}): ReportTrigger {
  const windows = new Map<string, { timer: NodeJS.Timeout; dirty: boolean }>();
  const send = (runId: string): void => {
    options.request(runId).catch((err: unknown) => options.onError(err, runId));
  };
  const open = (runId: string): void => {
    const timer = setTimeout(() => {
      const window = windows.get(runId);
      windows.delete(runId);
      if (window?.dirty) {
        send(runId);
        open(runId);
      }
    }, options.windowMs);
    timer.unref();
    windows.set(runId, { timer, dirty: false });
  };
  return {
    changed(change) {
      const window = windows.get(change.runId);
      const final = change.kind !== 'event' || (change.level === 'run' && change.status !== undefined && TERMINAL_STATUSES.includes(change.status));
      if (window === undefined) {
        send(change.runId);
        open(change.runId);
      } else if (final) {
        send(change.runId);
      } else {
        window.dirty = true;
      }
    },
    stop() {
      for (const window of windows.values()) clearTimeout(window.timer);
      windows.clear();
    },
  };
}
