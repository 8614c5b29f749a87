import type { RunStore } from '../store/store.ts';
import type { WorkerLogger } from './logger.ts';

export interface HeartbeatOptions {
  runs: Pick<RunStore, 'heartbeat' | 'get'>;
  runId: string;
  workerId: string;
  leaseMs: number;
  intervalMs: number;
  /** when the lease was last set (the claim); default: now */
  renewedAt?: Date;
  now: () => Date;
  /** the lease is gone (another worker took the run, or we could not renew it in time): stop at once */
  onLost: (why: string) => void;
  /** someone asked to cancel the run */
  onCancel: () => void;
  log: WorkerLogger;
}

export interface Heartbeat {
  /**
   * false once the lease has run out by this worker's clock (reporting the loss through onLost,
   * once). Call it before anything another owner must not see twice: a worker whose event loop
   * was blocked past its lease learns here, before its next write, that the run may be running
   * elsewhere already.
   */
  held(): boolean;
  /** stops the beats; resolves once a beat in progress has finished */
  stop(): Promise<void>;
}

/**
 * Keeps a claimed run's lease alive and watches for cancellation while it runs. Beats never
 * overlap (each is scheduled after the previous one finished). A beat that fails (database down)
 * is retried at the next interval; once the lease has run out without a renewal, the run is
 * treated as lost, since another worker may already have recovered it. A beat that comes too late
 * (the event loop was blocked) does not renew a lapsed lease: it reports the run lost instead.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { runs, runId, workerId, leaseMs, now, log } = options;
  let lastRenewal = (options.renewedAt ?? now()).getTime();
  let stopped = false;
  let cancelSeen = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let lost = false;

  const lose = (why: string): void => {
    stopped = true;
    if (lost) return;
    lost = true;
    options.onLost(why);
  };
  const held = (): boolean => {
    if (lost) return false;
    const silentMs = now().getTime() - lastRenewal;
    if (silentMs < leaseMs) return true;
    lose(`this worker renewed no lease for ${silentMs} ms (over the ${leaseMs} ms lease; was its event loop blocked?), so another worker may run it now`);
    return false;
  };

  const beat = async (): Promise<void> => {
    if (!held()) return;
    try {
      const at = now();
      if (!(await runs.heartbeat(runId, workerId, leaseMs, at))) {
        lose('another worker holds the run now (its lease had expired)');
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
      if (silentMs >= leaseMs) lose(`the lease could not be renewed for ${silentMs} ms`);
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
    held,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
