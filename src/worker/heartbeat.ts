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
   * Whether this worker still holds the run. Within the lease by this worker's clock: true at once.
   * Past it (the event loop was blocked, or renewals failed) another worker may have taken the run,
   * so the lease is renewed first, which succeeds only if none did; else the loss is reported
   * through onLost and the answer is false. Call it before anything the new owner must not see
   * twice (a status write, the next step).
   */
  held(): boolean | Promise<boolean>;
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
  let lastRenewal = (options.renewedAt ?? now()).getTime();
  let stopped = false;
  let lost = false;
  let cancelSeen = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let confirming: Promise<boolean> | undefined;

  const lose = (why: string): void => {
    stopped = true;
    if (lost) return;
    lost = true;
    options.onLost(why);
  };

  /** One renewal; false (and the loss reported) when another worker holds the run now. */
  const renew = async (): Promise<boolean> => {
    const at = now();
    if (!(await runs.heartbeat(runId, workerId, leaseMs, at))) {
      lose('another worker holds the run now (its lease had expired)');
      return false;
    }
    lastRenewal = Math.max(lastRenewal, at.getTime());
    return true;
  };

  const held = (): boolean | Promise<boolean> => {
    if (lost) return false;
    const silentMs = now().getTime() - lastRenewal;
    if (silentMs < leaseMs) return true;
    confirming ??= renew()
      .catch((err: unknown) => {
        log.warn({ err, runId, silentMs }, 'worker: lease ran out and could not be renewed');
        lose(`the lease ran out ${silentMs - leaseMs} ms ago and could not be renewed`);
        return false;
      })
      .finally(() => {
        confirming = undefined;
      });
    return confirming;
  };

  const beat = async (): Promise<void> => {
    try {
      if (!(await renew())) return;
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
