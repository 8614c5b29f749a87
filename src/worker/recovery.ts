import type { RunQueue } from '../scheduler/queue.ts';
import type { RunStore } from '../store/store.ts';
import type { WorkerLogger } from './logger.ts';

export interface RecoveryOptions {
  runs: Pick<RunStore, 'expired'>;
  queue: Pick<RunQueue, 'enqueue'>;
  now: () => Date;
  log: WorkerLogger;
  /** how often to look for expired leases */
  intervalMs: number;
  /** a run re-queued here is not re-queued again before this long (it waits in the queue) */
  requeueAfterMs: number;
}

/**
 * Finds runs whose worker stopped heartbeating (crashed, killed, partitioned) and puts them back
 * in the queue. It does not touch their containers: whoever claims the run next removes the
 * previous start's leftovers (see executeRun), after the claim, so a reaper can never remove the
 * containers of a worker that has just legitimately taken the run.
 */
export class Recovery {
  readonly #options: RecoveryOptions;
  readonly #requeuedAt = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<unknown> = Promise.resolve();

  constructor(options: RecoveryOptions) {
    this.#options = options;
  }

  /** One pass; returns the ids re-queued. */
  async scan(): Promise<string[]> {
    const { runs, queue, now, log, requeueAfterMs } = this.#options;
    const at = now();
    for (const [id, when] of this.#requeuedAt) if (at.getTime() - when >= requeueAfterMs) this.#requeuedAt.delete(id);
    const requeued: string[] = [];
    for (const id of await runs.expired(at)) {
      if (this.#requeuedAt.has(id)) continue;
      await queue.enqueue(id);
      this.#requeuedAt.set(id, at.getTime());
      requeued.push(id);
    }
    if (requeued.length > 0) log.info({ runs: requeued }, 'worker: re-queued runs whose worker stopped heartbeating');
    return requeued;
  }

  /** Scans now and then every intervalMs until stop(). */
  start(): Promise<string[]> {
    const first = this.scan();
    this.#scanning = first.catch(() => {});
    const tick = (): void => {
      this.#timer = setTimeout(() => {
        this.#scanning = this.scan()
          .catch((err: unknown) => this.#options.log.warn({ err }, 'worker: recovery scan failed'))
          .finally(() => {
            if (this.#timer !== undefined) tick();
          });
      }, this.#options.intervalMs);
      this.#timer.unref();
    };
    tick();
    return first;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#scanning;
  }
}
