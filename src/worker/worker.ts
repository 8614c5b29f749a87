import type { Executor } from '../executor/executor.ts';
import type { runJob as RunJob } from '../executor/run-job.ts';
import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { HandlerContext, RunQueue } from '../scheduler/queue.ts';
import type { LogStore, RunCredentialStore, RunStore, SecretStore } from '../store/store.ts';
import { executeRun, RunControl, type ExecuteRunDeps } from './execute-run.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { WorkerLogger } from './logger.ts';
import { Recovery } from './recovery.ts';

export interface WorkerDeps {
  runs: RunStore;
  logs: LogStore;
  secrets: SecretStore;
  /** short-lived values stored with a run at submit time (the checkout token) */
  credentials?: Pick<RunCredentialStore, 'get'>;
  queue: RunQueue;
  executor: Executor;
  runJob: typeof RunJob;
  /** removes every container and workspace of a run (Docker: by the label pistages.run=<id>) */
  reapRun: (runId: string) => Promise<void>;
  workerId: string;
  /** how long a claim lasts without a heartbeat */
  leaseMs: number;
  heartbeatMs: number;
  /** runs at once; the queue is built with the same number */
  concurrency: number;
  defaultRetry: number;
  logCapBytes: number;
  /** limit of steps whose job sets no timeout (PISTAGES_DEFAULT_TIMEOUT) */
  defaultTimeoutMs?: number;
  groupConcurrency: number;
  log: WorkerLogger;
  now?: () => Date;
  /** how often to look for runs whose lease expired (default: leaseMs / 2) */
  recoveryIntervalMs?: number;
  /** starts of one run before an engine failure is final (default 5) */
  maxStarts?: number;
  /** first delay before retrying a run the container engine failed (default 2 s, doubling, at most 5 min) */
  engineRetryBaseMs?: number;
  engineRetryMaxMs?: number;
}

/**
 * Takes runs from the queue and executes them: claim (a lease in the RunStore, so a run executes
 * once however often the queue delivers it) → heartbeat → executeRun. Also recovers runs whose
 * worker died, and shuts down without losing runs.
 */
export class Worker {
  readonly #deps: WorkerDeps;
  readonly #now: () => Date;
  readonly #active = new Map<string, RunControl>();
  readonly #recovery: Recovery;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(deps: WorkerDeps) {
    if (deps.heartbeatMs >= deps.leaseMs) {
      throw new RangeError(`heartbeatMs (${deps.heartbeatMs}) must be shorter than leaseMs (${deps.leaseMs}), or every lease lapses`);
    }
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#recovery = new Recovery({
      runs: deps.runs,
      queue: deps.queue,
      now: this.#now,
      log: deps.log,
      intervalMs: deps.recoveryIntervalMs ?? Math.max(1000, Math.floor(deps.leaseMs / 2)),
      // the first re-queue suffices (queue entries stay until handled); more only add load
      requeueAfterMs: deps.leaseMs * 10,
    });
  }

  /** ids of the runs executing here now */
  get running(): string[] {
    return [...this.#active.keys()];
  }

  /** Re-queues runs left behind by dead workers, then starts taking runs. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('a worker starts once');
    this.#state = 'running';
    await this.#recovery.start();
    await this.#deps.queue.start((runId, ctx) => this.#handle(runId, ctx));
    this.#deps.log.info({ workerId: this.#deps.workerId, concurrency: this.#deps.concurrency }, 'worker: taking runs');
  }

  /**
   * Graceful stop: takes no new runs; runs in progress get `graceMs` to finish, then they are
   * aborted and put back in the queue as `queued` (another worker, or this one restarted, runs
   * them again as a new attempt). Resolves when no run executes here any more.
   */
  async stop(options: { graceMs: number }): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    await this.#recovery.stop();
    const timer = setTimeout(() => {
      for (const control of this.#active.values()) control.stop('shutdown', `worker ${this.#deps.workerId} is shutting down`);
    }, options.graceMs);
    try {
      await this.#deps.queue.stop({ drain: true });
    } finally {
      clearTimeout(timer);
      this.#state = 'stopped';
    }
  }

  /** In-process cancel (the API calls this after RunStore.requestCancel); false when the run is not here. */
  cancel(runId: string): boolean {
    const control = this.#active.get(runId);
    control?.stop('cancel', 'cancelled on request');
    return control !== undefined;
  }

  async #handle(runId: string, ctx: HandlerContext): Promise<void> {
    const { runs, queue, workerId, leaseMs, log } = this.#deps;
    if (this.#state !== 'running' || ctx.signal.aborted) {
      // delivered while stopping: hand it back untouched
      await queue.enqueue(runId);
      return;
    }
    // a cheap read first: redundant deliveries of finished runs are common (FerretDB, recovery) and
    // a claim can be costly where updates need a document lock
    const current = await runs.get(runId);
    if (current === null || TERMINAL_STATUSES.includes(current.status)) {
      log.debug({ runId }, 'worker: run already finished or unknown');
      return;
    }
    const claimedAt = this.#now();
    const run = await runs.claim(runId, workerId, leaseMs, claimedAt);
    if (run === null) {
      log.debug({ runId }, 'worker: run already taken or finished');
      return;
    }
    const control = new RunControl();
    this.#active.set(runId, control);
    const shutdown = (): void => control.stop('shutdown', `worker ${workerId} is shutting down`);
    ctx.signal.addEventListener('abort', shutdown, { once: true });
    const heartbeat = startHeartbeat({
      runs,
      runId,
      workerId,
      leaseMs,
      intervalMs: this.#deps.heartbeatMs,
      renewedAt: claimedAt,
      now: this.#now,
      log,
      onLost: (why) => {
        log.warn({ runId, why }, 'worker: lost the run; stopping it here');
        control.stop('lease-lost', `this worker lost the run: ${why}`);
      },
      onCancel: () => control.stop('cancel', 'cancelled on request'),
    });
    control.watchLease(() => heartbeat.held());
    log.info({ runId, start: run.starts }, 'worker: run started');
    try {
      await executeRun(this.#executeDeps(), run, control);
    } finally {
      ctx.signal.removeEventListener('abort', shutdown);
      await heartbeat.stop();
      this.#active.delete(runId);
      log.info({ runId, stoppedBy: control.reason }, 'worker: run left this worker');
    }
  }

  #executeDeps(): ExecuteRunDeps {
    const d = this.#deps;
    return {
      runs: d.runs,
      logs: d.logs,
      secrets: d.secrets,
      ...(d.credentials !== undefined && { credentials: d.credentials }),
      queue: d.queue,
      executor: d.executor,
      runJob: d.runJob,
      reapRun: d.reapRun,
      workerId: d.workerId,
      defaultRetry: d.defaultRetry,
      groupConcurrency: d.groupConcurrency,
      logCapBytes: d.logCapBytes,
      ...(d.defaultTimeoutMs !== undefined && { defaultTimeoutMs: d.defaultTimeoutMs }),
      maxStarts: d.maxStarts ?? 5,
      engineRetryBaseMs: d.engineRetryBaseMs ?? 2000,
      engineRetryMaxMs: d.engineRetryMaxMs ?? 300_000,
      log: d.log,
      now: this.#now,
    };
  }
}
