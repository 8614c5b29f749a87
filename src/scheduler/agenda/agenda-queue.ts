import { Agenda, toJobId, type AgendaBackend, type Job, type JobRepository } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { EnqueueOptions, RunHandler, RunQueue } from '../queue.ts';
import { WakeChannel } from './wake-channel.ts';

/** The one Agenda job type: `data.runId` names the run to claim. */
export const RUN_JOB = 'pistages-run';

export interface QueueLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AgendaQueueOptions {
  /** the Pistages database; jobs go to `collection` in it */
  db: Db;
  collection?: string;
  /** the Agenda job name (default RUN_JOB); other queues of ids (webhook deliveries, reports) use their own */
  jobName?: string;
  /** this worker's id, stored on the jobs it locks (lastModifiedBy) */
  name: string;
  /** most runs this process handles at once; also the most jobs it locks at once */
  concurrency: number;
  /**
   * How often to look for runs queued by other processes (Agenda's processEvery). Runs enqueued
   * through this instance are picked up at once through an in-process notification.
   */
  pollMs: number;
  /**
   * After this long without a touch, Agenda hands a job to another worker. The handler does not
   * rely on it (the RunStore lease decides who runs a run); it only bounds redelivery delay.
   */
  lockLifetimeMs: number;
  /** touch the job's lock while its handler runs (default true); tests turn it off to prove the lease alone suffices */
  touchLocks?: boolean;
  log: QueueLogger;
}

interface RunJobData {
  runId: string;
}

/**
 * RunQueue on Agenda 6 with @agendajs/mongo-backend. Delivery is at-least-once: a job whose lock
 * expires (a crashed worker, or a handler outliving lockLifetimeMs without touches) is delivered
 * again, so handlers must claim the run in the RunStore before doing anything.
 *
 * Duplicate deliveries are normal on FerretDB 1.x, whose findOneAndUpdate is not atomic: two
 * lock attempts (two workers, or a poll and a notification in one process) can both get a job.
 *
 * Latency: MongoDB offers Agenda no notification channel except change streams, which need a
 * replica set (FerretDB has none), so remote workers poll every `pollMs`; jobs created through
 * this instance reach its own processor immediately through an in-process WakeChannel, and a
 * finished run makes the processor look for the next job at once.
 */
export class AgendaQueue implements RunQueue {
  readonly #agenda: Agenda;
  readonly #options: AgendaQueueOptions;
  readonly #connected: Promise<void>;
  readonly #channel: WakeChannel;
  readonly #jobName: string;
  readonly #running = new Map<Promise<void>, AbortController>();
  #started = false;
  #stopped = false;

  private constructor(options: AgendaQueueOptions) {
    this.#options = options;
    this.#jobName = options.jobName ?? RUN_JOB;
    const backend = new MongoBackend({ mongo: options.db, collection: options.collection ?? 'queue' });
    // Agenda connects in its constructor without handling a failure; keep the error for open()
    // and give Agenda a promise that never settles instead of an unhandled rejection.
    this.#connected = backend.connect();
    const channel = new WakeChannel((err) => options.log.warn({ err }, 'queue: waking the job processor failed'));
    this.#channel = channel;
    const guarded: AgendaBackend = {
      name: backend.name,
      repository: refillAfterRemoval(backend.repository, () => this.#refill()),
      notificationChannel: undefined,
      ownsConnection: false,
      connect: () => this.#connected.catch(() => new Promise<void>(() => {})),
      disconnect: async () => {},
    };
    this.#agenda = new Agenda({
      backend: guarded,
      name: options.name,
      processEvery: options.pollMs,
      maxConcurrency: options.concurrency,
      defaultConcurrency: options.concurrency,
      lockLimit: options.concurrency,
      defaultLockLimit: options.concurrency,
      defaultLockLifetime: options.lockLifetimeMs,
      removeOnComplete: true,
      notificationChannel: channel,
    });
    this.#agenda.on('error', (err: Error) => {
      // a job removed under a duplicate delivery (see the class comment) is expected, not a problem
      if (/does not exist anymore/.test(err.message)) options.log.debug({ err }, 'queue: job already removed');
      else options.log.warn({ err }, 'queue: agenda reported an error');
    });
  }

  /** Connects to the database (creating the queue's index) and returns the queue. */
  static async open(options: AgendaQueueOptions): Promise<AgendaQueue> {
    const queue = new AgendaQueue(options);
    try {
      await queue.#connected;
    } catch (err) {
      throw new Error(`cannot prepare the run queue in collection '${options.collection ?? 'queue'}': ${String(err)}`, { cause: err });
    }
    return queue;
  }

  async enqueue(runId: string, options: EnqueueOptions = {}): Promise<void> {
    const data: RunJobData = { runId };
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) await this.#agenda.schedule(new Date(Date.now() + delayMs), this.#jobName, data);
    else await this.#agenda.now(this.#jobName, data);
  }

  async start(handler: RunHandler): Promise<void> {
    if (this.#started) throw new Error('the run queue was already started');
    this.#started = true;
    const { concurrency, lockLifetimeMs } = this.#options;
    this.#agenda.define<RunJobData>(this.#jobName, (job) => this.#deliver(job, handler), {
      concurrency,
      lockLimit: concurrency,
      lockLifetime: lockLifetimeMs,
    });
    await this.#agenda.start();
  }

  async stop(options: { drain: boolean }): Promise<void> {
    this.#stopped = true;
    if (!options.drain) for (const controller of this.#running.values()) controller.abort(new Error('the worker is stopping'));
    // stop() (unlike drain()) also releases jobs locked here but not started, so others take them now
    await this.#agenda.stop(false);
    // wait for our own handlers: Agenda forgets a handler whose lock it considers expired
    await Promise.allSettled([...this.#running.keys()]);
  }

  /**
   * Agenda refills its local queue only on a poll or a notification; after a run finishes, ask it
   * to look for the next job now instead of leaving the slot idle until the next poll.
   */
  #refill(): void {
    if (!this.#started || this.#stopped || this.#channel.state !== 'connected') return;
    this.#channel
      .publish({ jobId: toJobId('refill'), jobName: this.#jobName, nextRunAt: null, priority: 0, timestamp: new Date() })
      .catch((err: unknown) => this.#options.log.debug({ err }, 'queue: refill notification failed'));
  }

  async #deliver(job: Job<RunJobData>, handler: RunHandler): Promise<void> {
    const runId = job.attrs.data?.runId;
    if (typeof runId !== 'string' || runId === '') {
      this.#options.log.error({ job: job.attrs._id }, 'queue: dropping a job without a run id');
      return;
    }
    if (this.#running.size >= this.#options.concurrency) {
      // Agenda frees a slot early when its lock watchdog gives up on a job whose handler still
      // runs; keep the limit anyway and put this run back for a moment
      await this.enqueue(runId, { delayMs: this.#options.pollMs });
      return;
    }
    const controller = new AbortController();
    if (this.#stopped) controller.abort(new Error('the worker is stopping'));
    const touchEvery = Math.max(50, Math.floor(this.#options.lockLifetimeMs / 3));
    const touch = this.#options.touchLocks === false ? undefined : setInterval(() => {
      job.touch().catch((err: unknown) => this.#options.log.debug({ err, runId }, 'queue: could not extend the job lock'));
    }, touchEvery);
    touch?.unref();
    const handled = handler(runId, { signal: controller.signal }).catch((err: unknown) => {
      // the handler owns the run's status; an escape here is a bug or a lost database, and the
      // run's lease runs out so recovery starts it again
      this.#options.log.error({ err, runId }, 'queue: run handler failed');
    });
    this.#running.set(handled, controller);
    try {
      await handled;
    } finally {
      clearInterval(touch);
      this.#running.delete(handled);
    }
  }
}

/**
 * The repository with one hook: after a finished job is removed (Agenda removes completed jobs
 * just before it frees their concurrency slot), `onRemoved` runs on the next turn of the loop.
 */
function refillAfterRemoval(repository: JobRepository, onRemoved: () => void): JobRepository {
  return new Proxy(repository, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'removeJobs') {
        return async (...args: Parameters<JobRepository['removeJobs']>) => {
          const removed = await target.removeJobs(...args);
          setImmediate(onRemoved);
          return removed;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
