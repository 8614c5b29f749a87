import type { RunStore } from '../store/store.ts';
import type { WorkerLogger } from './logger.ts';

export interface HeartbeatOptions {
  runs: Pick<RunStore, 'heartbeat' | 'get'>;
  runId: string;
  workerId: string;
  leaseMs: number;
  intervalMs: number;
  now: () => Date;
  /** the lease is gone (another worker took the run, or we could not renew it in time): stop at once */
  onLost: (why: string) => void;
  /** someone asked to cancel the run */
  onCancel: () => void;
  log: WorkerLogger;
}

export interface Heartbeat {
  /** stops the beats; resolves once a beat in progress has finished */
  stop(): Promise<void>;
}

/**
 * Keeps a claimed run's lease alive and watches for cancellation while it runs. Beats never
 * overlap (each is scheduled after the previous one finished). A beat that fails (database down)
 * is retried at the next interval; once the lease has run out without a renewal, the run is
 * treated as lost, since another worker may already have recovered it.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { runs, runId, workerId, leaseMs, now, log } = options;
  let lastRenewal = now().getTime();
  let stopped = false;
  let cancelSeen = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const beat = async (): Promise<void> => {
    try {
      const at = now();
      if (!(await runs.heartbeat(runId, workerId, leaseMs, at))) {
        stopped = true;
        options.onLost('another worker holds the run now (its lease had expired)');
        return;
      }
      lastRenewal = at.getTime();
      const run = await runs.get(runId);
      if (run?.cancelRequested && !cancelSeen) {
        cancelSeen = true;
        options.onCancel();
      }
    } catch (err) {
      const silentMs = now().getTime() - lastRenewal;
      log.warn({ err, runId, silentMs }, 'worker: heartbeat failed');
      if (silentMs >= leaseMs) {
        stopped = true;
        options.onLost(`the lease could not be renewed for ${silentMs} ms`);
      }
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = beat().finally(schedule);
    }, options.intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
